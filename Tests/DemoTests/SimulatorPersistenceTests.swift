import AuditCore
import AuditStore
import Foundation
import ProviderSimulator
import Testing
import AuditEngine
@testable import Demo

@Suite("Simulator state kept between runs")
struct SimulatorPersistenceTests {
    let now = Date(timeIntervalSince1970: 1_795_000_000)

    @Test func aLaterRunFinishesTheStoriesASeedLeftOpen() throws {
        let harness = try TestStore()
        let seeded = try DemoSeeder.seed(harness.store, options: SeedOptions(emails: 400, days: 1, seed: 8, now: now))
        let waiting = seeded.simulator.queuedEventCount
        #expect(waiting > 0, "a seed ending now leaves events still due (later opens, retries)")
        let before = try harness.store.statusCounts(matching: EmailFilter(dateRange: .all), now: now)
        #expect(before[.accepted] + before[.temporaryFailure] + before[.pending] > 0)

        // A new process: every agency's simulator restored from the store carries on.
        let (providers, saved) = try DemoProviders.restore(from: harness.store, seed: 8)
        let clockStart = try #require(saved)
        #expect(abs(clockStart.timeIntervalSince(now)) < 1)
        #expect(providers.main.queuedEventCount == waiting)
        #expect(providers.byAccount.count == DemoAgency.all.count)
        #expect(providers.queuedEventCount > waiting, "the other agencies' stories are kept too")
        let clock = ManualClock(clockStart)
        let engine = AuditEngine(store: harness.store, provider: providers.main, eventSource: providers, clock: clock,
                                 defaultAccountID: seeded.accountID)
        for _ in 0..<(12 * 60) {
            clock.advance(by: 60)
            try engine.tick()
        }
        let after = try harness.store.statusCounts(matching: EmailFilter(dateRange: .all), now: clock.now)
        #expect(after.total == before.total)
        #expect(after[.pending] == 0)
        #expect(after[.accepted] == 0, "every accepted email reached an outcome")
        #expect(after[.temporaryFailure] == 0, "retries end within about 8 hours")
    }

    @Test func stateRoundTripsThroughTheStore() throws {
        let harness = try TestStore()
        _ = try DemoSeeder.seed(harness.store, options: SeedOptions(emails: 150, days: 1, seed: 3, now: now))
        let first = MailgunSimulator(seed: 3)
        try SimulatorPersistence.restore(first, from: harness.store)
        let second = MailgunSimulator(seed: 3)
        try SimulatorPersistence.save(first, to: harness.store)
        try SimulatorPersistence.restore(second, from: harness.store)
        #expect(first.state() == second.state())
        // Both now report the same events in the same order.
        let later = now + 86_400
        #expect(first.events(through: later) == second.events(through: later))
    }
}
