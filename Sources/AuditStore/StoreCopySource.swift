import AuditCore
import Foundation
import GRDB

/// One value read from a SQLite store for copying to another backend.
public enum StoreCopyValue: Sendable, Hashable, Codable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)
    case bytes([UInt8])
}

/// What a copied column holds, so the destination can convert it (the SQLite store keeps
/// times as integers and JSON as text).
public enum StoreCopyColumnKind: Sendable, Equatable {
    /// An integer (ids, counts, statuses, hashes, roll-up days).
    case integer
    /// Text (an email body is handed over as its text, whatever the store compressed it to).
    case text
    /// Milliseconds since 1970 (`emails.created_at` and the other `*_at` columns but two).
    case milliseconds
    /// Microseconds since 1970 (`events.occurred_at`, `emails.last_event_at`).
    case microseconds
    /// JSON text (`cc`, `attachments`, `status_detail`).
    case json
    /// 0 or 1.
    case flag
    /// Bytes kept exactly (`events.raw_json`: the compact formats, or JSON text as UTF-8).
    case bytes
}

/// A column of a copied table: its name in the destination and what it holds.
public struct StoreCopyColumn: Sendable, Equatable {
    public let name: String
    public let kind: StoreCopyColumnKind

    init(_ name: String, _ kind: StoreCopyColumnKind) {
        self.name = name
        self.kind = kind
    }
}

/// A row read for copying: its place in the table's copy order (`key`) and its values, in the
/// order of ``StoreCopyTable/columns``.
public struct StoreCopyRow: Sendable, Equatable {
    public let key: [StoreCopyValue]
    public let values: [StoreCopyValue]
}

/// One destination table of a copy and how its rows are read from the SQLite store (schema
/// version 15), in the order of a unique key so a copy can stop and continue after any row.
public struct StoreCopyTable: Sendable {
    /// The destination table (the PostgreSQL store's name; docs/postgres.md maps each one).
    public let name: String
    /// The destination's columns, in the order of ``StoreCopyRow/values``.
    public let columns: [StoreCopyColumn]
    /// The index in ``columns`` of the creation time whose local month must have a partition
    /// before the row is written (`emails`), if any.
    public let monthColumn: Int?
    /// SQLite expressions of the unique copy order.
    let keys: [String]
    /// SQLite expressions of ``columns``, in order.
    let selects: [String]
    /// `FROM ...` with joins (and `WHERE ...` when the table is a subset).
    let from: String
    /// The source rows this table should end with.
    let countSQL: String

    init(_ name: String, keys: [String], from: String, count: String? = nil, monthColumn: Int? = nil,
         _ columns: [(String, StoreCopyColumnKind, String)]) {
        self.name = name
        self.keys = keys
        self.from = from
        self.countSQL = count ?? "SELECT count(*) \(from)"
        self.monthColumn = monthColumn
        self.columns = columns.map { StoreCopyColumn($0.0, $0.1) }
        self.selects = columns.map(\.2)
    }

    /// The statement reading up to `?` rows after a key (or from the start).
    func chunkSQL(after: Bool) -> String {
        let condition = after ? "(\(keys.joined(separator: ", "))) > (\(keys.map { _ in "?" }.joined(separator: ", ")))" : nil
        let filtered: String
        if let condition {
            filtered = from.contains(" WHERE ") ? "\(from) AND \(condition)" : "\(from) WHERE \(condition)"
        } else {
            filtered = from
        }
        return "SELECT \((keys + selects).joined(separator: ", ")) \(filtered) ORDER BY \(keys.joined(separator: ", ")) LIMIT ?"
    }
}

/// Reading a SQLite store (schema version 15) for `email-audit migrate`: every table that holds
/// data, in an order where each row's references are copied before it, each in chunks in the
/// order of a unique key. Open the store read-only (``AuditDatabase/Access/readOnly``): the copy
/// never changes it.
///
/// Not copied: `meta` (counters the PostgreSQL store does not keep, the simulators' saved state
/// and the hand-over health times), `recipients` (the PostgreSQL store's triggers rebuild it per
/// account from the emails) and the FTS5 search tables (PostgreSQL indexes the columns).
public struct StoreCopySource: Sendable {
    public let store: AuditDatabase

    public init(store: AuditDatabase) {
        self.store = store
    }

    /// The tables, in copy order (referenced rows first).
    public static let tables: [StoreCopyTable] = [
        StoreCopyTable("accounts", keys: ["id"], from: "FROM accounts", [
            ("id", .integer, "id"), ("name", .text, "name")]),
        StoreCopyTable("staff", keys: ["id"], from: "FROM staff", [
            ("account_id", .integer, "account_id"), ("id", .integer, "id"), ("name", .text, "name"),
            ("role", .text, "role"), ("is_external", .flag, "is_external = 1"), ("is_system", .flag, "is_external = 2")]),
        StoreCopyTable("blocks", keys: ["id"], from: "FROM blocks", [
            ("account_id", .integer, "account_id"), ("id", .integer, "id"), ("name", .text, "name"),
            ("street", .text, "street"), ("town", .text, "town"), ("postcode", .text, "postcode")]),
        StoreCopyTable("units", keys: ["u.id"], from: "FROM units u LEFT JOIN blocks b ON b.id = u.block_id", [
            ("account_id", .integer, "b.account_id"), ("id", .integer, "u.id"), ("block_id", .integer, "u.block_id"),
            ("name", .text, "u.name")]),
        StoreCopyTable("contacts", keys: ["id"], from: "FROM contacts", [
            ("account_id", .integer, "account_id"), ("id", .integer, "id"), ("name", .text, "name"),
            ("email", .text, "email"), ("phone", .text, "phone"), ("role", .text, "role")]),
        StoreCopyTable("contact_units", keys: ["cu.contact_id", "cu.unit_id"],
                       from: "FROM contact_units cu LEFT JOIN contacts c ON c.id = cu.contact_id", [
            ("account_id", .integer, "c.account_id"), ("contact_id", .integer, "cu.contact_id"),
            ("unit_id", .integer, "cu.unit_id")]),
        StoreCopyTable("senders", keys: ["id"], from: "FROM senders", [
            ("account_id", .integer, "account_id"), ("id", .integer, "id"), ("address", .text, "address")]),
        StoreCopyTable("users", keys: ["u.id"], from: "FROM users u LEFT JOIN staff s ON s.id = u.staff_id", [
            ("id", .integer, "u.id"), ("name", .text, "u.name"), ("login", .text, "u.login"), ("role", .text, "u.role"),
            ("account_id", .integer, "u.account_id"), ("staff_account_id", .integer, "s.account_id"),
            ("staff_id", .integer, "u.staff_id"), ("email", .text, "u.email")]),
        StoreCopyTable("emails", keys: ["id"], from: "FROM emails", monthColumn: 2, [
            ("account_id", .integer, "account_id"), ("id", .integer, "id"), ("created_at", .milliseconds, "created_at"),
            ("raised_by_id", .integer, "raised_by_id"), ("activity", .text, "activity"), ("to_address", .text, "to_address"),
            ("cc", .json, "cc"), ("sender_id", .integer, "sender_id"), ("subject", .text, "subject"), ("body", .text, "body"),
            ("attachments", .json, "attachments"), ("provider_message_id", .text, "provider_message_id"),
            ("message_hash", .integer, "message_hash"), ("handed_over_at", .milliseconds, "handed_over_at"),
            ("status", .integer, "status"), ("status_detail", .json, "status_detail"),
            ("last_event_at", .microseconds, "last_event_at")]),
        StoreCopyTable("email_host_ids", keys: ["id"], from: "FROM emails WHERE host_id IS NOT NULL", [
            ("account_id", .integer, "account_id"), ("host_id", .text, "host_id"), ("email_id", .integer, "id"),
            ("email_created_at", .milliseconds, "created_at")]),
        StoreCopyTable("email_units", keys: ["eu.email_id", "eu.unit_id"],
                       from: "FROM email_units eu LEFT JOIN emails e ON e.id = eu.email_id", [
            ("account_id", .integer, "e.account_id"), ("email_id", .integer, "eu.email_id"),
            ("email_created_at", .milliseconds, "e.created_at"), ("unit_id", .integer, "eu.unit_id")]),
        StoreCopyTable("events", keys: ["ev.id"], from: "FROM events ev LEFT JOIN emails e ON e.id = ev.email_id", [
            ("account_id", .integer, "e.account_id"), ("email_created_at", .milliseconds, "e.created_at"),
            ("email_id", .integer, "ev.email_id"), ("id", .integer, "ev.id"), ("key_hash", .integer, "ev.key_hash"),
            ("event_key", .text, "ev.event_key"), ("provider_event_id", .text, "ev.provider_event_id"),
            ("kind", .text, "ev.kind"), ("occurred_at", .microseconds, "ev.occurred_at"), ("severity", .text, "ev.severity"),
            ("reason", .text, "ev.reason"), ("code", .integer, "ev.code"), ("enhanced_code", .text, "ev.enhanced_code"),
            ("message", .text, "ev.message"), ("description", .text, "ev.description"), ("mx_host", .text, "ev.mx_host"),
            ("attempt_no", .integer, "ev.attempt_no"), ("retry_seconds", .integer, "ev.retry_seconds"),
            ("reject_reason", .text, "ev.reject_reason"), ("url", .text, "ev.url"),
            ("delayed_bounce", .flag, "ev.delayed_bounce <> 0"), ("raw_json", .bytes, "ev.raw_json")]),
        rollups("rollups", period: "day"),
        rollups("rollups_monthly", period: "month"),
        rollups("rollups_yearly", period: "year"),
        StoreCopyTable("webhook_tokens", keys: ["token"], from: "FROM webhook_tokens", [
            ("token", .text, "token"), ("body_sha256", .text, "body_sha256"), ("received_at", .milliseconds, "received_at")]),
        StoreCopyTable("account_suppressions", keys: ["s.account_id", "s.address"],
                       from: "FROM account_suppressions s LEFT JOIN emails e ON e.id = s.email_id", [
            ("account_id", .integer, "s.account_id"), ("address", .text, "s.address"), ("kind", .text, "s.kind"),
            ("created_at", .milliseconds, "s.created_at"), ("reason", .text, "s.reason"), ("email_id", .integer, "s.email_id"),
            ("email_created_at", .milliseconds, "e.created_at"), ("lifted_at", .milliseconds, "s.lifted_at"),
            ("lifted_by", .integer, "s.lifted_by"), ("lift_reason", .text, "s.lift_reason"),
            ("requested_at", .milliseconds, "s.requested_at"), ("requested_by", .integer, "s.requested_by"),
            ("request_note", .text, "s.request_note")]),
        StoreCopyTable("suppression_history", keys: ["id"], from: "FROM suppression_history", [
            ("account_id", .integer, "account_id"), ("id", .integer, "id"), ("address", .text, "address"),
            ("at", .milliseconds, "at"), ("action", .text, "action"), ("user_id", .integer, "user_id"),
            ("user_name", .text, "user_name"), ("note", .text, "note")]),
        StoreCopyTable("notification_preferences", keys: ["user_id"], from: "FROM notification_preferences", [
            ("user_id", .integer, "user_id"), ("statuses", .text, "statuses"), ("scope", .text, "scope"),
            ("delivery", .text, "delivery"), ("digest_hour", .integer, "digest_hour")]),
        StoreCopyTable("notifications", keys: ["n.id"],
                       from: "FROM notifications n LEFT JOIN emails e ON e.id = n.email_id LEFT JOIN emails ne ON ne.id = n.notice_email_id", [
            ("account_id", .integer, "n.account_id"), ("id", .integer, "n.id"), ("user_id", .integer, "n.user_id"),
            ("email_id", .integer, "n.email_id"), ("email_created_at", .milliseconds, "e.created_at"),
            ("status", .integer, "n.status"), ("raised_at", .milliseconds, "n.raised_at"), ("read_at", .milliseconds, "n.read_at"),
            ("delivery", .text, "n.delivery"), ("notice_email_id", .integer, "n.notice_email_id"),
            ("notice_email_created_at", .milliseconds, "ne.created_at"), ("digest_day", .integer, "n.digest_day")]),
        StoreCopyTable("notification_digests", keys: ["d.account_id", "d.user_id", "d.day"],
                       from: "FROM notification_digests d LEFT JOIN emails e ON e.id = d.email_id", [
            ("account_id", .integer, "d.account_id"), ("user_id", .integer, "d.user_id"), ("day", .integer, "d.day"),
            ("email_id", .integer, "d.email_id"), ("email_created_at", .milliseconds, "e.created_at"),
            ("notifications", .integer, "d.notifications"), ("sent_at", .milliseconds, "d.sent_at")]),
        StoreCopyTable("email_resends", keys: ["r.resend_id"],
                       from: "FROM email_resends r LEFT JOIN emails re ON re.id = r.resend_id LEFT JOIN emails o ON o.id = r.original_id", [
            ("account_id", .integer, "r.account_id"), ("resend_id", .integer, "r.resend_id"),
            ("resend_created_at", .milliseconds, "re.created_at"), ("original_id", .integer, "r.original_id"),
            ("original_created_at", .milliseconds, "o.created_at"), ("at", .milliseconds, "r.at"),
            ("user_id", .integer, "r.user_id"), ("user_name", .text, "r.user_name"), ("original_to", .text, "r.original_to"),
            ("to_address", .text, "r.to_address"), ("contacts_updated", .integer, "r.contacts_updated")]),
        StoreCopyTable("contact_changes", keys: ["c.id"], from: "FROM contact_changes c LEFT JOIN emails e ON e.id = c.resend_id", [
            ("account_id", .integer, "c.account_id"), ("id", .integer, "c.id"), ("contact_id", .integer, "c.contact_id"),
            ("at", .milliseconds, "c.at"), ("old_email", .text, "c.old_email"), ("new_email", .text, "c.new_email"),
            ("user_id", .integer, "c.user_id"), ("user_name", .text, "c.user_name"), ("resend_id", .integer, "c.resend_id"),
            ("resend_created_at", .milliseconds, "e.created_at")]),
    ]

    private static func rollups(_ table: String, period: String) -> StoreCopyTable {
        StoreCopyTable(table, keys: ["account_id", period, "raised_by_id", "status"], from: "FROM \(table)", [
            ("account_id", .integer, "account_id"), (period, .integer, period), ("raised_by_id", .integer, "raised_by_id"),
            ("status", .integer, "status"), ("count", .integer, "count")])
    }

    /// The zone the store's roll-up days were counted in (the destination's must be the same).
    public func timeZoneIdentifier() throws -> String {
        try store.rollupTimeZoneIdentifier() ?? store.timeZone.identifier
    }

    /// Identifies the store: a hash of its time zone, its accounts, its users' logins and its
    /// first email, none of which change as the store grows. A copy records it in its
    /// destination and continues only a copy from the same store.
    public func fingerprint() throws -> String {
        var text = "zone=\(try timeZoneIdentifier())\n"
        try store.read { db in
            for row in try Row.fetchAll(db, sql: "SELECT id, name FROM accounts ORDER BY id") {
                text += "account=\(row[0] as Int64):\(row[1] as String)\n"
            }
            for login in try String.fetchAll(db, sql: "SELECT login FROM users ORDER BY id LIMIT 100") {
                text += "user=\(login)\n"
            }
            if let first = try Row.fetchOne(db, sql: "SELECT id, account_id, created_at, to_address, subject FROM emails ORDER BY id LIMIT 1") {
                text += "email=\(first[0] as Int64):\(first[1] as Int64):\(first[2] as Int64):\(first[3] as String):\(first[4] as String)\n"
            }
        }
        return String(UInt64(bitPattern: EventKeyHash.of(text)), radix: 16)
    }

    /// How many rows `table` should hold once copied.
    public func sourceRowCount(_ table: StoreCopyTable) throws -> Int {
        try store.read { db in try Int.fetchOne(db, sql: table.countSQL) ?? 0 }
    }

    /// The rows of every table, as ``sourceRowCount(_:)`` counts them.
    public func totalRows() throws -> Int {
        try Self.tables.reduce(0) { $0 + (try sourceRowCount($1)) }
    }

    /// Up to `limit` rows of `table` after `key` (from the first when nil), in copy order.
    /// Email bodies come as their text; raw events as their stored bytes.
    /// - Throws: ``StoreError/corrupt(path:underlying:)`` for a body that does not decode.
    public func chunk(of table: StoreCopyTable, after key: [StoreCopyValue]?, limit: Int) throws -> [StoreCopyRow] {
        var arguments: [DatabaseValueConvertible?] = []
        if let key {
            guard key.count == table.keys.count else {
                throw StoreError.invalidValue("a copy position of \(key.count) values for \(table.name), which is ordered by \(table.keys.count)")
            }
            arguments += key.map(Self.databaseValue)
        }
        arguments.append(limit)
        let sql = table.chunkSQL(after: key != nil)
        let width = table.keys.count
        return try store.read { db in
            try store.readingCompactText {
                try Row.fetchAll(db, sql: sql, arguments: StatementArguments(arguments)).map { row in
                    let values = Array(row.databaseValues)
                    var converted: [StoreCopyValue] = []
                    converted.reserveCapacity(table.columns.count)
                    for (index, column) in table.columns.enumerated() {
                        converted.append(try Self.value(values[width + index], as: column))
                    }
                    return StoreCopyRow(key: values[..<width].map { Self.value($0) }, values: converted)
                }
            }
        }
    }

    /// Emails per status code.
    public func emailsByStatus() throws -> [Int: Int] {
        try grouped("SELECT status, count(*) FROM emails GROUP BY status")
    }

    /// The sum of the roll-up counts of `table` (`rollups`, `rollups_monthly`, `rollups_yearly`) per status code.
    public func rollupTotalsByStatus(_ table: String) throws -> [Int: Int] {
        guard ["rollups", "rollups_monthly", "rollups_yearly"].contains(table) else { return [:] }
        return try grouped("SELECT status, sum(count) FROM \(table) GROUP BY status")
    }

    /// Distinct (account, recipient address) pairs of the emails: the rows of the destination's
    /// per-account `recipients` that count at least one email.
    public func recipientPairs() throws -> Int {
        try store.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM (SELECT DISTINCT account_id, to_address FROM emails)") ?? 0
        }
    }

    private func grouped(_ sql: String) throws -> [Int: Int] {
        try store.read { db in
            var totals: [Int: Int] = [:]
            for row in try Row.fetchAll(db, sql: sql) { totals[row[0] as Int] = row[1] as Int }
            return totals
        }
    }

    static func databaseValue(_ value: StoreCopyValue) -> DatabaseValue {
        switch value {
        case .null: return .null
        case .integer(let number): return number.databaseValue
        case .real(let number): return number.databaseValue
        case .text(let text): return text.databaseValue
        case .bytes(let bytes): return Data(bytes).databaseValue
        }
    }

    static func value(_ stored: DatabaseValue) -> StoreCopyValue {
        switch stored.storage {
        case .null: return .null
        case .int64(let number): return .integer(number)
        case .double(let number): return .real(number)
        case .string(let text): return .text(text)
        case .blob(let data): return .bytes(Array(data))
        }
    }

    /// A stored value as the column's kind expects it: an email body as its text (a compressed
    /// BLOB inflated), raw event JSON as bytes whether stored as TEXT or compact BLOB.
    static func value(_ stored: DatabaseValue, as column: StoreCopyColumn) throws -> StoreCopyValue {
        switch (column.kind, stored.storage) {
        case (.text, .blob):
            return .text(try StoredBody.text(stored))
        case (.bytes, .string(let text)):
            return .bytes(Array(text.utf8))
        default:
            return value(stored)
        }
    }
}
