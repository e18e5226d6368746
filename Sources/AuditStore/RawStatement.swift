import Foundation
import GRDB
#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

private let transientDestructor = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

/// Direct binding, stepping and column reads on a GRDB cached statement, for the ingest hot
/// path where building `StatementArguments` and `Row` values per event costs more than the
/// SQL itself. The statement stays owned (and cached) by GRDB; it is always reset after use.
///
/// Used on the queue of the GRDB connection that owns the statement: the ingest's writer, and
/// the Subject search's id lists (``SubjectWalk``) on a reader.
struct RawStatement {
    let statement: Statement
    var handle: SQLiteStatement { statement.sqliteStatement }

    /// Prepares (or reuses) a cached statement on `db`.
    init(_ db: Database, sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
    }

    /// Resets the statement so it can be bound again (bindings are all overwritten by callers).
    func reset() {
        sqlite3_reset(handle)
    }

    func bind(_ index: Int32, _ value: Int64?) {
        if let value { sqlite3_bind_int64(handle, index, value) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: Int?) {
        if let value { sqlite3_bind_int64(handle, index, Int64(value)) } else { sqlite3_bind_null(handle, index) }
    }

    func bind(_ index: Int32, _ value: String?) {
        guard var value else {
            sqlite3_bind_null(handle, index)
            return
        }
        value.withUTF8 { buffer in
            guard let base = buffer.baseAddress, buffer.count > 0 else {
                sqlite3_bind_text(handle, index, "", 0, transientDestructor)
                return
            }
            base.withMemoryRebound(to: CChar.self, capacity: buffer.count) { chars in
                _ = sqlite3_bind_text(handle, index, chars, Int32(buffer.count), transientDestructor)
            }
        }
    }

    /// Binds `bytes` as a BLOB (copied by SQLite).
    func bind(_ index: Int32, blob bytes: UnsafeRawBufferPointer) {
        sqlite3_bind_blob(handle, index, bytes.baseAddress, Int32(bytes.count), transientDestructor)
    }

    /// Steps once: true when a row is available, false when done.
    func step() throws -> Bool {
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let message = String(cString: sqlite3_errmsg(sqlite3_db_handle(handle)))
            sqlite3_reset(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
    }

    /// Runs a statement that returns no rows, then resets it.
    func run() throws {
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    func isNull(_ column: Int32) -> Bool {
        sqlite3_column_type(handle, column) == SQLITE_NULL
    }

    func int64(_ column: Int32) -> Int64 {
        sqlite3_column_int64(handle, column)
    }

    func optionalInt64(_ column: Int32) -> Int64? {
        isNull(column) ? nil : sqlite3_column_int64(handle, column)
    }

    func optionalInt(_ column: Int32) -> Int? {
        isNull(column) ? nil : Int(sqlite3_column_int64(handle, column))
    }

    func string(_ column: Int32) -> String {
        guard let text = sqlite3_column_text(handle, column) else { return "" }
        let count = Int(sqlite3_column_bytes(handle, column))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }

    func optionalString(_ column: Int32) -> String? {
        isNull(column) ? nil : string(column)
    }
}
