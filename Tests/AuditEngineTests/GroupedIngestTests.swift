import AuditCore
import AuditStore
import Demo
import Foundation
import Mailgun
import Testing
@testable import AuditEngine

/// The file ingest on SQLite reads in chunks and stores several chunks in one transaction
/// (``BatchGroupingIngestStore``): the store must end exactly as when each chunk is its own
/// transaction, each transaction must hold the lines it is meant to, and a refused value must
/// roll back the whole transaction, not just its batch.
@Suite("Several chunks in one ingest transaction")
struct GroupedIngestTests {
    static let now = Date(timeIntervalSince1970: 1_795_000_020)

    /// A store with 300 emails raised and handed over, and the events the simulator reported for them.
    static func raised() throws -> (harness: TestStore, lines: [String]) {
        var options = SeedOptions(emails: 300, days: 20, seed: 7, now: now)
        options.extraAgencies = false
        options.batchInterval = 3_600
        let harness = try TestStore()
        let lines = LockedLines()
        _ = try DemoSeeder.seedInBulk(harness.store, options: options, events: { lines.append($0) })
        return (harness, lines.all)
    }

    static func write(_ lines: [String], in harness: TestStore) throws -> String {
        let file = harness.folder.appendingPathComponent("events.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        return file.path
    }

    /// Everything the ingest writes that a user sees: each email's detail (status, status
    /// details, events), the counts by status, each user's notifications, each account's
    /// suppression list.
    static func state(of store: AuditDatabase) throws -> [String] {
        var state: [String] = []
        for id in 1...Int64(try store.emailCount()) {
            state.append("\(String(describing: try store.detail(emailID: id)))")
        }
        state.append("\(try store.statusCounts(matching: EmailFilter(dateRange: .all), now: now).byStatus.map { "\($0.key) \($0.value)" }.sorted())")
        for user in try store.users() {
            for account in try store.accounts() where user.accountID == nil || user.accountID == account.id {
                let notes = try store.notifications(accountID: account.id, userID: user.id, unreadOnly: false, limit: 10_000)
                state.append("\(user.login) \(account.id): \(notes.map { "\($0.emailID) \($0.status)" }.sorted())")
            }
        }
        for account in try store.accounts() {
            state.append("\(try store.suppressions(accountID: account.id).map { "\($0.address) \($0.kind)" }.sorted())")
        }
        return state
    }

    @Test func chunksGroupedIntoTransactionsEndAsChunksCommittedOneByOne() throws {
        let (plain, lines) = try Self.raised()
        let (grouped, sameLines) = try Self.raised()
        #expect(lines == sameLines, "the seeded simulator reports the same events twice")
        #expect(lines.count > 600)
        let plainReport = try EventIngestor(store: plain.store, batchSize: 30, chunkSize: 30, clock: ManualClock(Self.now))
            .ingest(fileAt: Self.write(lines, in: plain))
        var transactions: [IngestReport] = []
        let ingestor = EventIngestor(store: grouped.store, batchSize: 200, chunkSize: 30, clock: ManualClock(Self.now))
        #expect(ingestor.chunkSize == 30 && ingestor.batchSize == 200)
        let groupedReport = try ingestor.ingest(fileAt: Self.write(lines, in: grouped)) { transactions.append($0) }

        // 200 lines a transaction at most: six chunks of 30 (180 lines), the last what is left.
        #expect(transactions.dropLast().allSatisfy { $0.lines == 180 }, "\(transactions.map(\.lines))")
        #expect(transactions.count == (lines.count + 179) / 180)
        #expect(transactions.map(\.lines).reduce(0, +) == lines.count)
        #expect(groupedReport.inserted == plainReport.inserted && groupedReport.inserted > 600)
        #expect(groupedReport.duplicates == plainReport.duplicates)
        #expect(groupedReport.problems.isEmpty && plainReport.problems.isEmpty)
        // An email changed by several chunks of one transaction is re-derived once.
        #expect(groupedReport.statusChanges < plainReport.statusChanges)

        let groupedState = try Self.state(of: grouped.store), plainState = try Self.state(of: plain.store)
        #expect(groupedState.count == plainState.count)
        for (one, other) in zip(groupedState, plainState).filter({ $0 != $1 }).prefix(3) {
            Issue.record("grouped: \(one)\nplain:   \(other)")
        }
        #expect(try grouped.store.rollupMismatches() == 0)
        #expect(try grouped.store.integrityProblems(full: true).isEmpty)
    }

    @Test func aRefusedValueRollsBackEveryBatchOfItsTransaction() throws {
        let (harness, lines) = try Self.raised()
        let ingestor = EventIngestor(store: harness.store, clock: ManualClock(Self.now))
        let events: [IncomingEvent] = try lines.prefix(90).compactMap { line in
            guard case .event(let event) = ingestor.prepare(try MailgunEventDecoder.decode(line: line, lineNumber: 1)) else { return nil }
            return event
        }
        #expect(events.count > 60)
        // The mapping refuses a NUL in a file's text; the store refuses it whatever the caller.
        var hostile = events[45]
        hostile.event.reason = "bad\u{0}reason"
        var batches = [Array(events[0..<30]), Array(events[30..<45]) + [hostile], Array(events[46...])]
        var handedOut = 0
        #expect(throws: StoreError.self) {
            _ = try harness.store.apply(batches: {
                guard !batches.isEmpty else { return nil }
                handedOut += 1
                return batches.removeFirst()
            }, defaultAccountID: nil)
        }
        #expect(handedOut == 2, "the store stopped at the batch it refused")
        #expect(try harness.store.eventCount() == 0, "the first batch was rolled back with the second")
        #expect(try harness.store.rollupMismatches() == 0)

        // The same batches without the refused event store all their events, as one batch would.
        batches = [Array(events[0..<30]), Array(events[30..<45]), Array(events[46...])]
        let applied = try harness.store.apply(batches: { batches.isEmpty ? nil : batches.removeFirst() }, defaultAccountID: nil)
        #expect(applied.inserted + applied.duplicates == events.count - 1)
        #expect(try harness.store.eventCount() == applied.inserted)
    }
}
