import AuditCore
import AuditEngine
import Foundation
import GRDB
import ProviderSimulator
import Testing
@testable import AuditStore
@testable import Demo

/// The benchmark's bulk seeding against the demo's step-by-step seeding through the engine's
/// batch feeder: the same store and the same provider events, byte for byte.
@Suite("Bulk seeding")
struct BulkSeedingTests {
    /// Event lines collected from the simulator (the bulk path reports them from its own thread).
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var collected: [String] = []
        func append(_ lines: [String]) { lock.withLock { collected += lines } }
        var all: [String] { lock.withLock { collected } }
    }

    /// Every row of `table`, as text, in a fixed order.
    func rows(_ store: AuditDatabase, _ table: String, except excluded: [String] = []) throws -> [String] {
        try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map(\.description).filter { row in
                !excluded.contains { row.contains("key:\"\($0)\"") }
            }.sorted()
        }
    }

    @Test(arguments: [3_600.0, 300.0])
    func bulkSeedingMakesTheSameStoreAndEventsAsTheFeeder(interval: TimeInterval) throws {
        // A quarter of a second past the minute, so the last step is shorter than the interval
        // (the engine does not hand over at it, and its emails stay Pending in both).
        var options = SeedOptions(emails: 2_000, days: 10, seed: 21, now: Date(timeIntervalSince1970: 1_795_000_020.25))
        options.extraAgencies = false
        options.batchInterval = interval
        let stepwise = try TestStore(), bulk = try TestStore()
        let stepwiseLines = Lines(), bulkLines = Lines()
        var stepwiseOptions = options
        stepwiseOptions.eventSink = { stepwiseLines.append($0) }
        let a = try DemoSeeder.seed(stepwise.store, options: stepwiseOptions)
        // Small groups, so they end between steps and the simulator's thread takes many.
        let b = try DemoSeeder.seedInBulk(bulk.store, options: options, emailsPerTransaction: 150,
                                          events: { bulkLines.append($0) })

        #expect(a.emails == 2_000 && b.emails == 2_000 && b.accountID == a.accountID)
        #expect(stepwiseLines.all.count > 4_000)
        #expect(bulkLines.all == stepwiseLines.all, "the same event lines in the same order")
        for table in ["accounts", "staff", "users", "blocks", "units", "contacts", "contact_units", "emails", "email_units",
                      "rollups", "rollups_monthly", "rollups_yearly", "recipients", "notifications"] {
            #expect(try rows(bulk.store, table) == rows(stepwise.store, table), "table \(table)")
        }
        // The change counter counts transactions, which the bulk path has fewer of; the
        // simulator's state is compared decoded (its JSON objects have no fixed key order).
        #expect(try rows(bulk.store, "meta", except: ["change_counter", "simulator_state"])
                == rows(stepwise.store, "meta", except: ["change_counter", "simulator_state"]))
        let decoder = JSONDecoder()
        let savedA = try decoder.decode(SimulatorState.self, from: #require(try stepwise.store.savedSimulatorState()))
        let savedB = try decoder.decode(SimulatorState.self, from: #require(try bulk.store.savedSimulatorState()))
        #expect(savedA == savedB)
        // Both simulators still hold the same later events (opens, retries after the end).
        #expect(b.simulator.queuedEventCount > 0)
        #expect(b.simulator.events(through: .distantFuture) == a.simulator.events(through: .distantFuture))
        // The emails of the last, shorter step were not handed over in either.
        #expect(try bulk.store.pendingHandOver(limit: 5_000).map(\.id) == stepwise.store.pendingHandOver(limit: 5_000).map(\.id))
    }

    @Test func theScheduleHandsOverAtEveryFullStepOnly() {
        let start = Date(timeIntervalSince1970: 1_000_000)
        let times = [start, start + 30, start + 3_599, start + 3_600, start + 7_300]
        let schedule = HandOverSchedule(times: times, now: start + 7_400, interval: 3_600)
        // Steps at start - 1 + 3,600, + 7,200, then the end (a shorter step, no hand-over).
        #expect(schedule.steps.map(\.time) == [start + 3_599, start + 7_199, start + 7_400])
        #expect(schedule.steps.map(\.handsOver) == [true, true, false])
        #expect(schedule.steps.map(\.emailsCreated) == [3, 4, 5])
    }

    @Test func bulkSeedingRefusesWhatOnlyTheFeederDoes() throws {
        let harness = try TestStore()
        let options = SeedOptions(emails: 10, days: 1, seed: 3, now: Date(timeIntervalSince1970: 1_795_000_000))
        #expect(throws: BulkSeedError.unsupported("extra agencies")) {
            _ = try DemoSeeder.seedInBulk(harness.store, options: options, events: { _ in })
        }
        #expect(try harness.store.emailCount() == 0)
    }
}
