import AuditCore
import AuditStore
import Foundation
import ProviderSimulator
import Testing
import AuditEngine
@testable import Demo

@Suite("Live demo simulation")
struct LiveSimulationTests {
    @Test func stepsRaiseEmailsAndMoveTheirStatuses() throws {
        let harness = try TestStore()
        let simulator = MailgunSimulator(seed: 21, rates: .default)
        let plan = PortfolioPlan(seed: 21)
        let factory = try DemoSeeder.writePortfolio(plan, to: harness.store, sendingDomain: simulator.domain)
        let clock = ManualClock(Date(timeIntervalSince1970: 1_795_000_000))
        let engine = AuditEngine(store: harness.store, provider: simulator, eventSource: simulator, clock: clock,
                                 batchInterval: 15, defaultAccountID: factory.accountID)
        let live = LiveSimulation(engine: engine, factory: factory, seed: 21, emailsPerMinute: 60)
        for _ in 0..<120 {
            live.step()
            clock.advance(by: 1)
        }
        #expect(live.lastProblem == nil)
        let counts = try harness.store.statusCounts(matching: EmailFilter(dateRange: .all), now: clock.now)
        #expect(counts.total > 60, "about one email a second")
        #expect(counts[.pending] < counts.total / 4, "batches every 15 s hand most of them over")
        #expect(counts[.delivered] + counts[.opened] + counts[.clicked] > 0)
    }

    @Test func aStoreSeededEarlierGetsItsFactoryBack() throws {
        let harness = try TestStore()
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let seeded = try DemoSeeder.seed(harness.store, options: SeedOptions(emails: 200, days: 2, seed: 5, now: now))
        let rebuilt = try #require(try DemoSeeder.factory(forExisting: harness.store, seed: 5, sendingDomain: seeded.simulator.domain))
        #expect(rebuilt.accountID == seeded.accountID)
        #expect(Set(rebuilt.staffIDs) == Set(seeded.factory.staffIDs))
        #expect(rebuilt.unitIDs == seeded.factory.unitIDs)
    }
}
