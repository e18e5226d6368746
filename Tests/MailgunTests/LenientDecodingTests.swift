import Testing
@testable import Mailgun

/// §1 "Loose typing": the variants current payloads use all decode.
@Suite("Lenient decoding")
struct LenientDecodingTests {
    private func decode(_ json: String) throws -> MailgunEvent {
        try MailgunEventDecoder.decode(line: json, lineNumber: 1).event
    }

    private let headers = #""message": {"headers": {"message-id": "<m1@mg.example.com>"}}"#

    @Test func nullDescriptionAndEnhancedCode() throws {
        let event = try decode(#"{"event": "failed", "id": "a", "timestamp": 1.5, \#(headers), "delivery-status": {"code": 550, "description": null, "enhanced-code": null, "message": "x"}}"#)
        #expect(event.deliveryStatus == .init(code: 550, message: "x"))
    }

    @Test func emptyUserVariablesAsArrayAndStorageAsArray() throws {
        let event = try decode(#"{"event": "delivered", "id": "a", "timestamp": 1, \#(headers), "user-variables": [], "storage": []}"#)
        #expect(event.userVariables == [:])
        #expect(event.storage == nil)
    }

    @Test("client-info.bot may be a string, empty or null", arguments: [
        (#""apple""#, "apple" as String?), (#""""#, ""), ("null", nil),
    ])
    func botVariants(raw: String, expected: String?) throws {
        let event = try decode(#"{"event": "opened", "id": "a", "timestamp": 1, \#(headers), "client-info": {"bot": \#(raw)}}"#)
        #expect(event.clientInfo?.bot == expected)
    }

    @Test("method case varies", arguments: ["http", "HTTP", "Http"])
    func methodCase(raw: String) throws {
        let event = try decode(#"{"event": "accepted", "id": "a", "timestamp": 1, \#(headers), "method": "\#(raw)"}"#)
        #expect(event.method == "http")
    }

    @Test func numbersAsStrings() throws {
        let event = try decode(#"{"event": "failed", "id": "a", "timestamp": "1741947302.417863", \#(headers), "delivery-status": {"code": "550", "attempt-no": "2", "retry-seconds": 600.0, "session-seconds": "0.5"}, "message": {"headers": {"message-id": "m"}, "size": "100"}}"#)
        #expect(event.timestamp == 1741947302.417863)
        #expect(event.deliveryStatus?.code == 550)
        #expect(event.deliveryStatus?.attemptNo == 2)
        #expect(event.deliveryStatus?.retrySeconds == 600)
        #expect(event.deliveryStatus?.sessionSeconds == 0.5)
        #expect(event.message?.size == 100)
    }

    @Test func wrongTypesInOptionalFieldsReadAsNil() throws {
        let event = try decode(#"{"event": "failed", "id": "a", "timestamp": 1, \#(headers), "delivery-status": {"code": "five", "tls": "maybe", "mx-host": {"a": 1}}, "tags": null, "flags": "x"}"#)
        #expect(event.deliveryStatus == .init())
        #expect(event.tags == [])
        #expect(event.flags == nil)
    }

    @Test func nonStringUserVariablesAreStringified() throws {
        let event = try decode(#"{"event": "accepted", "id": "a", "timestamp": 1, \#(headers), "user-variables": {"audit-id": "A-1", "n": 42, "f": 1.5, "b": true, "z": null, "o": {"x": [1, "y"]}}}"#)
        #expect(event.userVariables == ["audit-id": "A-1", "n": "42", "f": "1.5", "b": "true", "z": "null", "o": #"{"x":[1,"y"]}"#])
    }

    @Test func flagsFromStringsAndNumbers() throws {
        let event = try decode(#"{"event": "failed", "id": "a", "timestamp": 1, \#(headers), "flags": {"is-delayed-bounce": "true", "is-test-mode": 0, "is-routed": "no"}}"#)
        #expect(event.flags == .init(isRouted: false, isTestMode: false, isDelayedBounce: true))
    }

    @Test func unknownKeysAreIgnored() throws {
        let event = try decode(#"{"event": "delivered", "id": "a", "timestamp": 1, \#(headers), "account": {"id": "x"}, "recipient-provider": "Gmail", "primary-dkim": "d", "campaigns": [], "delivery-status": {"utf8": true, "first-delivery-attempt-seconds": 0.2, "code": 250}}"#)
        #expect(event.deliveryStatus == .init(code: 250))
    }

    @Test func bracketedMessageIDIsStripped() throws {
        let event = try decode(#"{"event": "delivered", "id": "a", "timestamp": 1, "message": {"headers": {"message-id": " <20261130101502.5f3c9a1b7d2e4c60@mg.example.com> "}}}"#)
        #expect(event.bareMessageID == "20261130101502.5f3c9a1b7d2e4c60@mg.example.com")
    }

    @Test func effectiveRecipientFromToHeader() throws {
        let event = try decode(#"{"event": "rejected", "id": "a", "timestamp": 1, "message": {"headers": {"to": "\"Smith, Bob\" <Bob.Smith@Example.ORG>, carol@example.org", "message-id": "m"}}}"#)
        #expect(event.effectiveRecipient == "bob.smith@example.org")
        #expect(MailgunEvent.bareAddress(inHeader: "dave@example.org, erin@example.org") == "dave@example.org")
    }

    @Test func stringEscapesAndUnicode() throws {
        let event = try decode(#"{"event": "delivered", "id": "a", "timestamp": 1, "message": {"headers": {"message-id": "m", "subject": "Caf\u00e9 \ud83d\ude00 \"q\" \/ tab\t \u0041"}}}"#)
        #expect(event.message?.headers?.subject == "Café 😀 \"q\" / tab\t A")
    }

    @Test func nonMessageEventsNeedNoMessageID() throws {
        let event = try decode(#"{"event": "list_uploaded", "id": "a", "timestamp": 1}"#)
        #expect(event.event == "list_uploaded")
        #expect(event.bareMessageID == nil)
    }

    @Test func bytesAndStringEntryPointsAgree() throws {
        let line = ReferenceExamples.delivered
        let fromString = try MailgunEventDecoder.decode(line: line, lineNumber: 1)
        let fromBytes = try Array(line.utf8).withUnsafeBufferPointer { buffer in
            try MailgunEventDecoder.decode(utf8: buffer, lineNumber: 1)
        }
        #expect(fromString == fromBytes)
    }

    @Test func blankLines() {
        #expect(MailgunEventDecoder.isBlank(""))
        #expect(MailgunEventDecoder.isBlank("  \t\r\n"))
        #expect(!MailgunEventDecoder.isBlank(" {} "))
    }

    @Test func webhookMembersInAnyOrderAndExtraRootKeys() throws {
        let event = #"{"event":"delivered","id":"a","timestamp":1,"message":{"headers":{"message-id":"m"}},"x":{"y":[1,{"z":null}]}}"#
        let body = #"{"event-data": \#(event), "extra": [true], "signature": {"timestamp": 1741947310, "token": "t", "signature": "s"}}"#
        let decoded = try MailgunEventDecoder.decode(line: body, lineNumber: 1)
        #expect(decoded.rawJSON == event)
        #expect(decoded.event.event == "delivered")
        #expect(decoded.signature == MailgunWebhookSignature(timestamp: "1741947310", token: "t", signature: "s"))
        let unsigned = try MailgunEventDecoder.decode(line: #"{"event-data": \#(event)}"#, lineNumber: 1)
        #expect(unsigned.signature == nil)
        #expect(unsigned.event == decoded.event)
    }

    @Test func escapedMemberNamesStillMatch() throws {
        let event = try decode(#"{"ev\u0065nt": "stored", "id": "a", "t\u0069mestamp": 3, "log-\u006cevel": "info"}"#)
        #expect(event.event == "stored")
        #expect(event.timestamp == 3)
        #expect(event.logLevel == "info")
    }

    @Test func surroundingWhitespaceIsTrimmedFromRawJSON() throws {
        let decoded = try MailgunEventDecoder.decode(line: "  {\"event\": \"stored\", \"id\": \"a\", \"timestamp\": 2}\r\n", lineNumber: 1)
        #expect(decoded.rawJSON == "{\"event\": \"stored\", \"id\": \"a\", \"timestamp\": 2}")
    }

    @Test func decodingFromManyThreadsAtOnceAgrees() async throws {
        let lines = ReferenceExamples.events.map(\.json)
        let expected = try lines.map { try MailgunEventDecoder.decode(line: $0, lineNumber: 1) }
        try await withThrowingTaskGroup(of: [DecodedMailgunEvent].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var results: [DecodedMailgunEvent] = []
                    for _ in 0..<50 {
                        results = try lines.map { try MailgunEventDecoder.decode(line: $0, lineNumber: 1) }
                    }
                    return results
                }
            }
            for try await results in group {
                #expect(results == expected)
            }
        }
    }
}

/// Malformed lines give an error naming the line and the field.
@Suite("Decoding errors")
struct DecodingErrorTests {
    private let message = #""message": {"headers": {"message-id": "m"}}"#

    @Test func missingID() {
        #expect(throws: MailgunDecodingError(line: 7, field: "id", problem: "missing")) {
            try MailgunEventDecoder.decode(line: #"{"event": "delivered", "timestamp": 1, \#(message)}"#, lineNumber: 7)
        }
    }

    @Test func timestampAsText() throws {
        let error = try #require(throws: MailgunDecodingError.self) {
            try MailgunEventDecoder.decode(line: #"{"event": "delivered", "id": "x", "timestamp": "abc", \#(message)}"#, lineNumber: 3)
        }
        #expect(error.line == 3)
        #expect(error.field == "timestamp")
        #expect(error.description == #"line 3: field "timestamp": expected a number, found "abc""#)
    }

    @Test func notJSON() throws {
        let error = try #require(throws: MailgunDecodingError.self) {
            try MailgunEventDecoder.decode(line: "event=delivered&id=x", lineNumber: 12)
        }
        #expect(error.line == 12)
        #expect(error.field == "(json)")
        #expect(error.problem.hasPrefix("not valid JSON"))
        #expect(error.description.hasPrefix(#"line 12: field "(json)": not valid JSON"#))
    }

    @Test("truncated or broken JSON", arguments: [
        #"{"event": "delivered""#, #"{"event": "delivered",}"#, #"{"event": 'x'}"#, "{\"a\": \"tab\there\"}",
        #"{"a": 01}"#, #"{"a": 1} {"#, "", #"{"a": "\x"}"#, #"{"a": tru}"#,
    ])
    func brokenJSON(line: String) throws {
        let error = try #require(throws: MailgunDecodingError.self) {
            try MailgunEventDecoder.decode(line: line, lineNumber: 5)
        }
        #expect(error.field == "(json)")
        #expect(error.line == 5)
    }

    @Test func arrayRoot() {
        #expect(throws: MailgunDecodingError(line: 2, field: "(root)", problem: "expected an object, found an array")) {
            try MailgunEventDecoder.decode(line: #"[{"event": "delivered"}]"#, lineNumber: 2)
        }
    }

    @Test func wrongTypesForRequiredFields() {
        #expect(throws: MailgunDecodingError(line: 1, field: "event", problem: "expected a string, found 42")) {
            try MailgunEventDecoder.decode(line: #"{"event": 42, "id": "x", "timestamp": 1}"#, lineNumber: 1)
        }
        #expect(throws: MailgunDecodingError(line: 1, field: "id", problem: "is empty")) {
            try MailgunEventDecoder.decode(line: #"{"event": "stored", "id": "", "timestamp": 1}"#, lineNumber: 1)
        }
        #expect(throws: MailgunDecodingError(line: 1, field: "timestamp", problem: "missing")) {
            try MailgunEventDecoder.decode(line: #"{"event": "stored", "id": "x"}"#, lineNumber: 1)
        }
    }

    @Test func messageEventsNeedAMessageID() {
        #expect(throws: MailgunDecodingError(line: 4, field: "message.headers.message-id", problem: "missing")) {
            try MailgunEventDecoder.decode(line: #"{"event": "delivered", "id": "x", "timestamp": 1}"#, lineNumber: 4)
        }
        #expect(throws: MailgunDecodingError(line: 4, field: "message.headers.message-id", problem: "expected a string, found [1]")) {
            try MailgunEventDecoder.decode(line: #"{"event": "opened", "id": "x", "timestamp": 1, "message": {"headers": {"message-id": [1]}}}"#, lineNumber: 4)
        }
        #expect(throws: MailgunDecodingError(line: 4, field: "message.headers.message-id", problem: "is empty")) {
            try MailgunEventDecoder.decode(line: #"{"event": "clicked", "id": "x", "timestamp": 1, "message": {"headers": {"message-id": "<>"}}}"#, lineNumber: 4)
        }
    }

    @Test func webhookBodyWithBadEventData() {
        #expect(throws: MailgunDecodingError(line: 1, field: "event-data", problem: "expected an object, found a string")) {
            try MailgunEventDecoder.decode(line: #"{"signature": {}, "event-data": "x"}"#, lineNumber: 1)
        }
    }

    @Test func longValuesAreCutInMessages() throws {
        let long = String(repeating: "a", count: 100)
        let error = try #require(throws: MailgunDecodingError.self) {
            try MailgunEventDecoder.decode(line: #"{"event": "stored", "id": "x", "timestamp": "\#(long)"}"#, lineNumber: 1)
        }
        #expect(error.problem.count < 80)
        #expect(error.problem.hasSuffix("..."))
    }
}
