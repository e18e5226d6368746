import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Decides, without changing a byte, whether an existing file may be opened as an
/// email-audit database.
///
/// The header is read with plain file I/O; then a read-only SQLite connection reads the
/// `application_id`, the schema version and the list of tables. Only after this check has
/// passed does the store open the file for writing (which enables WAL and runs migrations).
enum DatabaseFileCheck {
    enum Verdict: Equatable {
        /// No file, an empty file, or an empty SQLite database: initialise it.
        case fresh
        /// An email-audit database at a schema version this code knows.
        case ours(version: Int)
    }

    static let sqliteMagic = Array("SQLite format 3\u{0}".utf8)

    /// Refuses anything but a regular file (following symbolic links) or, unless `mustExist`,
    /// a path where nothing exists yet: a FIFO would hang the open, `/dev/null` would make SQLite
    /// create `/dev/null-journal`, a directory or device is never a store.
    static func requireRegularFileOrNew(path: String, mustExist: Bool) throws {
        var info = stat()
        if stat(path, &info) != 0 {
            let code = errno
            if code == ENOENT {
                var link = stat()
                if lstat(path, &link) == 0 {
                    // A dangling symbolic link; or the file was created meanwhile (check it again).
                    if (link.st_mode & S_IFMT) == S_IFLNK { throw StoreError.notARegularFile(path: path) }
                    return try requireRegularFileOrNew(path: path, mustExist: mustExist)
                }
                if mustExist { throw StoreError.notFound(path: path) }
                return
            }
            if code == EACCES || code == EPERM { throw StoreError.permissionDenied(path: path) }
            if code == ENOTDIR { throw StoreError.notARegularFile(path: path) }
            throw StoreError.database(path: path, underlying: String(cString: strerror(code)))
        }
        if (info.st_mode & S_IFMT) == S_IFDIR { throw StoreError.notAnAuditDatabase(path: path) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw StoreError.notARegularFile(path: path) }
    }

    /// Inspects the file at `path`; SQLite opens it as `sqlitePath` (the path, or an immutable URI).
    static func inspect(path: String, sqlitePath: String? = nil) throws -> Verdict {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { return .fresh }
        if isDirectory.boolValue { throw StoreError.notAnAuditDatabase(path: path) }

        let header = try readHeader(path: path)
        if header.isEmpty { return .fresh }
        guard header.count >= 100, Array(header.prefix(16)) == sqliteMagic else {
            throw StoreError.notAnAuditDatabase(path: path)
        }

        var configuration = Configuration()
        configuration.readonly = true
        configuration.label = "email-audit file check"
        configuration.busyMode = .timeout(10)
        do {
            return try AuditDatabase.retryingWhileBusy { () throws -> Verdict in
                let queue = try DatabaseQueue(path: sqlitePath ?? path, configuration: configuration)
                defer { try? queue.close() }
                return try queue.read { db in
                    let appID = try Int32.fetchOne(db, sql: "PRAGMA application_id") ?? 0
                    let version = try Int.fetchOne(db, sql: "PRAGMA user_version") ?? 0
                    let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type IN ('table', 'view', 'index', 'trigger')")
                    if appID == 0 && tables.isEmpty { return .fresh }
                    guard appID == Schema.applicationID else { throw StoreError.notAnAuditDatabase(path: path) }
                    if version > Schema.version {
                        throw StoreError.newerSchema(path: path, found: version, supported: Schema.version)
                    }
                    if tables.contains("grdb_migrations") {
                        let applied = try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations")
                        let known = Set(Schema.migrationIdentifiers)
                        if applied.contains(where: { !known.contains($0) }) {
                            throw StoreError.newerSchema(path: path, found: max(version, Schema.version + 1), supported: Schema.version)
                        }
                    }
                    return .ours(version: version)
                }
            }
        } catch let error as StoreError {
            throw error
        } catch let error as DatabaseError {
            switch error.resultCode {
            case .SQLITE_NOTADB, .SQLITE_CORRUPT, .SQLITE_FORMAT:
                throw StoreError.corrupt(path: path, underlying: TextSanitiser.oneLine(error.message ?? "\(error.resultCode)"))
            default:
                throw StoreError.wrap(error, path: path)
            }
        }
    }

    /// Up to the first 100 bytes of the file.
    private static func readHeader(path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
        if fd < 0 {
            let code = errno
            if code == EACCES || code == EPERM { throw StoreError.permissionDenied(path: path) }
            throw StoreError.database(path: path, underlying: String(cString: strerror(code)))
        }
        defer { close(fd) }
        var buffer = [UInt8](repeating: 0, count: 100)
        var total = 0
        while total < 100 {
            let n = buffer.withUnsafeMutableBytes { raw in
                read(fd, raw.baseAddress! + total, 100 - total)
            }
            if n < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EISDIR { throw StoreError.notAnAuditDatabase(path: path) }
                throw StoreError.database(path: path, underlying: String(cString: strerror(code)))
            }
            if n == 0 { break }
            total += n
        }
        return Array(buffer.prefix(total))
    }
}
