import AuditCore
import AuditEngine
import AuditStore
import Foundation

/// Makes the emails a property-management system raises: receipts, demands, reminders,
/// statements, ticket updates and notices, addressed to the plan's contacts.
public struct DemoEmailFactory: Sendable {
    public let plan: PortfolioPlan
    public let accountID: Int64
    /// Staff ids in plan order.
    public let staffIDs: [Int64]
    /// Unit ids per (block, unit) reference.
    public let unitIDs: [PortfolioPlan.UnitRef: Int64]
    public let sendingDomain: String
    public let timeZone: TimeZone

    public init(plan: PortfolioPlan, accountID: Int64, staffIDs: [Int64], unitIDs: [PortfolioPlan.UnitRef: Int64],
                sendingDomain: String, timeZone: TimeZone) {
        self.plan = plan
        self.accountID = accountID
        self.staffIDs = staffIDs
        self.unitIDs = unitIDs
        self.sendingDomain = sendingDomain
        self.timeZone = timeZone
    }

    /// One email created at `time`.
    public func makeEmail(at time: Date, using rng: inout SeededRandom) -> NewEmail {
        let contact = plan.contacts[Int.random(in: 0..<plan.contacts.count, using: &rng)]
        let ref = rng.pick(contact.units)
        let block = plan.blocks[ref.block]
        let unit = block.units[ref.unit]
        let place = "\(unit), \(block.name)"
        let activity: Activity
        switch contact.role {
        case .leaseholder:
            activity = rng.pick([.receiptRecorded, .receiptRecorded, .serviceChargeDemand, .creditControlReminder,
                                 .leaseholderStatement, .ticketUpdate, .notification])
        case .tenant: activity = rng.pick([.ticketUpdate, .ticketUpdate, .notification])
        case .director: activity = rng.pick([.ticketUpdate, .notification, .leaseholderStatement])
        }
        let format = UKDateFormat(timeZone: timeZone)
        let day = format.date(time)
        let amount = String(format: "£%d.%02d", Int.random(in: 45...3_800, using: &rng), Int.random(in: 0...99, using: &rng))
        let reference = Int.random(in: 10_000...99_999, using: &rng)
        let firstName = contact.name.split(separator: " ").first.map(String.init) ?? contact.name
        var attachments: [String] = []
        let subject: String, body: String, sender: String
        switch activity {
        case .receiptRecorded:
            sender = "accounts"
            subject = "Payment received: \(amount) for \(place)"
            body = "Dear \(firstName),\n\nThank you for your payment of \(amount), received on \(day) for \(place).\nYour receipt is attached.\n\nKind regards,\nAccounts Team"
            attachments = ["Receipt-\(reference).pdf"]
        case .serviceChargeDemand:
            sender = "accounts"
            subject = "Service charge demand \(reference) for \(place)"
            body = "Dear \(firstName),\n\nPlease find attached the service charge demand for \(place), totalling \(amount), payable within 30 days.\nThe summary of tenants' rights and obligations is also attached.\n\nKind regards,\nAccounts Team"
            attachments = ["Demand-\(reference).pdf", "Summary of rights and obligations.pdf"]
        case .creditControlReminder:
            sender = "credit.control"
            subject = "Reminder: \(amount) overdue on \(place)"
            body = "Dear \(firstName),\n\nOur records show \(amount) outstanding on \(place). Please pay within 14 days or call us to arrange a plan.\n\nCredit Control"
        case .leaseholderStatement:
            sender = "statements"
            subject = "Your statement of account for \(place)"
            body = "Dear \(firstName),\n\nYour statement of account to \(day) is attached. Balance: \(amount).\n\nKind regards,\nAccounts Team"
            attachments = ["Statement-\(reference).pdf"]
        case .ticketUpdate:
            sender = "helpdesk"
            let issue = rng.pick(DemoNames.ticketIssues)
            subject = "Ticket #\(reference) updated: \(issue)"
            body = "Dear \(firstName),\n\nThere is an update on ticket #\(reference) (\(issue)) at \(block.name).\nA contractor has been booked and will attend within 5 working days.\n\nProperty Management Team"
        case .notification, .external, .statusAlert:
            sender = "notices"
            let notice = rng.pick(DemoNames.notices)
            subject = "\(notice) at \(block.name)"
            body = "Dear \(firstName),\n\n\(notice) at \(block.name), \(block.street), \(block.town).\nPlease see the attached notice for dates and details.\n\nProperty Management Team"
            attachments = ["Notice-\(reference).pdf"]
        }
        return NewEmail(
            accountID: accountID, raisedByID: staffIDs[Int.random(in: 0..<staffIDs.count, using: &rng)],
            activity: activity, to: contact.email, cc: [], from: "\(plan.senderName) <\(sender)@\(sendingDomain)>",
            subject: subject, textBody: body, attachmentNames: attachments, createdAt: time,
            unitIDs: contact.units.compactMap { unitIDs[$0] })
    }

    /// `count` creation times spread over the `days` days before `now` (working hours busier), oldest first.
    /// Holds them all (8 bytes each): a large seeding walks ``CreationTimes`` instead.
    public static func creationTimes(count: Int, days: Int, endingAt now: Date, timeZone: TimeZone,
                                     using rng: inout SeededRandom) -> [Date] {
        Array(CreationTimes(count: count, days: days, endingAt: now, timeZone: timeZone, using: &rng))
    }
}
