import AuditStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Mailgun
@testable import Server
import Testing

@Suite struct WebhookReceiverTests {
    func post(_ client: some TestClientProtocol, _ body: String, headers: HTTPFields = ServerFixture.json) async throws -> TestResponse {
        try await client.execute(uri: "/webhooks/mailgun", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    @Test func aSignedWebhookIsStoredOnceAndItsRetryIsAccepted() async throws {
        let fixture = try ServerFixture()
        let body = ServerFixture.webhookBody(event: ServerFixture.eventJSON(id: "ev-1"))
        try await fixture.app.test(.router) { client async throws in
            #expect(try await post(client, body).status == .ok)
            #expect(try await post(client, body).status == .ok)  // Mailgun's retry: same token, same event
        }
        #expect(try fixture.store.eventCount() == 1)
    }

    @Test func aForgedSignatureIsRefusedWith406AndNothingStored() async throws {
        let fixture = try ServerFixture()
        let forged = ServerFixture.webhookBody(event: ServerFixture.eventJSON(id: "ev-1"), key: "not-the-key")
        try await fixture.app.test(.router) { client async throws in
            let response = try await post(client, forged)
            #expect(response.status == .notAcceptable)
            #expect(String(buffer: response.body).contains("bad-signature"))
            #expect(!String(buffer: response.body).contains(ServerFixture.signingKey))
        }
        #expect(try fixture.store.eventCount() == 0)
    }

    @Test func anUnsignedEventIsRefusedWith406() async throws {
        let fixture = try ServerFixture()
        try await fixture.app.test(.router) { client async throws in
            #expect(try await post(client, ServerFixture.eventJSON(id: "ev-1")).status == .notAcceptable)
        }
        #expect(try fixture.store.eventCount() == 0)
    }

    @Test func aStaleTimestampIsRefusedWith406() async throws {
        let fixture = try ServerFixture(timestampWindow: 600)
        // Each body is signed just before it is posted, 300 s from the window's edges: on a loaded
        // machine a suite can sit for minutes between building bodies and posting them.
        @Sendable func body(_ id: String, secondsFromNow: Double) -> String {
            ServerFixture.webhookBody(event: ServerFixture.eventJSON(id: id), timestamp: Date() + secondsFromNow)
        }
        try await fixture.app.test(.router) { client async throws in
            #expect(try await post(client, body("ev-1", secondsFromNow: -900)).status == .notAcceptable)
            #expect(try await post(client, body("ev-3", secondsFromNow: 900)).status == .notAcceptable)
            #expect(try await post(client, body("ev-2", secondsFromNow: -60)).status == .ok)
        }
        #expect(try fixture.store.eventCount() == 1)
    }

    @Test func aTokenReusedOnAnotherBodyIsRefusedWith406() async throws {
        let fixture = try ServerFixture()
        let token = ServerFixture.randomToken()
        let first = ServerFixture.webhookBody(event: ServerFixture.eventJSON(id: "ev-1"), token: token)
        let replay = ServerFixture.webhookBody(event: ServerFixture.eventJSON(id: "ev-2", recipient: "bob@example.org"), token: token)
        try await fixture.app.test(.router) { client async throws in
            #expect(try await post(client, first).status == .ok)
            let response = try await post(client, replay)
            #expect(response.status == .notAcceptable)
            #expect(String(buffer: response.body).contains("token-reused"))
        }
        #expect(try fixture.store.eventCount() == 1)
    }

    @Test func anOversizedBodyIsRefusedWith413() async throws {
        let fixture = try ServerFixture()
        let padding = String(repeating: "x", count: 1_048_577)
        let body = ServerFixture.webhookBody(event: ServerFixture.eventJSON(id: "ev-1").replacingOccurrences(of: "\"tags\": []", with: "\"tags\": [\"\(padding)\"]"))
        try await fixture.app.test(.router) { client async throws in
            #expect(try await post(client, body).status == .contentTooLarge)
        }
        #expect(try fixture.store.eventCount() == 0)
    }

    @Test func aTruncatedBodyIsRefusedWith400AndAJSONError() async throws {
        let fixture = try ServerFixture()
        let body = ServerFixture.webhookBody(event: ServerFixture.eventJSON(id: "ev-1"))
        try await fixture.app.test(.router) { client async throws in
            let response = try await post(client, String(body.prefix(body.count / 2)))
            #expect(response.status == .badRequest)
            #expect(response.headers[.contentType] == "application/json")
            let object = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
            #expect((object?["error"] as? [String: Any])?["reason"] as? String == "malformed")
        }
        #expect(try fixture.store.eventCount() == 0)
    }

    @Test func aWrongContentTypeIsRefusedWith415() async throws {
        let fixture = try ServerFixture()
        let body = ServerFixture.webhookBody(event: ServerFixture.eventJSON(id: "ev-1"))
        try await fixture.app.test(.router) { client async throws in
            let form: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
            #expect(try await post(client, body, headers: form).status == .unsupportedMediaType)
            #expect(try await post(client, body, headers: [:]).status == .unsupportedMediaType)
            #expect(try await post(client, body, headers: [.contentType: "application/json; charset=utf-8"]).status == .ok)
        }
        #expect(try fixture.store.eventCount() == 1)
    }

    @Test func concurrentWebhooksAreAllStoredExactlyOnce() async throws {
        let fixture = try ServerFixture()
        let bodies = (0..<300).map { ServerFixture.webhookBody(event: ServerFixture.eventJSON(id: "ev-\($0)", recipient: "r\($0)@example.net")) }
        try await fixture.app.test(.router) { client async throws in
            let statuses = try await withThrowingTaskGroup(of: HTTPResponse.Status.self) { group in
                for body in bodies + bodies.prefix(50) {
                    group.addTask { try await post(client, body).status }
                }
                var all: [HTTPResponse.Status] = []
                for try await status in group { all.append(status) }
                return all
            }
            #expect(statuses.count == 350)
            #expect(statuses.allSatisfy { $0 == .ok })
        }
        #expect(try fixture.store.eventCount() == 300)
    }

    @Test func aStoreThatCannotTakeTheEventAnswers503() async throws {
        let fixture = try ServerFixture()
        try fixture.store.close()
        try await fixture.app.test(.router) { client async throws in
            #expect(try await post(client, ServerFixture.webhookBody(event: ServerFixture.eventJSON(id: "ev-1"))).status == .serviceUnavailable)
        }
    }

    @Test func healthAndReadiness() async throws {
        let fixture = try ServerFixture()
        try await fixture.app.test(.router) { client async throws in
            #expect(try await client.execute(uri: "/healthz", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/readyz", method: .get).status == .ok)
            fixture.routes.providerStatus.record(problem: "Mailgun unavailable (HTTP 503)", at: Date())
            let response = try await client.execute(uri: "/readyz", method: .get)
            #expect(response.status == .serviceUnavailable)
            let answer = try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
            #expect(answer?["provider_reachable"] as? Bool == false)
        }
    }
}
