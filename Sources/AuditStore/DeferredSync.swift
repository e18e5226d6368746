import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// Commits whose sync to disk is done afterwards, by ``AuditDatabase/syncWriteAheadLog()``, so a
/// caller can overlap one group's sync with the next group's transaction (the webhook receiver:
/// each group's answers wait for the sync that follows its commit, so an event is still durable
/// before its 200, but the single writer no longer sits idle while the disk flushes).
extension AuditDatabase {
    /// Runs `body` in a write transaction whose commit does not wait for the disk
    /// (`synchronous = NORMAL` for this one transaction, then the writer's level as it was).
    /// The commit is atomic and survives a crash of this process; it survives a power cut only
    /// once ``syncWriteAheadLog()`` has returned after it.
    func writeDeferringSync<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try Self.retryingWhileBusy {
                try pool.writeWithoutTransaction { db in
                    let level = try Int.fetchOne(db, sql: "PRAGMA synchronous") ?? 1
                    if level != 1 { try db.execute(sql: "PRAGMA synchronous = NORMAL") }
                    defer { if level != 1 { try? db.execute(sql: "PRAGMA synchronous = \(level)") } }
                    var result: T?
                    try db.inTransaction(.immediate) {
                        result = try body(db)
                        return .commit
                    }
                    return result!
                }
            }
        } catch {
            throw StoreError.wrap(error, path: path)
        }
    }

    /// Flushes the write-ahead log to the disk (`fdatasync`): every transaction committed before
    /// the call is durable against a power cut when it returns. Safe on any thread, while
    /// the writer commits more (those may or may not be covered). A store with no log file (nothing
    /// written since the last connection closed) has nothing to flush.
    public func syncWriteAheadLog() throws {
        let walPath = path + "-wal"
        let descriptor = open(walPath, O_RDONLY | O_CLOEXEC)
        if descriptor < 0 {
            if errno == ENOENT { return }
            throw StoreError.wrap(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO), path: path)
        }
        defer { _ = Glibc.close(descriptor) }
        if fdatasync(descriptor) != 0 {
            throw StoreError.wrap(POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO), path: path)
        }
    }
}
