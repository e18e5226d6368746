import AuditCore
import AuditStore
import Foundation
import Mailgun

/// Turns Mailgun's wire format into the core's provider events.
enum MailgunEventMapping {
    /// What became of one decoded Mailgun event.
    enum Outcome {
        case event(IncomingEvent)
        /// An event that does not concern an outgoing email (inbound `stored`, mailing-list jobs).
        case ignored(kind: String)
    }

    static func map(_ decoded: DecodedMailgunEvent) -> Outcome {
        let wire = decoded.event
        var severity = wire.severity.flatMap { FailureSeverity(rawValue: $0.lowercased()) }
        var reason = wire.reason
        let kind: EventKind
        switch wire.event.lowercased() {
        case "dropped":  // legacy: the provider gave up without delivering
            kind = .failed
            severity = .permanent
        case "bounced":  // legacy hard bounce
            kind = .failed
            severity = .permanent
            reason = reason ?? "bounce"
        case let name:
            guard let known = EventKind(rawValue: name), known != .stored else { return .ignored(kind: wire.event) }
            kind = known
        }
        guard let messageID = wire.bareMessageID else { return .ignored(kind: wire.event) }
        let recipient = wire.effectiveRecipient ?? ""
        let delivery = wire.deliveryStatus.map {
            DeliveryStatus(code: $0.code, enhancedCode: $0.enhancedCode, message: $0.message,
                           description: $0.description, mxHost: $0.mxHost, attemptNumber: $0.attemptNo,
                           retrySeconds: $0.retrySeconds)
        }
        let occurredAt = Date(timeIntervalSince1970: wire.timestamp)
        let event = ProviderEvent(
            key: ProviderEvent.makeKey(providerEventID: wire.id, kind: wire.event, recipient: recipient, occurredAt: occurredAt),
            providerEventID: wire.id, kind: kind, occurredAt: occurredAt, severity: severity, reason: reason,
            delivery: delivery,
            rejectReason: wire.reject.map { [$0.reason, $0.description].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " — ") },
            url: wire.url, isDelayedBounce: wire.flags?.isDelayedBounce ?? false)
        let headers = MessageHeaders(
            to: wire.message?.headers?.to ?? recipient,
            from: wire.message?.headers?.from ?? "",
            subject: wire.message?.headers?.subject ?? "",
            attachmentNames: wire.message?.attachments.map { $0.map(\.filename) } ?? [])
        let auditID = wire.userVariables["audit-id"].flatMap { Int64($0) }
        return .event(IncomingEvent(messageID: messageID, recipient: recipient, event: event,
                                    rawJSON: decoded.rawJSON, headers: headers, auditEmailID: auditID))
    }
}
