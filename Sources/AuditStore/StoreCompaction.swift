import Foundation
import GRDB

/// What ``AuditDatabase/compact(stepPages:progress:)`` did.
public struct CompactionReport: Sendable, Equatable {
    /// The main file's and its write-ahead log's bytes before.
    public var bytesBefore: Int64
    /// The same after (the log is emptied when no reader holds an old snapshot).
    public var bytesAfter: Int64
    /// Whether the one-off full VACUUM ran to switch the store to incremental vacuum.
    public var rebuilt: Bool
    /// Free pages returned to the disk by the incremental steps.
    public var pagesReleased: Int
    /// The search indexes that were in more than one segment and were merged into one.
    public var searchIndexesMerged: [SearchIndex]
    /// Whether the write-ahead log could be emptied (false while a reader, such as an open
    /// screen, still reads an older snapshot: it shrinks at that reader's next checkpoint).
    public var logEmptied: Bool
}

/// A step of ``AuditDatabase/compact(stepPages:progress:)``, for a progress line.
public enum CompactionProgress: Sendable, Equatable {
    /// The one-off full VACUUM has started (it holds the write lock until it ends).
    case rebuilding
    /// A search index is being merged into one segment: `done` of about `total` pages written.
    case merging(SearchIndex, done: Int, total: Int)
    /// Incremental steps: `done` of `total` free pages released.
    case releasing(done: Int, total: Int)
}

/// `email-audit compact`: returns free pages to the disk without stopping the screen or `serve`.
///
/// The store runs in WAL mode, so a reader (the screen) keeps its snapshot while a writer
/// works, and writers take turns. New stores are created with `auto_vacuum = INCREMENTAL`;
/// a store made before that is switched by one full `VACUUM` (the only step that holds the
/// write lock for long: other writers wait through their busy timeout, readers carry on).
/// Then the search indexes, which gather FTS5 segments as emails are recorded one at a time,
/// are merged back into one segment each in short write transactions (their old pages become
/// free pages). Free pages go back to the disk by `PRAGMA incremental_vacuum` in short write transactions of
/// `stepPages` pages, between which `serve`'s intake and webhooks write as usual. Every step
/// is one SQLite transaction: an interruption (kill -9, power cut) loses no data, only the
/// steps not yet done. Ends with fresh planner statistics and a `TRUNCATE` checkpoint.
extension AuditDatabase {
    /// The store's `auto_vacuum` mode (0 none, 1 full, 2 incremental).
    public func autoVacuumMode() throws -> Int {
        try read { db in try Int.fetchOne(db, sql: "PRAGMA auto_vacuum") ?? 0 }
    }

    /// The main file's and its `-wal` file's bytes on disk.
    public func fileBytesOnDisk() -> Int64 {
        [path, path + "-wal"].reduce(0) { total, file in
            total + ((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)?.int64Value ?? 0)
        }
    }

    /// Compacts the store (see the extension's note). `progress` is called after each step.
    /// - Throws: ``StoreError/busy(path:)`` when another process held the write lock past the
    ///   busy timeout (nothing was changed by the step that could not start).
    public func compact(stepPages: Int = 2048, progress: (CompactionProgress) -> Void = { _ in }) throws -> CompactionReport {
        precondition(stepPages > 0)
        let before = fileBytesOnDisk()
        var rebuilt = false
        if try autoVacuumMode() != 2 {
            progress(.rebuilding)
            // VACUUM cannot run in a transaction: on the writer connection, outside one.
            try writeOutsideTransaction { db in
                try db.execute(sql: "PRAGMA auto_vacuum = INCREMENTAL")
                try db.execute(sql: "VACUUM")
            }
            rebuilt = true
        }
        var merged: [SearchIndex] = []
        for index in SearchIndex.allCases {
            let steps = try mergeSearchIndex(index) { done, total in progress(.merging(index, done: done, total: total)) }
            if steps > 0 { merged.append(index) }
        }
        let released = try releaseFreePages(stepPages: stepPages, progress: progress)
        try updateStatistics()
        let emptied = try writeOutsideTransaction { db -> Bool in
            let row = try Row.fetchOne(db, sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            return (row?[0] as Int? ?? 1) == 0
        }
        return CompactionReport(bytesBefore: before, bytesAfter: fileBytesOnDisk(), rebuilt: rebuilt,
                                pagesReleased: released, searchIndexesMerged: merged, logEmptied: emptied)
    }

    /// The incremental steps of ``compact(stepPages:progress:)`` alone (no VACUUM, statistics or
    /// checkpoint): each a short write transaction. Returns the pages released; releases none
    /// unless the store is in incremental-vacuum mode.
    @discardableResult
    public func releaseFreePages(stepPages: Int = 2048, progress: (CompactionProgress) -> Void = { _ in }) throws -> Int {
        let total = try read { db in try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0 }
        var released = 0
        progress(.releasing(done: 0, total: total))
        while released < total {
            let freed = try write { db -> Int in
                let free = try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
                guard free > 0 else { return 0 }
                try db.execute(sql: "PRAGMA incremental_vacuum(\(stepPages))")
                return free - (try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0)
            }
            if freed <= 0 { break }
            released += freed
            progress(.releasing(done: min(released, total), total: total))
        }
        return released
    }

    /// Runs `body` on the writer connection outside a transaction, mapping errors to ``StoreError``.
    func writeOutsideTransaction<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try Self.retryingWhileBusy { try pool.writeWithoutTransaction(body) }
        } catch {
            throw StoreError.wrap(error, path: path)
        }
    }
}
