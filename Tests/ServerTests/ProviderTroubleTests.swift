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

/// The HTTP simulator answering 429 (`/simulator/rate-limit`) and 503 (`/simulator/outage`): the
/// hand-over keeps every email Pending and backs off, the store says the provider is down (the
/// screen's warning), and after `/simulator/recover` the emails flow, each sent once.
@Suite struct ProviderTroubleTests {
    func simulator(speed: Double = 100_000) -> SimulatorHTTP {
        var settings = SimulatorHTTPConfiguration()
        settings.domain = "mg.example.com"
        settings.apiKey = "key-trouble-test"
        settings.speed = speed
        var logger = Logger(label: "sim")
        logger.logLevel = .critical
        return SimulatorHTTP(configuration: settings, logger: logger)
    }

    func record(_ fixture: ServerFixture, _ addresses: [String], createdAt: Date) throws -> [Int64] {
        let staff = try #require(try fixture.store.staff(accountID: fixture.account.id).first { $0.name == "Zoë Clarke" })
        return try fixture.store.record(addresses.map {
            NewEmail(accountID: fixture.account.id, raisedByID: staff.id, activity: .receiptRecorded, to: $0,
                     from: "accounts@mg.example.com", subject: "Receipt", textBody: "Thanks", createdAt: createdAt)
        })
    }

    @Test(arguments: ["/simulator/rate-limit", "/simulator/outage"])
    func emailsStayPendingWithBackoffThenFlow(trouble: String) async throws {
        let fixture = try ServerFixture()
        let simulator = simulator()
        let ids = try record(fixture, ["ok.a@example.net", "ok.b@example.net", "ok.c@example.net"], createdAt: Date() - 11 * 60)
        var appLogger = Logger(label: "sim-app")
        appLogger.logLevel = .critical
        let logger = appLogger
        let app = Application(router: simulator.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        try await app.test(.live) { client async throws in
            let base = "http://127.0.0.1:\(try #require(client.port))"
            let provider = MailgunHTTPProvider(baseURL: base, domain: "mg.example.com", apiKey: "key-trouble-test")
            let feeder = BatchFeeder(store: fixture.store, provider: provider, ingestor: EventIngestor(store: fixture.store))
            let status = ProviderStatus()
            let metrics = ServerMetrics()
            let service = HandOverService(feeder: feeder, engine: nil, interval: 300, status: status, logger: logger, metrics: metrics)

            #expect(try await client.execute(uri: trouble, method: .post).status == .ok)
            var delays: [TimeInterval] = []
            for _ in 0..<3 { delays.append(await service.runOnce()) }
            #expect(delays == [5, 10, 20])  // backoff while the provider refuses
            #expect(try fixture.store.pendingHandOver(limit: 10).count == 3)
            let down = try fixture.store.handOverHealth(accountID: fixture.account.id, now: Date())
            #expect(down.providerDown && down.pendingOverLimit == 3)
            #expect(down.warning == "Provider down: 3 Pending over 10 min")
            #expect(try fixture.store.handOverHealth(accountID: fixture.account.id + 1, now: Date()).warning == nil)  // another account
            #expect(metrics.exposition().contains("email_audit_handover_runs_total{outcome=\"deferred\"} 3"))

            #expect(try await client.execute(uri: "/simulator/recover", method: .post).status == .ok)
            #expect(await service.runOnce() == 300)  // answered: back to the interval
            #expect(try fixture.store.pendingHandOver(limit: 10).isEmpty)
            let up = try fixture.store.handOverHealth(accountID: fixture.account.id, now: Date())
            #expect(!up.providerDown && up.pending == 0 && up.warning == nil)

            try await Task.sleep(nanoseconds: 300_000_000)
            await simulator.pump(client: HTTPClient.shared)
            let sync = EventsSync(baseURL: base, domain: "mg.example.com", apiKey: "key-trouble-test",
                                  ingestor: EventIngestor(store: fixture.store, defaultAccountID: fixture.account.id), store: fixture.store)
            _ = try await sync.runOnce()
            for id in ids {
                let detail = try #require(try fixture.store.detail(emailID: id))
                #expect(detail.events.filter { $0.kind == .accepted }.count == 1)  // sent once
                #expect(detail.email.status != .pending)
            }
        }
    }

    @Test func suppressionRemovalCallsTheDeleteEndpoints() async throws {
        let fixture = try ServerFixture()
        let simulator = simulator()
        _ = try record(fixture, ["bounce.b@example.org", "bounce.c@example.org"], createdAt: Date())
        var logger = Logger(label: "sim-app")
        logger.logLevel = .critical
        let app = Application(router: simulator.router(), configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
        try await app.test(.live) { client async throws in
            let base = "http://127.0.0.1:\(try #require(client.port))"
            let feeder = BatchFeeder(store: fixture.store, provider: MailgunHTTPProvider(baseURL: base, domain: "mg.example.com", apiKey: "key-trouble-test"),
                                     ingestor: EventIngestor(store: fixture.store))
            _ = try await Blocking.run { Result { try feeder.handOver(now: Date()) } }.get()
            try await Task.sleep(nanoseconds: 300_000_000)
            _ = simulator.simulator.events(through: Date())
            #expect(simulator.simulator.isSuppressed("bounce.b@example.org") == .bounce)

            let client = MailgunSuppressionClient(baseURL: base + "/", domain: "mg.example.com", apiKey: "key-trouble-test")
            #expect(client.url(removing: "a/b@example.org", from: .complaint) == base + "/v3/mg.example.com/complaints/a%2Fb@example.org")
            #expect(try await client.remove("bounce.b@example.org", from: .complaint) == .notListed)
            #expect(try await client.remove("bounce.b@example.org", from: .bounce) == .removed)
            #expect(simulator.simulator.isSuppressed("bounce.b@example.org") == nil)
            #expect(try await client.remove("bounce.b@example.org", from: .bounce) == .notListed)

            // The provider's removal (support's, through EmailProvider) DELETEs from all three
            // lists, blocking; not being listed is fine, a wrong key is thrown.
            #expect(simulator.simulator.isSuppressed("bounce.c@example.org") == .bounce)
            let provider = MailgunHTTPProvider(baseURL: base, domain: "mg.example.com", apiKey: "key-trouble-test")
            try await Blocking.run { Result { try provider.removeSuppression("bounce.c@example.org", at: Date()) } }.get()
            #expect(simulator.simulator.isSuppressed("bounce.c@example.org") == nil)
            try await Blocking.run { Result { try provider.removeSuppression("never.listed@example.org", at: Date()) } }.get()
            let wrongProvider = MailgunHTTPProvider(baseURL: base, domain: "mg.example.com", apiKey: "key-wrong-secret")
            let refused = await Blocking.run { Result { try wrongProvider.removeSuppression("x@example.org", at: Date()) } }
            #expect(throws: SuppressionRemovalError.notAuthorised(status: 401)) { try refused.get() }

            let wrongKey = MailgunSuppressionClient(baseURL: base, domain: "mg.example.com", apiKey: "key-wrong-secret")
            await #expect(throws: SuppressionRemovalError.notAuthorised(status: 401)) {
                _ = try await wrongKey.remove("x@example.org", from: .unsubscribe)
            }
            #expect(!SuppressionRemovalError.notAuthorised(status: 401).description.contains("key-wrong-secret"))
            let unreachable = MailgunSuppressionClient(baseURL: "http://127.0.0.1:9", domain: "mg.example.com", apiKey: "k", timeout: .seconds(5))
            await #expect(throws: SuppressionRemovalError.self) { _ = try await unreachable.remove("x@example.org", from: .bounce) }
        }
    }

    @Test func metricsCountWebhooksByOutcomeAndShowTheQueue() async throws {
        let fixture = try ServerFixture()
        _ = try record(fixture, ["ok.a@example.net", "ok.b@example.net"], createdAt: Date() - 120)
        let good = ServerFixture.webhookBody(event: ServerFixture.eventJSON(id: "ev-m1"))
        let forged = ServerFixture.webhookBody(event: ServerFixture.eventJSON(id: "ev-m2"), key: "not-the-key")
        try await fixture.app.test(.router) { client async throws in
            let post = { (body: String, headers: HTTPFields) in
                try await client.execute(uri: "/webhooks/mailgun", method: .post, headers: headers, body: ByteBuffer(string: body))
            }
            #expect(try await post(good, ServerFixture.json).status == .ok)
            #expect(try await post(forged, ServerFixture.json).status == .notAcceptable)
            #expect(try await post(good, [.contentType: "text/plain"]).status == .unsupportedMediaType)
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = String(buffer: response.body)
            #expect(text.contains("email_audit_webhook_events_received_total 1"))
            #expect(text.contains("email_audit_webhook_events_refused_total{reason=\"bad-signature\"} 1"))
            #expect(text.contains("email_audit_webhook_events_refused_total{reason=\"content-type\"} 1"))
            #expect(text.contains("email_audit_pending_emails 2"))
            #expect(text.contains("email_audit_webhook_queue_depth 0"))
            let age = text.split(separator: "\n").first { $0.hasPrefix("email_audit_pending_oldest_age_seconds ") }
            let seconds = try #require(age.flatMap { Double($0.split(separator: " ")[1]) })
            #expect(seconds >= 119 && seconds < 3600)
            #expect(!text.contains(ServerFixture.signingKey))
        }
    }
}
