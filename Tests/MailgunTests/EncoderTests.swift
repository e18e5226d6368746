import Foundation
import Testing
@testable import Mailgun

@Suite("Encoding")
struct EncoderTests {
    /// An event with every modelled field set, including awkward text.
    static let full = MailgunEvent(
        event: "failed", id: "k7YwP0aHTfGd3sLq2vN9Rw", timestamp: 1796033703.000001, logLevel: "error", method: "http",
        recipient: "no.such.user@gmail.com", recipientDomain: "gmail.com", severity: "permanent", reason: "generic",
        deliveryStatus: .init(code: 550, message: "5.1.1 line one\n5.1.1 \"quoted\" \\ back / slash", description: "",
                              enhancedCode: "5.1.1", attemptNo: 3, retrySeconds: 900, sessionSeconds: 0.42,
                              mxHost: "gmail-smtp-in.l.google.com", bounceType: "hard", tls: true, certificateVerified: false),
        message: .init(headers: .init(to: "Zoë <no.such.user@gmail.com>", from: "Harbour Lets <accounts@mg.harbourlets.co.uk>",
                                      subject: "Rent demand — flat 3 😀", messageID: "20261130101502.5f3c9a1b7d2e4c60@mg.harbourlets.co.uk"),
                       attachments: [.init(filename: "Demand.pdf", contentType: "application/pdf", size: 48_213)],
                       recipients: ["no.such.user@gmail.com"], size: 70_000),
        envelope: .init(sender: "accounts@mg.harbourlets.co.uk", targets: "no.such.user@gmail.com", transport: "smtp",
                        sendingIP: "198.51.100.23"),
        flags: .init(isAuthenticated: true, isRouted: false, isSystemTest: false, isTestMode: false, isDelayedBounce: true),
        reject: .init(reason: "r", description: "d"), url: "https://harbourlets.co.uk/pay?x=1&y=2", ip: "203.0.113.9",
        geolocation: .init(country: "GB", region: "England", city: "London"),
        clientInfo: .init(clientType: "browser", clientOS: "Windows", deviceType: "desktop", clientName: "Chrome",
                          userAgent: "Mozilla/5.0", bot: ""),
        tags: ["demand", "rent"], userVariables: ["audit-id": "E-1", "b": "2", "a": "\u{1}ctl"],
        storage: .init(url: "https://storage.example/messages/K", key: "K"))

    @Test func roundTripOfAFullEvent() throws {
        let line = Self.full.jsonLine()
        let decoded = try MailgunEventDecoder.decode(line: line, lineNumber: 1)
        #expect(decoded.event == Self.full)
        #expect(decoded.rawJSON == line)
        #expect(decoded.event.jsonLine() == line)
    }

    @Test("round trip of every reference example", arguments: ReferenceExamples.events.map(\.name))
    func roundTripOfReferenceExamples(name: String) throws {
        let json = try #require(ReferenceExamples.events.first { $0.name == name }?.json)
        let event = try MailgunEventDecoder.decode(line: json, lineNumber: 1).event
        let encoded = MailgunEventEncoder.jsonLine(event)
        #expect(try MailgunEventDecoder.decode(line: encoded, lineNumber: 1).event == event)
    }

    @Test func usesMailgunFieldNames() {
        let line = Self.full.jsonLine()
        for name in ["log-level", "delivery-status", "attempt-no", "mx-host", "message-id", "user-variables",
                     "is-delayed-bounce", "retry-seconds", "session-seconds", "recipient-domain", "client-info",
                     "enhanced-code", "bounce-type", "certificate-verified", "sending-ip", "content-type",
                     "is-authenticated", "is-test-mode", "client-os", "device-type", "user-agent"] {
            #expect(line.contains("\"\(name)\":"), "missing \(name)")
        }
    }

    @Test func keysAreSortedAtEveryLevel() throws {
        let line = Self.full.jsonLine()
        var bytes = line
        let root = try bytes.withUTF8 { buffer in
            var parser = JSONParser(bytes: buffer)
            return try parser.parseDocument()
        }
        func check(_ value: JSONValue, path: String) {
            switch value {
            case .object(let members):
                let keys = members.map(\.key)
                #expect(keys == keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }, "unsorted at \(path)")
                for member in members { check(member.value, path: path + "." + member.key) }
            case .array(let items):
                for item in items { check(item, path: path + "[]") }
            default: break
            }
        }
        check(root, path: "$")
    }

    @Test func minimalEventOmitsNilFields() {
        let event = MailgunEvent(event: "stored", id: "s1", timestamp: 1741947302.51)
        #expect(event.jsonLine() == #"{"event":"stored","id":"s1","tags":[],"timestamp":1741947302.510000,"user-variables":{}}"#)
    }

    @Test func timestampsHaveSixDecimals() {
        for (seconds, text) in [(1741947302.417863, "1741947302.417863"), (1741975200.0, "1741975200.000000"),
                                (1741947302.000001, "1741947302.000001"), (0.5, "0.500000")] {
            #expect(MailgunEvent(event: "stored", id: "s", timestamp: seconds).jsonLine().contains("\"timestamp\":\(text)"))
        }
    }

    @Test func floatsAndEscapes() {
        let line = Self.full.jsonLine()
        #expect(line.contains(#""session-seconds":0.42"#))
        #expect(line.contains(#""message":"5.1.1 line one\n5.1.1 \"quoted\" \\ back / slash""#))
        #expect(line.contains(#""a":"\u0001ctl""#))
        #expect(line.contains("Zoë"))
        let zero = MailgunEvent(event: "failed", id: "x", timestamp: 1, deliveryStatus: .init(sessionSeconds: 0))
        #expect(zero.jsonLine().contains(#""session-seconds":0.0"#))
    }

    @Test func encodingIsDeterministic() {
        var variables: [String: String] = [:]
        for index in 0..<50 { variables["k\(index)"] = "v\(index)" }
        var event = Self.full
        event.userVariables = variables
        let first = event.jsonLine()
        #expect((0..<5).allSatisfy { _ in event.jsonLine() == first })
        #expect(String(decoding: MailgunEventEncoder.jsonBytes(event), as: UTF8.self) == first)
    }
}

@Suite("Send API shapes")
struct SendAPITests {
    @Test func responseDecodesAndStripsBrackets() throws {
        let json = #"{"id": "<20250314101502.5f3c9a1b7d2e4c60@mg.example.com>", "message": "Queued. Thank you."}"#
        let response = try JSONDecoder().decode(MailgunSendResponse.self, from: Data(json.utf8))
        #expect(response == MailgunSendResponse(id: "<20250314101502.5f3c9a1b7d2e4c60@mg.example.com>"))
        #expect(response.bareMessageID == "20250314101502.5f3c9a1b7d2e4c60@mg.example.com")
        #expect(MailgunSendResponse.bareMessageID(" <a@b> ") == "a@b")
        #expect(MailgunSendResponse.bareMessageID("a@b") == "a@b")
    }

    @Test func errors() {
        let invalid = MailgunSendError.requestRejected(status: 400, message: "to parameter is not a valid address. please check documentation")
        #expect(invalid.status == 400)
        #expect(!invalid.isRetryable)
        #expect(invalid.description == "Mailgun rejected the request (HTTP 400): to parameter is not a valid address. please check documentation")
        #expect(MailgunSendError.rateLimited.status == 429)
        #expect(MailgunSendError.rateLimited.isRetryable)
        #expect(MailgunSendError.unavailable(status: 503, message: "Service Unavailable").isRetryable)
    }

    @Test func requestListsToThenCc() {
        let request = MailgunSendRequest(from: "a@mg.example.com", to: ["b@example.com"], cc: ["c@example.com"],
                                         subject: "s", text: "t", attachments: [.init(filename: "f.pdf", size: 10)])
        #expect(request.recipients == ["b@example.com", "c@example.com"])
    }
}
