import AuditCore
import AuditStore
import Foundation
import PostgresNIO

/// Provider events read back from `events` (alias `v`), for ingest and the reader alike.
extension PostgresAuditStore {
    /// The SELECT list ``providerEvent(from:)`` reads, in its order.
    static let eventColumns = """
        v.event_key, v.provider_event_id, v.kind, (extract(epoch FROM v.occurred_at) * 1000000)::bigint, v.severity, v.reason,
        v.code, v.enhanced_code, v.message, v.description, v.mx_host, v.attempt_no, v.retry_seconds, v.reject_reason, v.url,
        v.delayed_bounce
        """

    /// The event of a row selecting ``eventColumns`` (a delivery status only when one of its
    /// parts is stored, as the SQLite store reads it).
    static func providerEvent(from row: PostgresRandomAccessRow) throws -> ProviderEvent {
        let providerEventID = try row[1].decode(String.self), kind = try row[2].decode(String.self)
        let code = try row[6].decode(Int32?.self).map(Int.init), enhanced = try row[7].decode(String?.self)
        let message = try row[8].decode(String?.self), description = try row[9].decode(String?.self)
        let mxHost = try row[10].decode(String?.self)
        let attempt = try row[11].decode(Int32?.self).map(Int.init), retry = try row[12].decode(Int32?.self).map(Int.init)
        let hasDelivery = code != nil || enhanced != nil || message != nil || description != nil
            || mxHost != nil || attempt != nil || retry != nil
        return ProviderEvent(
            key: StoredEventCoding.key(stored: try row[0].decode(String.self), providerEventID: providerEventID, kind: kind),
            providerEventID: providerEventID, kind: EventKind(rawValue: kind) ?? .stored,
            occurredAt: StoredEventCoding.date(microseconds: try row[3].decode(Int64.self)),
            severity: try row[4].decode(String?.self).flatMap(FailureSeverity.init(rawValue:)),
            reason: try row[5].decode(String?.self),
            delivery: hasDelivery ? DeliveryStatus(code: code, enhancedCode: enhanced, message: message,
                                                   description: description, mxHost: mxHost,
                                                   attemptNumber: attempt, retrySeconds: retry) : nil,
            rejectReason: try row[13].decode(String?.self), url: try row[14].decode(String?.self),
            isDelayedBounce: try row[15].decode(Bool.self))
    }

    /// `event` as ``providerEvent(from:)`` reads it back once ``PostgresEventColumns`` stored it:
    /// the key in its stored form, the time in whole microseconds, numbers as 32-bit columns,
    /// a delivery status only when one of its fields is set.
    static func storedForm(of event: ProviderEvent) -> ProviderEvent {
        let kind = event.kind.rawValue, delivery = event.delivery
        let code = delivery?.code.map { Int(Int32(clamping: $0)) }
        let attempt = delivery?.attemptNumber.map { Int(Int32(clamping: $0)) }
        let retry = delivery?.retrySeconds.map { Int(Int32(clamping: $0)) }
        let hasDelivery = code != nil || delivery?.enhancedCode != nil || delivery?.message != nil || delivery?.description != nil
            || delivery?.mxHost != nil || attempt != nil || retry != nil
        return ProviderEvent(
            key: StoredEventCoding.key(stored: StoredEventCoding.storedKey(of: event), providerEventID: event.providerEventID, kind: kind),
            providerEventID: event.providerEventID, kind: EventKind(rawValue: kind) ?? .stored,
            occurredAt: StoredEventCoding.date(microseconds: StoredEventCoding.microseconds(event.occurredAt)),
            severity: event.severity, reason: event.reason,
            delivery: hasDelivery ? DeliveryStatus(code: code, enhancedCode: delivery?.enhancedCode, message: delivery?.message,
                                                   description: delivery?.description, mxHost: delivery?.mxHost,
                                                   attemptNumber: attempt, retrySeconds: retry) : nil,
            rejectReason: event.rejectReason, url: event.url, isDelayedBounce: event.isDelayedBounce)
    }
}

/// A statement being built: SQL text with `$n` placeholders and their values.
///
/// With `typedPlaceholders` every placeholder carries its type (`$3::BIGINT`) and each value is
/// also kept as an SQL expression (``literals``), so that the statement can be prepared once on
/// the server (`PREPARE name AS ...`, the types taken from the casts) and run again with other
/// values (`EXECUTE name(...)`, ``BlockingPostgresConnection/preparedRows(_:arguments:)``). Text
/// goes in as hex of its UTF-8 bytes (`convert_from(decode('…', 'hex'), 'UTF8')`), so no quoting
/// rule of the server (`standard_conforming_strings`) can change what it says.
struct PostgresStatement {
    private(set) var binds = PostgresBindings()
    /// The values as SQL expressions, in placeholder order (with `typedPlaceholders` only).
    private(set) var literals: [String] = []
    /// Whether placeholders carry their type and ``literals`` are kept.
    let typedPlaceholders: Bool

    init(typedPlaceholders: Bool = false) {
        self.typedPlaceholders = typedPlaceholders
    }

    /// Binds `value` and returns its placeholder.
    mutating func bind<Value: PostgresDynamicTypeEncodable>(_ value: Value) -> String {
        binds.append(value)
        guard typedPlaceholders else { return "$\(binds.count)" }
        literals.append(Self.literal(value))
        guard let name = value.psqlType.knownSQLName else { return "$\(binds.count)" }
        return "$\(binds.count)::\(name)"
    }

    /// An instant, bound as whole microseconds since 1970 (as the stores round them), so a
    /// time read back from a row compares equal to the row's.
    mutating func time(_ date: Date) -> String {
        "(timestamptz 'epoch' + \(bind(StoredEventCoding.microseconds(date))) * interval '1 microsecond')"
    }

    func query(_ sql: String) -> PostgresQuery {
        PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    /// `value` as an SQL expression of its type (the values a prepared page binds: integers,
    /// text and their arrays).
    private static func literal<Value>(_ value: Value) -> String {
        switch value {
        case let number as Int64: return String(number)
        case let number as Int32: return String(number)
        case let number as Int16: return String(number)
        case let text as String: return Self.text(text)
        case let texts as [String]: return "ARRAY[\(texts.map(Self.text).joined(separator: ", "))]::TEXT[]"
        case let numbers as [Int64]: return "ARRAY[\(numbers.map(String.init).joined(separator: ", "))]::BIGINT[]"
        case let numbers as [Int16]: return "ARRAY[\(numbers.map(String.init).joined(separator: ", "))]::SMALLINT[]"
        default: preconditionFailure("a prepared statement binds integers, text and their arrays, not \(Value.self)")
        }
    }

    /// Text as the hex of its UTF-8 bytes, decoded by the server.
    private static func text(_ text: String) -> String {
        let hex = text.utf8.map { String(format: "%02x", $0) }.joined()
        return "convert_from(decode('\(hex)', 'hex'), 'UTF8')"
    }
}
