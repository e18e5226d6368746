import AsyncHTTPClient
import AuditCore
import AuditEngine
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
@testable import Server
import Testing

/// `email-audit sync` on each backend: the Events API cursor kept in the store (SQLite `meta`,
/// PostgreSQL `store_meta`) and the events stored through the store's one ingest path, read from
/// the HTTP simulator on loopback (Mailgun's Events API).
@Suite("Store contract: Events API sync")
struct EventsSyncContractTests: QueueFixtures {
    static let domain = "mg.example.com"
    static let apiKey = "key-sync-contract"

    /// The store of `contract` as `sync` uses it.
    func syncStore(_ contract: ContractStore) throws -> any EventsSyncStore & HandOverQueueStore & EmailRecordingStore {
        try #require(contract.store as? any EventsSyncStore & HandOverQueueStore & EmailRecordingStore)
    }

    @Test(arguments: Backend.available)
    func theCursorRoundTripsExactlyAndNeverMovesBack(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = try syncStore(contract)
            #expect(try store.eventsSyncCursor() == nil)
            try store.advanceEventsSyncCursor(to: 1_764_839_400.123456)
            #expect(try store.eventsSyncCursor() == 1_764_839_400.123456)
            try store.advanceEventsSyncCursor(to: 1_764_839_399.5)  // older: kept as it was
            #expect(try store.eventsSyncCursor() == 1_764_839_400.123456)
            try store.advanceEventsSyncCursor(to: 1_764_839_400.123457)  // a microsecond on: taken
            #expect(try store.eventsSyncCursor() == 1_764_839_400.123457)
            let awkward = 1_764_839_400.1 + 0.2  // not a short decimal: read back bit for bit
            try store.advanceEventsSyncCursor(to: awkward)
            #expect(try store.eventsSyncCursor() == awkward)
            if backend == .postgres {
                // Kept in the database: another connection (another machine's sync) reads the same.
                let other = try contract.withSecondPostgresStore { try $0.eventsSyncCursor() }
                #expect(other == awkward)
            }
        }
    }

    @Test(arguments: Backend.available)
    func syncStoresEveryEventOnceAndResumesFromTheStoredCursor(_ backend: Backend) async throws {
        try await withAsyncStore(backend) { contract in
            let store = try syncStore(contract)
            let harbour = try agency(store, "Harbour Lets")
            var settings = SimulatorHTTPConfiguration()
            settings.domain = Self.domain
            settings.apiKey = Self.apiKey
            settings.speed = 100_000
            var logger = Logger(label: "sim")
            logger.logLevel = .critical
            let simulator = SimulatorHTTP(configuration: settings, logger: logger)
            let app = Application(router: simulator.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
            let probes = Probes(contract)
            try await app.test(.live) { client async throws in
                let base = "http://127.0.0.1:\(try #require(client.port))"
                let provider = MailgunHTTPProvider(baseURL: base, domain: Self.domain, apiKey: Self.apiKey)
                let feeder = BatchFeeder(queue: store, digests: nil, providers: .every(provider),
                                         ingestor: EventIngestor(store: store, defaultAccountID: harbour.account.id), batchSize: 25)
                func sync(trailingWindow: TimeInterval = 1800) -> EventsSync {
                    // A new EventsSync each time, as each `email-audit sync` is a new process: only the store remembers.
                    EventsSync(baseURL: base, domain: Self.domain, apiKey: Self.apiKey,
                               ingestor: EventIngestor(store: store, defaultAccountID: harbour.account.id), store: store,
                               trailingWindow: trailingWindow)
                }
                /// Hands the Pending emails over and waits until every outcome is due in the simulator's log.
                func handOverAndSettle(_ expected: Int) async throws {
                    let handOver = try await Blocking.run { Result { try feeder.handOver(now: Date()) } }.get()
                    #expect(handOver.handedOver == expected)
                    try await Task.sleep(nanoseconds: 300_000_000)  // delays divided by 100,000: every outcome is due
                    await simulator.pump(client: HTTPClient.shared)
                }

                let first = try store.record(["ok.a@example.net", "bounce.b@example.org"].map {
                    newEmail(harbour, to: $0, at: Date())
                })
                try await handOverAndSettle(2)
                let firstRun = try await sync().runOnce()
                #expect(firstRun.events >= 4 && firstRun.inserted == firstRun.events)
                let cursor = try #require(try store.eventsSyncCursor())
                #expect(firstRun.cursor == cursor)
                #expect(try store.recordedEmail(id: first[0], inAccount: harbour.account.id)?.status == .delivered)
                #expect(try store.recordedEmail(id: first[1], inAccount: harbour.account.id)?.status == .failed)
                #expect(try probes.contract.count("events") == firstRun.inserted)

                // Two more emails; a later sync with no trailing window starts at the stored cursor:
                // it reads the new events (and at most those of the cursor's own instant again), not the first run's.
                try await Task.sleep(nanoseconds: 20_000_000)
                let second = try store.record(["ok.c@example.net", "bounce.d@example.org"].map {
                    newEmail(harbour, to: $0, at: Date())
                })
                try await handOverAndSettle(2)
                let resumed = try await sync(trailingWindow: 0).runOnce()
                #expect(resumed.inserted >= 4)
                #expect(resumed.events < firstRun.events + resumed.inserted, "the resumed run read the first run's events again")
                let total = firstRun.inserted + resumed.inserted
                #expect(try probes.contract.count("events") == total)
                #expect(try store.recordedEmail(id: second[0], inAccount: harbour.account.id)?.status == .delivered)
                #expect(try store.recordedEmail(id: second[1], inAccount: harbour.account.id)?.status == .failed)
                let movedOn = try #require(try store.eventsSyncCursor())
                #expect(movedOn > cursor && resumed.cursor == movedOn)

                // Another run with the usual trailing window reads every event again and stores none twice.
                let again = try await sync().runOnce()
                #expect(again.events == total && again.inserted == 0)
                #expect(try probes.contract.count("events") == total)
                #expect(try probes.contract.count("emails") == 4)
                #expect(try store.eventsSyncCursor() == movedOn)

                // A refused key stores nothing and leaves the cursor where it was.
                let wrongKey = EventsSync(baseURL: base, domain: Self.domain, apiKey: "wrong",
                                          ingestor: EventIngestor(store: store), store: store)
                await #expect(throws: SyncError.self) { _ = try await wrongKey.runOnce() }
                #expect(try store.eventsSyncCursor() == movedOn)
            }
        }
    }
}

/// The contract store's probes (row counts), for the simulator's `@Sendable` test body: one task
/// uses them at a time.
private final class Probes: @unchecked Sendable {
    let contract: ContractStore
    init(_ contract: ContractStore) { self.contract = contract }
}
