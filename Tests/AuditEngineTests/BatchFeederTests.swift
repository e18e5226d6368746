import AuditCore
import AuditStore
import Foundation
import Mailgun
import ProviderSimulator
import Testing
@testable import AuditEngine

@Suite("Batch hand-over")
struct BatchFeederTests {
    let start = Date(timeIntervalSince1970: 1_795_000_000)

    func makeEngine(_ harness: TestStore, simulator: MailgunSimulator, clock: ManualClock) throws -> (AuditEngine, Int64, Int64) {
        let account = try harness.store.insertAccount(name: "Test Agency")
        let staff = try harness.store.insertStaff(accountID: account.id, name: "Zoë Clarke", role: .staff)
        let engine = AuditEngine(store: harness.store, provider: simulator, eventSource: simulator, clock: clock,
                                 defaultAccountID: account.id)
        return (engine, account.id, staff.id)
    }

    func newEmail(_ account: Int64, _ staff: Int64, to: String, at time: Date) -> NewEmail {
        NewEmail(accountID: account, raisedByID: staff, activity: .receiptRecorded, to: to,
                 from: "Accounts <accounts@mg.test.example>", subject: "Receipt", textBody: "Thanks", createdAt: time)
    }

    @Test func emailsStayPendingDuringAnOutageAndGoOnceAfterwards() throws {
        let harness = try TestStore()
        let simulator = MailgunSimulator(seed: 3, rates: .default)
        let clock = ManualClock(start)
        let (engine, account, staff) = try makeEngine(harness, simulator: simulator, clock: clock)
        let addresses = (0..<40).map { "ok.person\($0)@example.net" }
        try engine.record(addresses.map { newEmail(account, staff, to: $0, at: start) })

        simulator.isAvailable = false
        let down = try engine.tick()
        #expect(down.handOver?.deferred == true)
        #expect(down.handOver?.handedOver == 0)
        #expect(try harness.store.pendingHandOver(limit: 100).count == 40)
        var counts = try harness.store.statusCounts(matching: EmailFilter(dateRange: .all), now: start)
        #expect(counts[.pending] == 40)

        // Still down at the next batch: still nothing lost.
        clock.advance(by: 300)
        try engine.tick()
        #expect(try harness.store.pendingHandOver(limit: 100).count == 40)

        simulator.isAvailable = true
        clock.advance(by: 300)
        let up = try engine.tick()
        #expect(up.handOver?.handedOver == 40)
        #expect(try harness.store.pendingHandOver(limit: 100).isEmpty)

        // Later batches send nothing again.
        for _ in 0..<12 {
            clock.advance(by: 300)
            let tick = try engine.tick()
            #expect((tick.handOver?.handedOver ?? 0) == 0)
        }
        counts = try harness.store.statusCounts(matching: EmailFilter(dateRange: .all), now: clock.now)
        #expect(counts[.pending] == 0)
        #expect(counts.total == 40)
        // Every email got exactly one accepted event: sent once.
        for row in try harness.store.summaries(matching: EmailFilter(dateRange: .all), from: nil, direction: .older, limit: 100, now: clock.now) {
            let detail = try #require(try harness.store.detail(emailID: row.id))
            #expect(detail.events.filter { $0.kind == .accepted }.count == 1)
        }
    }

    @Test func anOutageMidBatchLosesNothingAndDuplicatesNothing() throws {
        let harness = try TestStore()
        let simulator = MailgunSimulator(seed: 5, rates: .default)
        let clock = ManualClock(start)
        let (engine, account, staff) = try makeEngine(harness, simulator: simulator, clock: clock)
        let flaky = FlakyProvider(simulator, failAfter: 7)
        let feeder = BatchFeeder(store: harness.store, provider: flaky, ingestor: engine.ingestor, batchSize: 5)
        try engine.record((0..<20).map { newEmail(account, staff, to: "ok.p\($0)@example.net", at: start) })
        let first = try feeder.handOver(now: start)
        #expect(first.handedOver == 7)
        #expect(first.deferred)
        #expect(try harness.store.pendingHandOver(limit: 100).count == 13)
        flaky.failAfter = nil
        let second = try feeder.handOver(now: start + 300)
        #expect(second.handedOver == 13)
        #expect(flaky.sentIDs.count == 20)
        #expect(Set(flaky.sentIDs).count == 20)
    }

    @Test func eachAccountIsHandedToItsOwnProviderAndUnservedAccountsWait() throws {
        let harness = try TestStore()
        let clock = ManualClock(start)
        let north = MailgunSimulator(seed: 1, domain: "mg.north.example"), south = MailgunSimulator(seed: 2, domain: "mg.south.example")
        let (engine, a, staffA) = try makeEngine(harness, simulator: north, clock: clock)
        let b = try harness.store.insertAccount(name: "South Agency").id
        let staffB = try harness.store.insertStaff(accountID: b, name: "Ann Lee", role: .staff).id
        let c = try harness.store.insertAccount(name: "Unserved Agency").id
        let staffC = try harness.store.insertStaff(accountID: c, name: "Ben Ray", role: .staff).id
        let ids = try engine.record([newEmail(a, staffA, to: "ok.a@example.net", at: start),
                                     newEmail(b, staffB, to: "ok.b@example.net", at: start + 1),
                                     newEmail(c, staffC, to: "ok.c@example.net", at: start + 2)])
        let feeder = BatchFeeder(store: harness.store, providers: .only([a: north, b: south]), ingestor: engine.ingestor)
        #expect(try feeder.handOver(now: start + 10).handedOver == 2)
        #expect(try harness.store.detail(emailID: ids[0])?.email.providerMessageID?.hasSuffix("@mg.north.example") == true)
        #expect(try harness.store.detail(emailID: ids[1])?.email.providerMessageID?.hasSuffix("@mg.south.example") == true)
        #expect(try harness.store.pendingHandOver(limit: 10).map(\.id) == [ids[2]])
        #expect(try harness.store.pendingHandOver(limit: 10, accounts: [a, b]).isEmpty)
        // A fallback takes the accounts without a provider of their own.
        let everyone = BatchFeeder(store: harness.store, providers: HandOverProviders(fallback: south, byAccount: [a: north]),
                                   ingestor: engine.ingestor)
        #expect(try everyone.handOver(now: start + 20).handedOver == 1)
        #expect(try harness.store.detail(emailID: ids[2])?.email.providerMessageID?.hasSuffix("@mg.south.example") == true)
        #expect(try harness.store.pendingHandOver(limit: 10).isEmpty)
    }

    @Test func noEmailWaitsPastTenMinutesWhileTheProviderIsUp() throws {
        let harness = try TestStore()
        let simulator = MailgunSimulator(seed: 9, rates: .default)
        let clock = ManualClock(start)
        let (engine, account, staff) = try makeEngine(harness, simulator: simulator, clock: clock)
        var waits: [TimeInterval] = []
        for minute in 0..<60 {
            clock.set(start + Double(minute) * 60)
            let ids = try engine.record([newEmail(account, staff, to: "ok.m\(minute)@example.net", at: clock.now)])
            try engine.tick()
            _ = ids
        }
        for _ in 0..<12 {
            clock.advance(by: 60)
            try engine.tick()
        }
        for row in try harness.store.summaries(matching: EmailFilter(dateRange: .all), from: nil, direction: .older, limit: 100, now: clock.now) {
            let detail = try #require(try harness.store.detail(emailID: row.id))
            let accepted = try #require(detail.events.first { $0.kind == .accepted })
            waits.append(accepted.occurredAt.timeIntervalSince(detail.email.createdAt))
        }
        #expect(waits.count == 60)
        #expect(waits.allSatisfy { $0 <= 600 })
    }
}

extension BatchFeederTests {
    @Test(arguments: ["sahmed@outlook,com", "mary smith@hotmail.co.uk", "flat3@@gmail.com", "no-at-sign.example.com"])
    func aMalformedAddressEndsRejectedOnTheSameEmail(_ address: String) throws {
        let harness = try TestStore()
        let simulator = MailgunSimulator(seed: 4, rates: .default)
        let clock = ManualClock(start)
        let (engine, account, staff) = try makeEngine(harness, simulator: simulator, clock: clock)
        let ids = try engine.record([newEmail(account, staff, to: address, at: start)])
        for _ in 0..<3 {
            try engine.tick()
            clock.advance(by: 60)
        }
        #expect(try harness.store.emailCount() == 1, "no extra email for the provider's reading of the address")
        let detail = try #require(try harness.store.detail(emailID: ids[0]))
        #expect(detail.email.status == .rejected)
        #expect(detail.email.statusDetail?.rejectReason?.isEmpty == false)
        #expect(detail.recommendedAction.contains("support"))
    }
}

/// A provider that goes down after a number of sends, recording what it was given.
final class FlakyProvider: EmailProvider, @unchecked Sendable {
    let inner: MailgunSimulator
    var failAfter: Int?
    var sentIDs: [String] = []

    init(_ inner: MailgunSimulator, failAfter: Int?) {
        self.inner = inner
        self.failAfter = failAfter
    }

    var sendingDomain: String { inner.domain }

    func send(_ request: MailgunSendRequest, at time: Date) throws -> MailgunSendResponse {
        if let failAfter, sentIDs.count >= failAfter {
            throw MailgunSendError.unavailable(status: 503, message: "Service Unavailable")
        }
        let response = try inner.send(request, at: time)
        sentIDs.append(request.variables["audit-id"] ?? "?")
        return response
    }

    func removeSuppression(_ address: String, at time: Date) {
        inner.removeSuppression(address, at: time)
    }
}
