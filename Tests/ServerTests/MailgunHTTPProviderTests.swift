import AuditCore
import AuditEngine
import AuditStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Mailgun
@testable import Server
import Testing

/// A stand-in for Mailgun's sending API on loopback: answers by the recipient's local part.
final class FakeMailgun: @unchecked Sendable {
    private let lock = NSLock()
    private var bodies: [String] = []
    private var authorizations: [String] = []
    private var isDown = false
    var down: Bool {
        get { lock.withLock { isDown } }
        set { lock.withLock { isDown = newValue } }
    }

    var received: [String] { lock.withLock { bodies } }
    var authorizationHeaders: [String] { lock.withLock { authorizations } }

    var app: some ApplicationProtocol {
        let router = Router()
        router.post("/v3/:domain/messages") { request, context -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            self.lock.withLock {
                self.bodies.append(body)
                self.authorizations.append(request.headers[.authorization] ?? "")
            }
            func answer(_ status: HTTPResponse.Status, _ text: String) -> Response {
                Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
            }
            if self.down { return answer(.serviceUnavailable, "{\"message\": \"Service Unavailable\"}") }
            if body.contains("to=reject") { return answer(.badRequest, "{\"message\": \"to parameter is not a valid address. please check documentation\"}") }
            if body.contains("to=busy") { return answer(.tooManyRequests, "{\"message\": \"Too many requests\"}") }
            let domain = context.parameters.get("domain") ?? "?"
            return answer(.ok, "{\"id\": \"<2026120210150\(self.received.count).5f3c9a1b7d2e4c60@\(domain)>\", \"message\": \"Queued. Thank you.\"}")
        }
        var logger = Logger(label: "fake-mailgun")
        logger.logLevel = .critical
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)), logger: logger)
    }
}

@Suite struct MailgunHTTPProviderTests {
    func email(_ fixture: ServerFixture, to: String, hostID: String) throws -> Int64 {
        let staff = try fixture.store.staff(accountID: fixture.account.id).first { $0.name == "Zoë Clarke" }!
        return try fixture.store.record([NewEmail(accountID: fixture.account.id, raisedByID: staff.id, activity: .receiptRecorded, to: to,
                                                 from: "accounts@mg.example.com", subject: "Receipt", textBody: "Thanks",
                                                 createdAt: Date(), hostID: hostID)])[0]
    }

    @Test func theFeederHandsOverThroughHTTPAndARefusedMessageBecomesRejected() async throws {
        let fixture = try ServerFixture()
        let fake = FakeMailgun()
        let good = try email(fixture, to: "alice@example.net", hostID: "1")
        let refused = try email(fixture, to: "reject@example.net", hostID: "2")
        try await fake.app.test(.live) { client async throws in
            let port = try #require(client.port)
            let provider = MailgunHTTPProvider(baseURL: "http://127.0.0.1:\(port)/", domain: "mg.example.com", apiKey: "key-secret-123")
            let feeder = BatchFeeder(store: fixture.store, provider: provider, ingestor: EventIngestor(store: fixture.store))
            let report = try await Blocking.run { Result { try feeder.handOver(now: Date()) } }.get()
            #expect(report.handedOver == 1 && report.refused == 1 && !report.deferred)
        }
        #expect(fake.authorizationHeaders.allSatisfy { $0 == "Basic " + Data("api:key-secret-123".utf8).base64EncodedString() })
        #expect(fake.received.first?.contains("v%3Aaudit-id=\(good)") == true)
        #expect(fake.received.first?.contains("from=accounts%40mg.example.com") == true)
        let rejected = try #require(try fixture.store.detail(emailID: refused))
        #expect(rejected.email.status == .rejected)
        #expect(rejected.events.first?.rejectReason?.contains("not a valid address") == true)
        #expect(try fixture.store.detail(emailID: good)?.email.providerMessageID?.hasSuffix("@mg.example.com") == true)
        #expect(try fixture.store.pendingHandOver(limit: 10).isEmpty)
    }

    @Test func anOutageOrRateLimitKeepsEmailsPendingUntilTheProviderAnswers() async throws {
        let fixture = try ServerFixture()
        let fake = FakeMailgun()
        fake.down = true
        _ = try email(fixture, to: "alice@example.net", hostID: "1")
        _ = try email(fixture, to: "busy@example.net", hostID: "2")
        try await fake.app.test(.live) { client async throws in
            let port = try #require(client.port)
            let provider = MailgunHTTPProvider(baseURL: "http://127.0.0.1:\(port)", domain: "mg.example.com", apiKey: "k")
            let feeder = BatchFeeder(store: fixture.store, provider: provider, ingestor: EventIngestor(store: fixture.store))
            let down = try await Blocking.run { Result { try feeder.handOver(now: Date()) } }.get()
            #expect(down.deferred && down.handedOver == 0)
            #expect(try fixture.store.pendingHandOver(limit: 10).count == 2)
            fake.down = false
            let limited = try await Blocking.run { Result { try feeder.handOver(now: Date()) } }.get()
            #expect(limited.deferred && limited.handedOver == 1)  // alice goes, busy@ answers 429 and waits
            #expect(try fixture.store.pendingHandOver(limit: 10).map(\.to) == ["busy@example.net"])
        }
    }

    @Test func anUnreachableProviderKeepsEmailsPending() async throws {
        let fixture = try ServerFixture()
        _ = try email(fixture, to: "alice@example.net", hostID: "1")
        let provider = MailgunHTTPProvider(baseURL: "http://127.0.0.1:9", domain: "mg.example.com", apiKey: "k", timeout: .seconds(5))
        let feeder = BatchFeeder(store: fixture.store, provider: provider, ingestor: EventIngestor(store: fixture.store))
        let report = try await Blocking.run { Result { try feeder.handOver(now: Date()) } }.get()
        #expect(report.deferred)
        #expect(report.providerProblem?.contains("cannot reach the provider") == true)
        #expect(try fixture.store.pendingHandOver(limit: 10).count == 1)
    }

    @Test func backoffDoublesUpToTheInterval() {
        #expect(HandOverService.backoff(failures: 0, interval: 300) == 300)
        #expect(HandOverService.backoff(failures: 1, interval: 300) == 5)
        #expect(HandOverService.backoff(failures: 3, interval: 300) == 20)
        #expect(HandOverService.backoff(failures: 20, interval: 300) == 300)
    }
}
