import Foundation
@testable import AuditCore

/// Builds provider events tersely for derivation tests.
enum Fixture {
    static let base = Date(timeIntervalSince1970: 1_764_000_000)

    static func event(_ kind: EventKind, at offset: TimeInterval, severity: FailureSeverity? = nil,
                      reason: String? = nil, code: Int? = nil, attempt: Int? = nil, id: String? = nil,
                      message: String? = nil, delayed: Bool = false) -> ProviderEvent {
        let time = base + offset
        let providerID = id ?? "\(kind.rawValue)-\(Int(offset))-\(attempt ?? 0)"
        let delivery: DeliveryStatus? = (kind == .failed || kind == .delivered)
            ? DeliveryStatus(code: code, message: message, mxHost: "mx.example.net", attemptNumber: attempt) : nil
        return ProviderEvent(
            key: ProviderEvent.makeKey(providerEventID: providerID, kind: kind.rawValue, recipient: "a@example.net", occurredAt: time),
            providerEventID: providerID, kind: kind, occurredAt: time, severity: severity, reason: reason,
            delivery: delivery, rejectReason: kind == .rejected ? "to parameter is not a valid address" : nil,
            isDelayedBounce: delayed)
    }

    static let accepted = event(.accepted, at: 0)
    static let delivered = event(.delivered, at: 5, code: 250, attempt: 1)
    static let opened = event(.opened, at: 600)
    static let clicked = event(.clicked, at: 700)
    static let temp1 = event(.failed, at: 3, severity: .temporary, reason: "generic", code: 452, attempt: 1, message: "mailbox full")
    static let temp2 = event(.failed, at: 603, severity: .temporary, reason: "generic", code: 452, attempt: 2, message: "mailbox full")
    static let bounce = event(.failed, at: 4, severity: .permanent, reason: "bounce", code: 550, attempt: 1, message: "5.1.1 does not exist")
    static let lateBounce = event(.failed, at: 7200, severity: .permanent, reason: "generic", code: 550, attempt: 1, message: "late", delayed: true)
    static let oldTemporary = event(.failed, at: 28_800, severity: .temporary, reason: "old", code: 602, attempt: 8, message: "Too old")
    static let complained = event(.complained, at: 9000)
    static let unsubscribed = event(.unsubscribed, at: 8000)
    static let rejected = event(.rejected, at: 1)
}
