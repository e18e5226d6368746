import AuditCore
import Foundation
import GRDB

/// One line of a retention archive: an email with every column of its `emails` row, and its
/// events with every column of their `events` rows.
///
/// Keys are the column names, in sorted order (``AuditCore/JSONWriter``'s convention), with
/// the values as stored: times in milliseconds since 1970 UTC (`created_at`, `handed_over_at`,
/// `last_event_at`; events' `occurred_at` in microseconds), `status` as its code, `cc`,
/// `attachments` and `status_detail` as JSON text (`status_detail` in version 1's object form,
/// ``StorageEncoding/statusDetailObjectJSON(_:)``, whatever form the store keeps it in). Added for a reader:
/// `account_name`, `raised_by_name`, `status_name`, `units` (the unit ids it was recorded against)
/// and `events` (oldest first), each event's `raw_json` being the provider's JSON exactly as it
/// was received, as a JSON string. `body` is the body's text whether it is stored as text or
/// compressed (``StoredBody``).
enum RetentionArchiveLine {
    /// Appends the lines of the emails `ids` (in that order) to `writer`, each ending in "\n".
    static func write(_ db: Database, ids: [Int64], into bytes: inout [UInt8], decompressor: CompactText.Decompressor,
                      path: String) throws {
        let emailStatement = try db.cachedStatement(sql: """
            SELECT e.*, \(Senders.address(of: "e")) AS from_address, a.name AS account_name, s.name AS raised_by_name
            FROM emails e LEFT JOIN accounts a ON a.id = e.account_id LEFT JOIN staff s ON s.id = e.raised_by_id
            WHERE e.id = ?
            """)
        let eventStatement = try db.cachedStatement(sql: "SELECT * FROM events WHERE email_id = ? ORDER BY occurred_at, id")
        let unitStatement = try db.cachedStatement(sql: "SELECT unit_id FROM email_units WHERE email_id = ? ORDER BY unit_id")
        var writer = JSONWriter(capacity: 1 << 16)
        for id in ids {
            guard let email = try Row.fetchOne(emailStatement, arguments: [id]) else { continue }
            writer.reset()
            writer.beginObject()
            var members: [(String, (inout JSONWriter) throws -> Void)] = []
            for (name, value) in email where name != "message_hash" && name != "sender_id" {
                if name == "status_detail", let stored = String.fromDatabaseValue(value),
                   let detail = StorageEncoding.decodeStatusDetail(stored) {
                    // Version 1's object form: the archive's format does not change with the store's.
                    let object = StorageEncoding.statusDetailObjectJSON(detail) ?? stored
                    members.append((name, { $0.writeString(object) }))
                    continue
                }
                members.append((name, { try Self.writeValue(value, column: name, into: &$0, decompressor: decompressor, path: path) }))
            }
            let status: Int? = email["status"]
            members.append(("status_name", { $0.writeString(status.flatMap(EmailStatus.init(code:))?.displayName ?? "") }))
            let units = try Int64.fetchAll(unitStatement, arguments: [id])
            members.append(("units", { writer in
                writer.beginArray()
                for unit in units { writer.element(); writer.writeInt(Int(unit)) }
                writer.endArray()
            }))
            let events = try Row.fetchAll(eventStatement, arguments: [id])
            members.append(("events", { writer in
                writer.beginArray()
                for event in events {
                    writer.element()
                    writer.beginObject()
                    for (name, value) in event.sorted(by: { $0.0 < $1.0 }) where name != "key_hash" {
                        writer.key(name)
                        if name == "event_key", let stored = String.fromDatabaseValue(value) {
                            // The whole key, as the provider's event gave it (schema v11 stores it shorter).
                            writer.writeString(StoredEventKey.key(stored: stored, providerEventID: event["provider_event_id"] ?? "",
                                                                  kind: event["kind"] ?? ""))
                            continue
                        }
                        let tokens = EventJSONTokens(providerEventID: event["provider_event_id"] ?? "", kind: event["kind"] ?? "",
                                                     storedKey: event["event_key"] ?? "",
                                                     occurredAtMicroseconds: event["occurred_at"] ?? 0, mxHost: event["mx_host"])
                        try Self.writeValue(value, column: name, into: &writer, decompressor: decompressor, path: path,
                                            tokens: tokens)
                    }
                    writer.endObject()
                }
                writer.endArray()
            }))
            for (name, write) in members.sorted(by: { $0.0 < $1.0 }) {
                writer.key(name)
                try write(&writer)
            }
            writer.endObject()
            bytes.append(contentsOf: writer.bytes)
            bytes.append(UInt8(ascii: "\n"))
        }
    }

    /// A stored value as JSON: numbers, strings and null as they are; the raw JSON and a
    /// compressed body inflated to their text (``CompactText``); any other BLOB as base64 text.
    private static func writeValue(_ value: DatabaseValue, column: String, into writer: inout JSONWriter,
                                   decompressor: CompactText.Decompressor, path: String,
                                   tokens: EventJSONTokens? = nil) throws {
        switch value.storage {
        case .null: writer.writeRaw("null")
        case .int64(let number): writer.writeInt(Int(number))
        case .double(let number): writer.writeDouble(number)
        case .string(let text): writer.writeString(text)
        case .blob(let data):
            if column == "raw_json" || column == "body" {
                let text: String
                do {
                    text = try data.withUnsafeBytes { try decompressor.decode($0, tokens: tokens) }
                } catch let error as CompactText.DecodingError {
                    throw StoreError.corrupt(path: path, underlying: error.description)
                }
                writer.writeString(text)
            } else {
                writer.writeString(data.base64EncodedString())
            }
        }
    }
}
