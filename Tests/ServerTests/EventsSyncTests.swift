import AsyncHTTPClient
import AuditCore
import AuditEngine
import AuditStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
@testable import Server
import Testing

@Suite struct EventsSyncTests {
    @Test func syncStoresTheSimulatorsEventsOnceAndResumesFromItsCursor() async throws {
        let fixture = try ServerFixture()
        var settings = SimulatorHTTPConfiguration()
        settings.domain = "mg.example.com"
        settings.apiKey = "key-sync-test"
        settings.speed = 100_000
        var logger = Logger(label: "sim")
        logger.logLevel = .critical
        let simulator = SimulatorHTTP(configuration: settings, logger: logger)
        let staff = try #require(try fixture.store.staff(accountID: fixture.account.id).first { $0.name == "Zoë Clarke" })
        let ids = try fixture.store.record(["ok.a@example.net", "bounce.b@example.org"].map {
            NewEmail(accountID: fixture.account.id, raisedByID: staff.id, activity: .receiptRecorded, to: $0,
                     from: "accounts@mg.example.com", subject: "Receipt", textBody: "Thanks", createdAt: Date())
        })
        let app = Application(router: simulator.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        try await app.test(.live) { client async throws in
            let base = "http://127.0.0.1:\(try #require(client.port))"
            let provider = MailgunHTTPProvider(baseURL: base, domain: "mg.example.com", apiKey: "key-sync-test")
            let feeder = BatchFeeder(store: fixture.store, provider: provider, ingestor: EventIngestor(store: fixture.store))
            let handOver = try await Blocking.run { Result { try feeder.handOver(now: Date()) } }.get()
            #expect(handOver.handedOver == 2)
            try await Task.sleep(nanoseconds: 300_000_000)  // delays divided by 100,000: 8 h of retries take 0.3 s, every outcome is due
            await simulator.pump(client: HTTPClient.shared)

            let sync = EventsSync(baseURL: base, domain: "mg.example.com", apiKey: "key-sync-test",
                                  ingestor: EventIngestor(store: fixture.store, defaultAccountID: fixture.account.id), store: fixture.store)
            let first = try await sync.runOnce()
            #expect(first.events >= 4 && first.inserted == first.events)
            #expect(try fixture.store.detail(emailID: ids[0])?.email.status == .delivered)
            #expect(try fixture.store.detail(emailID: ids[1])?.email.status == .failed)
            let cursor = try #require(try fixture.store.eventsSyncCursor())
            #expect(first.cursor == cursor)

            let again = try await sync.runOnce()  // the trailing window re-reads: nothing new is stored
            #expect(again.inserted == 0)
            #expect(try fixture.store.eventCount() == first.inserted)

            let wrongKey = EventsSync(baseURL: base, domain: "mg.example.com", apiKey: "wrong", ingestor: EventIngestor(store: fixture.store),
                                      store: fixture.store)
            await #expect(throws: SyncError.self) { _ = try await wrongKey.runOnce() }
        }
    }
}
