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
        /// A field holds a value the store refuses: an implausible time, a number out of range,
        /// a NUL character, an identity too long to keep.
        case refused(field: String, problem: String)
    }

    /// The plausible range of each number stored from an event.
    static let codeRange = 0...999
    static let attemptRange = 0...10_000
    static let retrySecondsRange = 0...2_592_000  // 30 days

    /// Maps one decoded event, refusing values the store cannot keep faithfully. `now` bounds
    /// the event's time (see ``PlausibleTime``).
    static func map(_ decoded: DecodedMailgunEvent, now: Date) -> Outcome {
        let wire = decoded.event
        if let problem = PlausibleTime.problem(with: wire.timestamp, now: now) {
            return .refused(field: "timestamp", problem: problem)
        }
        if let refusal = refusal(of: wire) { return refusal }
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
        let detail = StoredText.detailLimit, header = StoredText.headerLimit
        let delivery = wire.deliveryStatus.map {
            DeliveryStatus(code: $0.code, enhancedCode: StoredText.capped($0.enhancedCode, limit: header),
                           message: StoredText.capped($0.message, limit: detail),
                           description: StoredText.capped($0.description, limit: detail),
                           mxHost: StoredText.capped($0.mxHost, limit: header), attemptNumber: $0.attemptNo,
                           retrySeconds: $0.retrySeconds)
        }
        let occurredAt = Date(timeIntervalSince1970: wire.timestamp)
        let event = ProviderEvent(
            key: ProviderEvent.makeKey(providerEventID: wire.id, kind: wire.event, recipient: recipient, occurredAt: occurredAt),
            providerEventID: wire.id, kind: kind, occurredAt: occurredAt, severity: severity,
            reason: StoredText.capped(reason, limit: header), delivery: delivery,
            rejectReason: StoredText.capped(wire.reject.map {
                [$0.reason, $0.description].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: " — ")
            }, limit: detail),
            url: StoredText.capped(wire.url, limit: detail), isDelayedBounce: wire.flags?.isDelayedBounce ?? false)
        let headers = MessageHeaders(
            to: StoredText.capped(wire.message?.headers?.to ?? recipient, limit: header),
            from: StoredText.capped(wire.message?.headers?.from ?? "", limit: header),
            subject: StoredText.capped(wire.message?.headers?.subject ?? "", limit: header),
            attachmentNames: (wire.message?.attachments.map { $0.map(\.filename) } ?? []).prefix(100)
                .map { StoredText.capped($0, limit: header) })
        let auditID = wire.userVariables["audit-id"].flatMap { Int64($0.trimmingCharacters(in: .whitespaces)) }
            .flatMap { $0 > 0 ? $0 : nil }
        return .event(IncomingEvent(messageID: messageID, recipient: recipient, event: event,
                                    rawJSON: decoded.rawJSON, headers: headers, auditEmailID: auditID))
    }

    /// The first field of `wire` the store would not keep faithfully: a number out of range,
    /// a NUL character in any text that is stored, an identity value too long to keep whole.
    static func refusal(of wire: MailgunEvent) -> Outcome? {
        if let status = wire.deliveryStatus {
            for (field, value, range) in [("delivery-status.code", status.code, codeRange),
                                          ("delivery-status.attempt-no", status.attemptNo, attemptRange),
                                          ("delivery-status.retry-seconds", status.retrySeconds, retrySecondsRange)] {
                if let value, !range.contains(value) {
                    return .refused(field: field, problem: "\(value) is out of range (\(range.lowerBound)...\(range.upperBound))")
                }
            }
        }
        let headers = wire.message?.headers
        // A rejected event has no recipient: its address is read from the To header.
        let hasRecipient = !(wire.recipient?.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ?? true)
        let identities: [(String, String?)] = [
            ("id", wire.id), ("message.headers.message-id", headers?.messageID), ("recipient", wire.recipient),
            ("message.headers.to", hasRecipient ? nil : wire.effectiveRecipient),
        ]
        for (field, value) in identities {
            guard let value else { continue }
            if StoredText.containsNUL(value) { return .refused(field: field, problem: "contains a NUL character") }
            let length = value.unicodeScalars.count
            if length > StoredText.identityLimit {
                return .refused(field: field, problem: "is \(length) characters long (at most \(StoredText.identityLimit))")
            }
        }
        var texts: [(String, String?)] = [
            ("event", wire.event), ("severity", wire.severity), ("reason", wire.reason), ("url", wire.url),
            ("message.headers.to", headers?.to), ("message.headers.from", headers?.from),
            ("message.headers.subject", headers?.subject), ("reject.reason", wire.reject?.reason),
            ("reject.description", wire.reject?.description), ("user-variables.audit-id", wire.userVariables["audit-id"]),
        ]
        if let status = wire.deliveryStatus {
            texts += [("delivery-status.message", status.message), ("delivery-status.description", status.description),
                      ("delivery-status.enhanced-code", status.enhancedCode), ("delivery-status.mx-host", status.mxHost)]
        }
        for (index, attachment) in (wire.message?.attachments ?? []).enumerated() {
            texts.append(("message.attachments[\(index)].filename", attachment.filename))
        }
        for (field, value) in texts {
            if let value, StoredText.containsNUL(value) { return .refused(field: field, problem: "contains a NUL character") }
        }
        return nil
    }
}
