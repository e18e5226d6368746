import Foundation
import GRDB
import Testing
@testable import AuditStore

/// The ingest insert is bound by position: its column list, its placeholders and the columns
/// it binds must agree, or an event would be stored in the wrong columns.
@Suite("Event insert")
struct EventInsertTests {
    /// The names between `INSERT INTO events (` and `)`.
    static func listedColumns(_ sql: String) throws -> [String] {
        let afterTable = try #require(sql.range(of: "INSERT INTO events (")).upperBound
        let close = try #require(sql[afterTable...].firstIndex(of: ")"))
        return sql[afterTable..<close].split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// The `?` placeholders between `VALUES (` and its `)`.
    static func placeholderCount(_ sql: String) throws -> Int {
        let afterValues = try #require(sql.range(of: "VALUES (")).upperBound
        let close = try #require(sql[afterValues...].firstIndex(of: ")"))
        return sql[afterValues..<close].filter { $0 == "?" }.count
    }

    @Test func everyListedColumnHasItsPlaceholder() throws {
        let columns = try Self.listedColumns(EventInsert.sql)
        let placeholders = try Self.placeholderCount(EventInsert.sql)
        #expect(placeholders == columns.count, "\(columns.count) columns listed, \(placeholders) placeholders")
        #expect(columns == EventInsert.columns)
        #expect(columns.first == "email_id" && EventInsert.emailIDPosition == 1)
        #expect(columns.last == "raw_json" && Int(EventInsert.rawJSONPosition) == columns.count)
        #expect(columns[Int(EventInsert.keyHashPosition) - 1] == "key_hash")
        for column in EventRecord.Columns.allCases {
            #expect(columns[Int(EventInsert.position(column)) - 1] == column.sql, "\(column) is bound to another column's placeholder")
        }
    }

    @Test func theCheckSeesAColumnWithoutItsPlaceholder() throws {
        let widened = EventInsert.sql.replacingOccurrences(of: "raw_json)", with: "raw_json, extra)")
        #expect(try Self.listedColumns(widened).count != Self.placeholderCount(widened))
    }

    @Test func everyInsertedColumnIsInTheEventsTable() throws {
        let folder = TempFolder()
        let store = try AuditDatabase(path: folder.path("audit.sqlite"), timeZone: london)
        let tableColumns = try store.read { db in try db.columns(in: "events").map(\.name) }
        for column in EventInsert.columns {
            #expect(tableColumns.contains(column), "events has no column \(column)")
        }
    }
}
