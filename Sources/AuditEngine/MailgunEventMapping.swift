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
        // A value that parses as it is has no whitespace to trim (Foundation's trimming is slow).
        let auditID = wire.userVariables["audit-id"].flatMap { Int64($0) ?? Int64($0.trimmingCharacters(in: .whitespaces)) }
            .flatMap { $0 > 0 ? $0 : nil }
        return .event(IncomingEvent(messageID: messageID, recipient: recipient, event: event,
                                    rawJSON: decoded.rawJSON, headers: headers, auditEmailID: auditID))
    }

    private static let whitespacesAndNewlines = CharacterSet.whitespacesAndNewlines

    /// The first field of `wire` the store would not keep faithfully: a number out of range,
    /// a NUL character in any text that is stored, an identity value too long to keep whole.
    static func refusal(of wire: MailgunEvent) -> Outcome? {
        // Checked field by field, in this order, without building lists (this runs for every event).
        if let status = wire.deliveryStatus {
            if let refused = outOfRange("delivery-status.code", status.code, codeRange)
                ?? outOfRange("delivery-status.attempt-no", status.attemptNo, attemptRange)
                ?? outOfRange("delivery-status.retry-seconds", status.retrySeconds, retrySecondsRange) {
                return refused
            }
        }
        let headers = wire.message?.headers
        // A rejected event has no recipient: its address is read from the To header.
        // (Whether trimming whitespace and newlines would leave something, without building the trimmed text.)
        let hasRecipient = wire.recipient?.unicodeScalars.contains { !whitespacesAndNewlines.contains($0) } ?? false
        if let refused = badIdentity("id", wire.id) ?? badIdentity("message.headers.message-id", headers?.messageID)
            ?? badIdentity("recipient", wire.recipient)
            ?? badIdentity("message.headers.to", hasRecipient ? nil : wire.effectiveRecipient) {
            return refused
        }
        if let refused = nul("event", wire.event) ?? nul("severity", wire.severity) ?? nul("reason", wire.reason)
            ?? nul("url", wire.url) ?? nul("message.headers.to", headers?.to) ?? nul("message.headers.from", headers?.from)
            ?? nul("message.headers.subject", headers?.subject) ?? nul("reject.reason", wire.reject?.reason)
            ?? nul("reject.description", wire.reject?.description)
            ?? nul("user-variables.audit-id", wire.userVariables["audit-id"]) {
            return refused
        }
        if let status = wire.deliveryStatus,
           let refused = nul("delivery-status.message", status.message) ?? nul("delivery-status.description", status.description)
            ?? nul("delivery-status.enhanced-code", status.enhancedCode) ?? nul("delivery-status.mx-host", status.mxHost) {
            return refused
        }
        for (index, attachment) in (wire.message?.attachments ?? []).enumerated() where StoredText.containsNUL(attachment.filename) {
            return .refused(field: "message.attachments[\(index)].filename", problem: "contains a NUL character")
        }
        return nil
    }

    private static func outOfRange(_ field: String, _ value: Int?, _ range: ClosedRange<Int>) -> Outcome? {
        guard let value, !range.contains(value) else { return nil }
        return .refused(field: field, problem: "\(value) is out of range (\(range.lowerBound)...\(range.upperBound))")
    }

    /// A NUL character, or more than ``StoredText/identityLimit`` characters, in an identity value.
    private static func badIdentity(_ field: String, _ value: String?) -> Outcome? {
        guard let value else { return nil }
        if StoredText.containsNUL(value) { return .refused(field: field, problem: "contains a NUL character") }
        // A value this short in bytes is short in scalars too.
        guard value.utf8.count > StoredText.identityLimit else { return nil }
        let length = value.unicodeScalars.count
        if length > StoredText.identityLimit {
            return .refused(field: field, problem: "is \(length) characters long (at most \(StoredText.identityLimit))")
        }
        return nil
    }

    private static func nul(_ field: String, _ value: String?) -> Outcome? {
        guard let value, StoredText.containsNUL(value) else { return nil }
        return .refused(field: field, problem: "contains a NUL character")
    }
}
