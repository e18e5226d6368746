import AuditStore
import Foundation
import Hummingbird
import HummingbirdTesting
@testable import Server
import Testing

@Suite struct IntakeTests {
    static let valid = """
        {"host_id": "PMS-1", "raised_by": "Zoë Clarke", "activity": "receipt", "to": "alice@example.net", "cc": ["bob@example.org"], \
        "from": "Harbour Lets <accounts@mg.harbourlets.co.uk>", "subject": "Receipt 1042", "body": "Thank you.", \
        "attachment_names": ["Receipt-1042.pdf"], "linked_units": []}
        """

    func post(_ client: some TestClientProtocol, _ body: String, token: String? = ServerFixture.intakeToken) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: "/v1/emails", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    func object(_ response: TestResponse) throws -> [String: Any] {
        try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any] ?? [:]
    }

    func errorField(_ response: TestResponse) throws -> String? {
        (try object(response)["error"] as? [String: Any])?["field"] as? String
    }

    @Test func aRetryReturnsTheSameEmailID() async throws {
        let fixture = try ServerFixture()
        try await fixture.app.test(.router) { client async throws in
            let first = try await post(client, Self.valid)
            #expect(first.status == .created)
            let id = try object(first)["email_id"] as? Int
            let retry = try await post(client, Self.valid)
            #expect(retry.status == .ok)
            #expect(try object(retry)["email_id"] as? Int == id)
            #expect(try object(retry)["created"] as? Bool == false)
        }
        #expect(try fixture.store.emailCount() == 1)
        let pending = try fixture.store.pendingHandOver(limit: 10)
        #expect(pending.map(\.to) == ["alice@example.net"])
        #expect(pending.first?.cc == ["bob@example.org"])
        #expect(pending.first?.raisedByName == "Zoë Clarke")
    }

    /// The intake's own trim removes what Foundation's `.whitespaces` trim removes, and nothing else.
    @Test func spacesAreTrimmedAsFoundationTrimsWhitespace() {
        for text in ["", "   ", " a@b.c ", "\ta@b.c\u{00A0}", "\u{2003}Zoë Clarke\u{3000}", "a b", "\na@b.c\n", "x\u{200B}", "\u{200B}x", "a@b.c", "Zoë"] {
            #expect(text.trimmedOfSpaces == text.trimmingCharacters(in: .whitespaces), "\(Array(text.unicodeScalars))")
        }
    }

    @Test func theSameHostIDInAnotherAccountIsAnotherEmail() throws {
        let fixture = try ServerFixture()
        let other = try fixture.store.insertAccount(name: "Other Agency")
        _ = try fixture.store.insertStaff(accountID: other.id, name: "Zoë Clarke", role: .staff)
        let recorder = IntakeRecorder(store: fixture.store)
        let request = try IntakeRequest.parse(Data(Self.valid.utf8))
        let a = try recorder.record(request, accountID: fixture.account.id)
        let b = try recorder.record(request, accountID: other.id)
        #expect(a.emailID != b.emailID)
        #expect(a.created && b.created)
    }

    @Test func refusalsNameTheFieldAndStoreNothing() async throws {
        let fixture = try ServerFixture()
        func replacing(_ old: String, _ new: String) -> String { Self.valid.replacingOccurrences(of: old, with: new) }
        let cases: [(String, HTTPResponse.Status, String)] = [
            ("{not json", .badRequest, "(body)"),
            ("[1, 2]", .badRequest, "(body)"),
            (replacing("\"host_id\": \"PMS-1\", ", ""), .badRequest, "host_id"),
            (replacing("\"to\": \"alice@example.net\"", "\"to\": \"alice at example\""), .unprocessableContent, "to"),
            (replacing("\"to\": \"alice@example.net\"", "\"to\": 7"), .badRequest, "to"),
            (replacing("[\"bob@example.org\"]", "[\"bob@example.org\", \"nope\"]"), .unprocessableContent, "cc[1]"),
            (replacing("\"receipt\"", "\"poem\""), .unprocessableContent, "activity"),
            (replacing("Zoë Clarke", "Nobody Here"), .unprocessableContent, "raised_by"),
            (replacing("\"linked_units\": []", "\"linked_units\": [999999]"), .unprocessableContent, "linked_units[0]"),
            (replacing("\"subject\"", "\"subjekt\""), .unprocessableContent, "subjekt"),
            (replacing("{\"host_id\"", "{\"account\": true, \"host_id\""), .badRequest, "account"),
            (replacing("{\"host_id\"", "{\"account\": 42, \"host_id\""), .forbidden, "account"),
        ]
        try await fixture.app.test(.router) { client async throws in
            for (body, status, field) in cases {
                let response = try await post(client, body)
                #expect(response.status == status, "\(field)")
                #expect(try errorField(response) == field)
            }
            #expect(try await post(client, Self.valid, token: nil).status == .unauthorized)
            #expect(try await post(client, Self.valid, token: "wrong-token-0123456789").status == .unauthorized)
        }
        #expect(try fixture.store.emailCount() == 0)
    }

    @Test func linkedUnitsOfTheAccountAreLinked() async throws {
        let fixture = try ServerFixture()
        let body = Self.valid.replacingOccurrences(of: "\"linked_units\": []", with: "\"linked_units\": [\(fixture.unitID)]")
        try await fixture.app.test(.router) { client async throws in
            let response = try await post(client, body)
            #expect(response.status == .created)
            let id = try #require(try object(response)["email_id"] as? Int)
            #expect(try fixture.store.linkedUnitIDs(emailID: Int64(id)) == [fixture.unitID])
        }
    }

    @Test func aBatchRecordsTheGoodLinesAndReportsTheBadOnes() throws {
        let fixture = try ServerFixture()
        let recorder = IntakeRecorder(store: fixture.store)
        var good = try IntakeRequest.parse(Data(Self.valid.utf8))
        good.accountID = fixture.account.id
        var bad = good
        bad.hostID = "PMS-2"
        bad.raisedBy = "Nobody"
        var second = good
        second.hostID = "PMS-3"
        let results = recorder.record(batch: [good, bad, second, good])
        #expect(try results[0].get().created)
        #expect(throws: IntakeError.self) { try results[1].get() }
        #expect(try results[2].get().created)
        #expect(try results[3].get().emailID == results[0].get().emailID)
        #expect(try fixture.store.emailCount() == 2)
    }
}
