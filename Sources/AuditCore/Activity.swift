import Foundation

/// The staff action (or system event) that caused an email.
public enum Activity: String, Sendable, Hashable, Codable, CaseIterable {
    case receiptRecorded = "receipt"
    case serviceChargeDemand = "demand"
    case creditControlReminder = "reminder"
    case leaseholderStatement = "statement"
    case ticketUpdate = "ticket"
    case notification = "notification"
    /// An email this tool sent to a user about another email's problem (a notification or a
    /// daily digest). It never raises notifications itself.
    case statusAlert = "status-alert"
    /// Sent by another system through the same domain, or found in an imported provider log.
    case external = "external"

    public var displayName: String {
        switch self {
        case .receiptRecorded: "Receipt"
        case .serviceChargeDemand: "Demand"
        case .creditControlReminder: "Reminder"
        case .leaseholderStatement: "Statement"
        case .ticketUpdate: "Ticket update"
        case .notification: "Notification"
        case .statusAlert: "Status alert"
        case .external: "External"
        }
    }
}
