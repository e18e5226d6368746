import AuditCore
import Demo
import Foundation
import GRDB
import Testing
@testable import AuditStore

/// Issue 9, store half: time zones, opening, creation and damage.
@Suite("Store hardening")
struct StoreHardeningTests {
    static let auckland = TimeZone(identifier: "Pacific/Auckland")!

    /// Everything stored, as text (independent of WAL checkpoints).
    static func dump(_ path: String, tables: [String] = ["meta", "rollups", "rollups_monthly", "emails"]) throws -> String {
        var configuration = Configuration()
        configuration.readonly = true
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        defer { try? queue.close() }
        return try queue.read { db in
            try tables.map { table in
                try Row.fetchAll(db, sql: "SELECT * FROM \(table) ORDER BY 1, 2").map(\.description).joined(separator: "\n")
            }.joined(separator: "\n--\n")
        }
    }

    // MARK: Defect 6: another --time-zone never rewrites the store

    @Test func aProcessInAnotherZoneNeverRewritesRollupsAndCountsItsOwnDays() throws {
        let f = try Fixture(timeZone: london)
        // Emails around London and Auckland midnights.
        let instants = [utcDate(2026, 11, 19, 10, 30), utcDate(2026, 11, 19, 11, 30), utcDate(2026, 11, 19, 23, 30),
                        utcDate(2026, 11, 20, 0, 30), utcDate(2026, 11, 20, 9)]
        _ = try f.store.record(instants.map { f.newEmail(by: f.alice, to: "t@example.net", at: $0) })
        let before = try Self.dump(f.path)

        let reader = try AuditDatabase(path: f.path, timeZone: Self.auckland, access: .readOnly)
        let writer = try AuditDatabase(path: f.path, timeZone: Self.auckland)
        #expect(try Self.dump(f.path) == before, "opening in another zone changed the store")
        #expect(try writer.rollupTimeZoneIdentifier() == "Europe/London")

        // Counts follow each process's own days.
        let now = utcDate(2026, 11, 20, 9, 30)   // 22:30 in Auckland on the 20th, 09:30 in London
        let today = EmailFilter(dateRange: .today)
        #expect(try reader.statusCounts(matching: today, now: now).total == 4)     // from 11:00 UTC on the 19th
        #expect(try f.store.statusCounts(matching: today, now: now).total == 2)    // from 00:00 UTC on the 20th
        #expect(try reader.statusCounts(matching: EmailFilter(dateRange: .yesterday), now: now).total == 1)

        // A writer in another zone adds counts by the store's days, so the roll-ups stay exact.
        _ = try writer.record([f.newEmail(by: f.bob, to: "u@example.net", at: utcDate(2026, 11, 20, 11, 30))])
        #expect(try writer.rollupMismatches() == 0)
        #expect(try f.store.statusCounts(matching: today, now: utcDate(2026, 11, 20, 12)).total == 3)
        #expect(try writer.rollupTimeZoneIdentifier() == "Europe/London")
    }

    @Test func theZoneChangesOnlyUnderTheWriteLockWhileAnotherProcessRecords() throws {
        let f = try Fixture(timeZone: london)
        let changer = try AuditDatabase(path: f.path, timeZone: Self.auckland)
        let done = DispatchSemaphore(value: 0)
        let failures = Failures()
        DispatchQueue.global().async {
            defer { done.signal() }
            for index in 0..<40 {
                do {
                    _ = try changer.changeRollupTimeZone(to: index % 2 == 0 ? Self.auckland : london)
                } catch {
                    failures.add("\(error)")
                }
            }
        }
        // Meanwhile a process in London records emails around both zones' midnights.
        for batch in 0..<40 {
            let base = utcDate(2026, 11, 19, 10, 30).addingTimeInterval(Double(batch) * 1_800)
            _ = try f.store.record((0..<25).map { f.newEmail(by: f.bob, to: "b\($0)@example.net", at: base.addingTimeInterval(Double($0) * 60)) })
        }
        done.wait()
        #expect(failures.all.isEmpty, "\(failures.all)")
        #expect(try f.store.rollupMismatches() == 0)
        #expect(try f.store.rollupTimeZoneIdentifier() == "Europe/London")
    }

    final class Failures: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        func add(_ item: String) { lock.lock(); items.append(item); lock.unlock() }
        var all: [String] { lock.lock(); defer { lock.unlock() }; return items }
    }

    @Test func aReadOnlyOpenChangesNoByteAndCannotWrite() throws {
        let f = try Fixture()
        _ = try f.store.record([f.newEmail(by: f.alice, to: "t@example.net", at: utcDate(2026, 11, 19))])
        try f.store.close()
        let bytes = try Data(contentsOf: URL(fileURLWithPath: f.path))
        let reader = try AuditDatabase(path: f.path, timeZone: Self.auckland, access: .readOnly)
        #expect(try reader.emailCount() == 1)
        #expect(try reader.statusCounts(matching: EmailFilter(dateRange: .all), now: Date()).total == 1)
        #expect(throws: StoreError.self) {
            _ = try reader.record([f.newEmail(by: f.alice, to: "x@example.net", at: utcDate(2026, 11, 19))])
        }
        try reader.close()
        #expect(try Data(contentsOf: URL(fileURLWithPath: f.path)) == bytes)
        #expect(throws: StoreError.notFound(path: f.folder.path("missing.sqlite"))) {
            _ = try AuditDatabase(path: f.folder.path("missing.sqlite"), timeZone: london, access: .readOnly)
        }
        #expect(!FileManager.default.fileExists(atPath: f.folder.path("missing.sqlite")))
    }

    // MARK: Defect 8: creation, special files, damage

    @Test func manyOpenersCreatingOneNewStoreAtOnceAllSucceed() async throws {
        for round in 0..<5 {
            let folder = TempFolder()
            let path = folder.path("race-\(round).sqlite")
            let results = await withTaskGroup(of: String?.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        do {
                            let store = try AuditDatabase(path: path, timeZone: london)
                            _ = try store.insertAccount(name: "A")
                            try store.close()
                            return nil
                        } catch {
                            return "\(error)"
                        }
                    }
                }
                var errors: [String?] = []
                for await result in group { errors.append(result) }
                return errors
            }
            #expect(results.compactMap { $0 }.isEmpty, "round \(round): \(results.compactMap { $0 })")
            let store = try AuditDatabase(path: path, timeZone: london)
            #expect(try store.accounts().count == 6)
            #expect(try store.integrityProblems(full: true).isEmpty)
        }
    }

    @Test(.timeLimit(.minutes(1)))
    func specialFilesAreRefusedWithoutBeingOpened() throws {
        let folder = TempFolder()
        let fifo = folder.path("pipe.sqlite")
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: StoreError.notARegularFile(path: fifo)) { _ = try AuditDatabase(path: fifo, timeZone: london) }
        #expect(throws: StoreError.notARegularFile(path: fifo)) {
            _ = try AuditDatabase(path: fifo, timeZone: london, access: .readOnly)
        }
        #expect(throws: StoreError.notARegularFile(path: "/dev/null")) { _ = try AuditDatabase(path: "/dev/null", timeZone: london) }
        #expect(!FileManager.default.fileExists(atPath: "/dev/null-journal"))
        #expect(!FileManager.default.fileExists(atPath: "/dev/null-wal"))
        let dangling = folder.path("dangling.sqlite")
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: folder.path("nowhere/x"))
        #expect(throws: StoreError.notARegularFile(path: dangling)) { _ = try AuditDatabase(path: dangling, timeZone: london) }
    }

    @Test func quickCheckFindsOverwrittenPages() throws {
        let f = try Fixture()
        var emails: [NewEmail] = []
        for index in 0..<3_000 {
            emails.append(f.newEmail(by: f.alice, to: "r\(index)@example.net", at: utcDate(2026, 11, 1).addingTimeInterval(Double(index) * 60),
                                     subject: String(repeating: "Subject \(index) ", count: 8)))
        }
        _ = try f.store.record(emails)
        #expect(try f.store.integrityProblems().isEmpty)
        #expect(try f.store.rollupMismatches() == 0)
        try f.store.pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
        try f.store.close()

        // Overwrite pages in the middle of the file with seeded noise.
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: f.path))
        let size = try handle.seekToEnd()
        var random = SeededRandom(seed: 9)
        for page in stride(from: UInt64(8192 * 3), to: size - 8192, by: 8192 * 5) {
            try handle.seek(toOffset: page + 100)
            try handle.write(contentsOf: Data((0..<4_000).map { _ in UInt8.random(in: 0...255, using: &random) }))
        }
        try handle.close()

        let damaged: [String]
        do {
            let store = try AuditDatabase(path: f.path, timeZone: london, access: .readOnly)
            damaged = try store.integrityProblems()
        } catch let error as StoreError {
            if case .corrupt = error { damaged = ["\(error)"] } else { throw error }
        }
        #expect(!damaged.isEmpty)
    }

    @Test func journalErrorsNameTheWALFiles() throws {
        let folder = TempFolder()
        let path = folder.path("gone.sqlite")
        let error = StoreError.wrap(DatabaseError(resultCode: .SQLITE_IOERR, message: "disk I/O error"), path: path)
        #expect("\(error)".contains("gone.sqlite-wal"))
        #expect("\(error)".contains("deleted"))
    }
}
