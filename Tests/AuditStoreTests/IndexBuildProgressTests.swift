import AuditCore
import Foundation
import GRDB
import Synchronization
import Testing
@testable import AuditStore

/// An index built in one statement reports how far it has got while SQLite reads the table and
/// writes the index.
@Suite("Index builds report their progress")
struct IndexBuildProgressTests {
    static let sql = "CREATE INDEX emails_account_created ON emails(account_id, created_at, id, substr(to_address, 1, 8))"

    /// A table shaped like `emails` for the date index, with `rows` rows.
    static func table(rows: Int) throws -> DatabaseQueue {
        let queue = try DatabaseQueue()
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE emails (id INTEGER PRIMARY KEY, account_id INTEGER, created_at INTEGER, to_address TEXT)")
            try db.execute(sql: """
                WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < \(rows))
                INSERT INTO emails (id, account_id, created_at, to_address)
                SELECT i, 1 + i % 3, (i * 7919) % 100003, 'person' || (i % 977) || '@example.net' FROM n
                """)
        }
        return queue
    }

    @Test func theReportsCountTheRowsReadThenTheEntriesWritten() throws {
        let rows = 20_000
        let queue = try Self.table(rows: rows)
        let loops = try #require(try queue.read { db in try IndexBuildProgress.loops(of: Self.sql, in: db) })
        let reports = Mutex<[UpgradeProgress]>([])
        let checkEvery: Int32 = 1_000
        try queue.write { db in
            try IndexBuildProgress.run(db, sql: Self.sql, rows: rows, step: "Building", checkEvery: checkEvery) { report in
                reports.withLock { $0.append(report) }
            }
            #expect(try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'emails_account_created'") == Self.sql)
            // The index is whole: every row has its entry.
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM emails INDEXED BY emails_account_created WHERE account_id > 0") == rows)
        }
        let all = reports.withLock { $0 }
        let reading = all.filter { $0.step == "Building: reading the emails" }
        let writing = all.filter { $0.step == "Building: writing the index" }
        #expect(reading.count + writing.count == all.count)
        // Reading first, then writing; each counts up to the table's rows.
        #expect(!reading.isEmpty && !writing.isEmpty)
        #expect(all.firstIndex { $0.step.hasSuffix("writing the index") }! == reading.count)
        for phase in [reading, writing] {
            #expect(phase.allSatisfy { $0.total == rows && $0.done >= 0 && $0.done <= rows })
            #expect(zip(phase, phase.dropFirst()).allSatisfy { $0.done < $1.done })
        }
        // A check every 1,000 instructions of loops a few instructions long is a few hundred rows
        // apart: the first reading report is near the start, the last of each loop near its end.
        let readingStep = Int(checkEvery) / loops.reading + 1
        let writingStep = Int(checkEvery) / loops.writing + 1
        #expect(reading.first!.done <= readingStep)
        #expect(reading.last!.done >= rows - readingStep)
        #expect(writing.last!.done >= rows - writingStep)
        // SQLite calls the handler once every `checkEvery` instructions, as the count assumes:
        // one report a call, so each loop gives about its instructions / `checkEvery` reports.
        let readingCalls = rows * loops.reading / Int(checkEvery), writingCalls = rows * loops.writing / Int(checkEvery)
        #expect(abs(reading.count - readingCalls) <= 2, "\(reading.count) reading reports, \(readingCalls) expected")
        #expect(abs(writing.count - writingCalls) <= 2, "\(writing.count) writing reports, \(writingCalls) expected")
    }

    @Test func theDateIndexProgramHasItsTwoLoops() throws {
        let queue = try Self.table(rows: 10)
        let found = try #require(try queue.read { db in try IndexBuildProgress.loops(of: Self.sql, in: db) })
        // Reading a row: its columns, the expression, the record, the sorter; writing: the
        // sorted record, the index insert and the loop's own jumps.
        #expect(found.reading >= 5 && found.reading <= 20, "\(found)")
        #expect(found.writing >= 2 && found.writing <= 8, "\(found)")
        #expect(found.prologue > 0)
    }

    @Test func positionsFollowTheLoops() {
        let loops = IndexBuildProgress.Loops(prologue: 15, reading: 9, writing: 4)
        #expect(IndexBuildProgress.position(afterInstructions: 0, rows: 100, loops: loops) == .reading(rows: 0))
        #expect(IndexBuildProgress.position(afterInstructions: 15 + 9 * 40, rows: 100, loops: loops) == .reading(rows: 40))
        #expect(IndexBuildProgress.position(afterInstructions: 15 + 9 * 99 + 8, rows: 100, loops: loops) == .reading(rows: 99))
        #expect(IndexBuildProgress.position(afterInstructions: 15 + 9 * 100, rows: 100, loops: loops) == .writing(rows: 0))
        #expect(IndexBuildProgress.position(afterInstructions: 15 + 9 * 100 + 4 * 30, rows: 100, loops: loops) == .writing(rows: 30))
        #expect(IndexBuildProgress.position(afterInstructions: 1_000_000, rows: 100, loops: loops) == .writing(rows: 100))
    }

    @Test func aProgramOfAnotherShapeIsRunWithoutReports() throws {
        // No sorter loop: not an index build's program.
        #expect(IndexBuildProgress.loops(explained: [(0, "Init", 3), (1, "Rewind", 4), (2, "Column", 0), (3, "Next", 2), (4, "Halt", 0)]) == nil)
        let queue = try Self.table(rows: 5_000)
        let reports = Mutex<[UpgradeProgress]>([])
        try queue.write { db in
            // A statement that is no index build still runs, and says nothing.
            try IndexBuildProgress.run(db, sql: "UPDATE emails SET created_at = created_at + 1", rows: 5_000, step: "Building",
                                       checkEvery: 100) { report in reports.withLock { $0.append(report) } }
            #expect(try Int.fetchOne(db, sql: "SELECT count(*) FROM emails WHERE created_at = (id * 7919) % 100003 + 1") == 5_000)
        }
        #expect(reports.withLock { $0 }.isEmpty)
    }
}
