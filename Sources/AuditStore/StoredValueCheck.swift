import AuditCore
import Foundation

/// The store's own guard on what it writes, whatever the caller checked before: no text with
/// a NUL character (SQLite would keep it cut while lookups use the whole value; see
/// ``StoredText``), and no time outside the years 1970 to 9999 (so no conversion to a whole
/// number of micro- or milliseconds can overflow).
enum StoredValueCheck {
    /// 9999-12-31T23:59:59Z.
    static let latestSeconds: Double = 253_402_300_799

    static func requireTime(_ date: Date, _ what: @autoclosure () -> String) throws {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, seconds >= 0, seconds <= latestSeconds else {
            throw StoreError.invalidValue("\(what()) is not a storable time (\(seconds) seconds since 1970)")
        }
    }

    static func requireText(_ text: String?, _ what: @autoclosure () -> String) throws {
        guard let text, StoredText.containsNUL(text) else { return }
        throw StoreError.invalidValue("\(what()) contains a NUL character")
    }

    /// Checks every value of an incoming event that the store keeps.
    static func check(_ item: IncomingEvent) throws {
        // The name is only built for an error (this runs for every ingested event). The closures
        // capture the id alone: capturing `item` copied the whole event (perf, 06/12/2026).
        let id = item.event.providerEventID
        func name() -> String { "event \(id.prefix(40))" }
        try requireTime(item.event.occurredAt, "the time of \(name())")
        func require(_ value: String?, _ field: StaticString) throws { try requireText(value, "the \(field) of \(name())") }
        try require(item.messageID, "message id")
        try require(item.recipient, "recipient")
        try require(item.event.key, "key")
        try require(item.event.providerEventID, "id")
        try require(item.rawJSON, "raw JSON")
        try require(item.event.reason, "reason")
        try require(item.event.rejectReason, "reject reason")
        try require(item.event.url, "url")
        try require(item.headers.to, "To header")
        try require(item.headers.from, "From header")
        try require(item.headers.subject, "subject")
        if let delivery = item.event.delivery {
            func requireDelivery(_ value: String?) throws { try requireText(value, "the delivery status of \(name())") }
            try requireDelivery(delivery.enhancedCode)
            try requireDelivery(delivery.message)
            try requireDelivery(delivery.description)
            try requireDelivery(delivery.mxHost)
        }
        for value in item.headers.attachmentNames { try requireText(value, "an attachment name of \(name())") }
    }

    /// Checks every value of a new email that the store keeps.
    static func check(_ email: NewEmail) throws {
        try requireTime(email.createdAt, "the creation time of an email to \(email.to.prefix(80))")
        for value in [email.to, email.from, email.subject, email.textBody] + email.cc + email.attachmentNames {
            try requireText(value, "a field of the email to \(email.to.prefix(80))")
        }
    }
}
