import AuditCore
import Foundation
import GRDB
import Testing
@testable import AuditStore

/// `compact`: free pages go back to the disk and every row stays.
@Suite("Compaction")
struct CompactionTests {
    static func rows(_ store: AuditDatabase) throws -> [String] {
        try store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT id || ':' || status || ':' || to_address || ':' || created_at FROM emails ORDER BY id")
                + String.fetchAll(db, sql: "SELECT id || ':' || email_id || ':' || event_key FROM events ORDER BY id")
        }
    }

    /// Writes then drops a scratch table: free pages inside the file, the rows unchanged.
    static func makeFreePages(_ store: AuditDatabase) throws -> Int {
        try store.pool.write { db in
            try db.execute(sql: "CREATE TABLE scratch(x)")
            for _ in 0..<400 { try db.execute(sql: "INSERT INTO scratch VALUES (randomblob(7000))") }
            try db.execute(sql: "DROP TABLE scratch")
            return try Int.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
        }
    }

    @Test func aNewStoreVacuumsIncrementallyAndCompactReleasesFreePages() throws {
        let data = try PagingData(count: 200)
        let store = data.store
        #expect(try store.autoVacuumMode() == 2)
        let before = try Self.rows(store)
        #expect(try Self.makeFreePages(store) > 300)
        let sizeBefore = store.fileBytesOnDisk()
        var steps: [CompactionProgress] = []
        let report = try store.compact(stepPages: 64) { steps.append($0) }
        #expect(!report.rebuilt)
        #expect(report.pagesReleased > 300)
        #expect(steps.count > 3, "progress in steps: \(steps.count)")
        #expect(steps.last == .releasing(done: report.pagesReleased, total: report.pagesReleased))
        #expect(!steps.contains(.rebuilding))
        #expect(try store.pool.read { try Int.fetchOne($0, sql: "PRAGMA freelist_count") } == 0)
        #expect(report.bytesAfter < sizeBefore)
        #expect(try Self.rows(store) == before)
        #expect(try store.integrityProblems(full: true).isEmpty)
    }

    @Test func anOlderStoreIsSwitchedByOneVacuumWhileAReaderHoldsASnapshot() throws {
        let data = try PagingData(count: 150)
        let store = data.store
        try store.writeOutsideTransaction { db in
            try db.execute(sql: "PRAGMA auto_vacuum = NONE")
            try db.execute(sql: "VACUUM")
        }
        #expect(try store.autoVacuumMode() == 0)
        let before = try Self.rows(store)
        _ = try Self.makeFreePages(store)
        // Another process's reader (the screen) in the middle of a read transaction.
        let screen = try DatabaseQueue(path: data.fixture.path, configuration: { var c = Configuration(); c.readonly = true; return c }())
        try screen.inDatabase { db in
            try db.execute(sql: "BEGIN")
            let seen = try Int.fetchOne(db, sql: "SELECT count(*) FROM emails")
            var steps: [CompactionProgress] = []
            let report = try store.compact { steps.append($0) }
            #expect(report.rebuilt && steps.first == .rebuilding)
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM emails") == seen)
            try db.execute(sql: "COMMIT")
        }
        #expect(try store.autoVacuumMode() == 2)
        #expect(try Self.rows(store) == before)
        #expect(try store.integrityProblems(full: true).isEmpty)
        #expect(try store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_stat1") ?? 0 } > 0)
    }
}
