import AuditCore
import AuditEngine
import AuditStore
import AuditStorePostgres
import Foundation
import Mailgun
import ProviderSimulator
import Testing

/// The batch feeder over the queue contract, with the provider simulator, on each backend:
/// an outage leaves every email Pending and unclaimed, a run hands each email over once and
/// its events come back to it; a feeder killed between the provider's answer and its mark
/// costs one second send after the lease (and no more); on PostgreSQL two feeders at once
/// send each email once.
@Suite("Store contract: batch feeder")
struct BatchFeederContractTests: QueueFixtures {
    let t0 = utc(2026, 12, 4, 9)

    func feeder(_ store: any HandOverQueueStore & EventIngestStore, provider: any EmailProvider, defaultAccountID: Int64,
                batchSize: Int = 25, lease: TimeInterval = 300) -> BatchFeeder {
        BatchFeeder(queue: store, digests: nil, providers: .every(provider),
                    ingestor: EventIngestor(store: store, defaultAccountID: defaultAccountID, clock: ManualClock(t0 + 3 * 86_400)),
                    batchSize: batchSize, lease: lease)
    }

    @Test(arguments: Backend.available)
    func handsEachEmailOverOnceAfterAnOutage(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = contract.store
            let a = try agency(store, "Harbour Lets"), b = try agency(store, "Northgate Property")
            let ids = try store.record((0..<120).map { newEmail($0.isMultiple(of: 4) ? b : a, to: "tenant\($0)@example.net",
                                                                 at: t0 - 600 + Double($0)) })
            let simulator = MailgunSimulator(seed: 7)
            let provider = CountingProvider(simulator)
            let feeder = feeder(store, provider: provider, defaultAccountID: a.account.id)

            simulator.isAvailable = false
            let down = try feeder.handOver(now: t0)
            #expect(down.deferred && down.handedOver == 0)
            // Nothing is lost and nothing stays claimed: another feeder could take all of them now.
            let all = try store.claimPending(limit: 500, accounts: nil, claimant: "probe", now: t0 + 1, lease: 60)
            #expect(all.map(\.id) == ids)
            try store.releaseClaims(of: "probe")

            simulator.isAvailable = true
            let up = try feeder.handOver(now: t0 + 300)
            #expect(!up.deferred && up.handedOver == 120 && up.refused == 0)
            #expect(provider.sends.count == 120 && provider.sends.values.allSatisfy { $0 == 1 })
            #expect(try store.handOverOutcomes() == HandOverOutcomes(lastSuccess: t0 + 300, lastFailure: t0))
            #expect(try feeder.handOver(now: t0 + 600).handedOver == 0)
            #expect(provider.sends.count == 120 && provider.sends.values.allSatisfy { $0 == 1 })

            // The provider's events find their emails (by audit id and message id): none is made up.
            let report = try feeder.ingestor.ingest(lines: simulator.events(through: t0 + 2 * 86_400))
            #expect(report.createdEmails == 0 && report.inserted > 120)
            for (index, id) in ids.enumerated() {
                let owner = index.isMultiple(of: 4) ? b.account.id : a.account.id
                let email = try #require(try store.recordedEmail(id: id, inAccount: owner))
                #expect(email.providerMessageID != nil && email.status != .pending)
            }
        }
    }

    @Test(arguments: Backend.available)
    func aFeederKilledBetweenAcceptAndMarkCostsOneResendAfterTheLease(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = contract.store
            let a = try agency(store, "Harbour Lets")
            let ids = try store.record((0..<3).map { newEmail(a, to: "tenant\($0)@example.net", at: t0 - 600 + Double($0)) })
            let simulator = MailgunSimulator(seed: 11)
            let provider = CountingProvider(simulator)
            let survivor = feeder(store, provider: provider, defaultAccountID: a.account.id, lease: 60)

            // The dying feeder claims all three, the provider accepts the first two, and it dies before marking.
            let claimed = try store.claimPending(limit: 10, accounts: nil, claimant: "killed", now: t0, lease: 60)
            #expect(claimed.map(\.id) == ids)
            _ = try provider.send(BatchFeeder.request(for: claimed[0]), at: t0)
            // The first email's events arrive in time: its message id is recorded from them (by audit id).
            _ = try survivor.ingestor.ingest(lines: simulator.events(through: t0 + 5))
            #expect(try store.recordedEmail(id: ids[0], inAccount: a.account.id)?.providerMessageID != nil)
            _ = try provider.send(BatchFeeder.request(for: claimed[1]), at: t0 + 10)

            // Within the lease the survivor sends nothing; after it, what is still Pending, once.
            #expect(try survivor.handOver(now: t0 + 30).handedOver == 0)
            #expect(try survivor.handOver(now: t0 + 61).handedOver == 2)
            #expect(provider.sends == [String(ids[0]): 1, String(ids[1]): 2, String(ids[2]): 1])
            #expect(try survivor.handOver(now: t0 + 400).handedOver == 0)

            // The first send of the second email becomes an External email of its own message: the audit shows both copies.
            let report = try survivor.ingestor.ingest(lines: simulator.events(through: t0 + 2 * 86_400))
            #expect(report.createdEmails == 1)
        }
    }

    /// Two feeders, each on its own connection to one PostgreSQL database (as two `serve`
    /// processes), hand over 2,000 emails at once through one provider: each is sent once.
    @Test(.enabled(if: Backend.available.contains(.postgres), "needs a PostgreSQL server"))
    func twoFeedersOnPostgreSQLSendEachEmailOnce() throws {
        try withStore(.postgres) { contract in
            let store = contract.store
            let a = try agency(store, "Harbour Lets"), b = try agency(store, "Northgate Property")
            var ids: [Int64] = []
            for chunk in 0..<4 {
                ids += try store.record((0..<500).map { index in
                    newEmail(index.isMultiple(of: 2) ? a : b, to: "tenant\(chunk)-\(index)@example.net", at: t0 - 3600 + Double(chunk * 500 + index))
                })
            }
            let simulator = MailgunSimulator(seed: 13)
            let provider = CountingProvider(simulator)
            let reports = FeederReports()
            let shared = UncheckedBox(contract)
            DispatchQueue.concurrentPerform(iterations: 2) { _ in
                do {
                    try shared.value.withSecondPostgresStore { own in
                        reports.add(try feeder(own, provider: provider, defaultAccountID: a.account.id, batchSize: 50).handOver(now: t0))
                    }
                } catch {
                    reports.fail("\(error)")
                }
            }
            #expect(reports.failures.isEmpty)
            #expect(reports.handedOver.reduce(0, +) == ids.count)
            #expect(provider.sends.count == ids.count && provider.sends.values.allSatisfy { $0 == 1 })
            #expect(Set(provider.sends.keys) == Set(ids.map { String($0) }))
            #expect(try contract.count("hand_over_claims") == 0)
            let report = try feeder(store, provider: provider, defaultAccountID: a.account.id).ingestor
                .ingest(lines: simulator.events(through: t0 + 2 * 86_400))
            #expect(report.createdEmails == 0 && report.duplicates == 0)
        }
    }
}

/// A provider that counts the requests it passed on, by audit id.
final class CountingProvider: EmailProvider, @unchecked Sendable {
    let simulator: MailgunSimulator
    private let lock = NSLock()
    private var counts: [String: Int] = [:]

    init(_ simulator: MailgunSimulator) { self.simulator = simulator }

    var sendingDomain: String { simulator.sendingDomain }

    /// Requests accepted, by audit id.
    var sends: [String: Int] { lock.withLock { counts } }

    func send(_ request: MailgunSendRequest, at time: Date) throws -> MailgunSendResponse {
        let response = try simulator.send(request, at: time)
        lock.withLock { counts[request.variables["audit-id"] ?? "", default: 0] += 1 }
        return response
    }

    func removeSuppression(_ address: String, at time: Date) throws {
        simulator.removeSuppression(address, at: time)
    }
}

/// Hand-over reports of concurrent feeders.
final class FeederReports: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var handedOver: [Int] = []
    private(set) var failures: [String] = []

    func add(_ report: HandOverReport) { lock.withLock { handedOver.append(report.handedOver) } }
    func fail(_ message: String) { lock.withLock { failures.append(message) } }
}
