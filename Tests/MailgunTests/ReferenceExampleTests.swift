import Foundation
import Testing
@testable import Mailgun

/// Every JSON example in the Mailgun reference decodes, and fields land where they should.
@Suite("Reference examples")
struct ReferenceExampleTests {
    @Test("every §2.3 event example decodes", arguments: ReferenceExamples.events.map(\.name))
    func exampleDecodes(name: String) throws {
        let json = try #require(ReferenceExamples.events.first { $0.name == name }?.json)
        let decoded = try MailgunEventDecoder.decode(line: json, lineNumber: 1)
        #expect(!decoded.event.id.isEmpty)
        #expect(decoded.event.timestamp > 1_741_900_000)
        #expect(decoded.signature == nil)
        #expect(decoded.rawJSON == json.trimmed)
    }

    @Test func acceptedFieldsLandInTheRightProperties() throws {
        let event = try MailgunEventDecoder.decode(line: ReferenceExamples.accepted, lineNumber: 1).event
        #expect(event.event == "accepted")
        #expect(event.id == "Zq8sJ0cWTtOqz3cFq1mB2w")
        #expect(event.timestamp == 1741947302.417863)
        #expect(event.logLevel == "info")
        #expect(event.method == "http")
        #expect(event.recipient == "alice@example.net")
        #expect(event.recipientDomain == "example.net")
        #expect(event.envelope == .init(sender: "billing@mg.example.com", targets: "alice@example.net", transport: "smtp"))
        #expect(event.flags == .init(isAuthenticated: true, isTestMode: false))
        #expect(event.message?.headers == .init(to: "Alice <alice@example.net>", from: "Billing <billing@mg.example.com>",
                                                subject: "Invoice 1042",
                                                messageID: "20250314101502.5f3c9a1b7d2e4c60@mg.example.com"))
        #expect(event.message?.attachments == [])
        #expect(event.message?.recipients == ["alice@example.net"])
        #expect(event.message?.size == 4213)
        #expect(event.storage?.key == "BAABAQc1x")
        #expect(event.storage?.url == "https://storage-us-east4.api.mailgun.net/v3/domains/mg.example.com/messages/BAABAQc1x")
        #expect(event.tags == ["invoice"])
        #expect(event.userVariables == ["audit-id": "A-77"])
        #expect(event.bareMessageID == "20250314101502.5f3c9a1b7d2e4c60@mg.example.com")
        #expect(event.effectiveRecipient == "alice@example.net")
        #expect(event.isMessageEvent)
    }

    @Test func rejectedHasNoRecipientButAnEffectiveOne() throws {
        let event = try MailgunEventDecoder.decode(line: ReferenceExamples.rejected, lineNumber: 1).event
        #expect(event.recipient == nil)
        #expect(event.effectiveRecipient == "bob@example.org")
        #expect(event.reject?.reason?.hasPrefix("Sandbox subdomains are for test purposes only.") == true)
        #expect(event.reject?.description == "")
        #expect(event.timestamp == 1741947302.51)
        #expect(event.logLevel == "warn")
    }

    @Test func deliveredStatus() throws {
        let event = try MailgunEventDecoder.decode(line: ReferenceExamples.delivered, lineNumber: 1).event
        #expect(event.deliveryStatus == .init(code: 250, message: "OK", description: "", attemptNo: 1, sessionSeconds: 0.84,
                                              mxHost: "mx1.example.net", tls: true, certificateVerified: true))
        #expect(event.envelope?.sendingIP == "198.51.100.23")
        #expect(event.flags == .init(isAuthenticated: true, isRouted: false, isSystemTest: false, isTestMode: false))
    }

    @Test func temporaryFailure() throws {
        let event = try MailgunEventDecoder.decode(line: ReferenceExamples.failedTemporary, lineNumber: 1).event
        #expect(event.severity == "temporary")
        #expect(event.reason == "generic")
        let status = try #require(event.deliveryStatus)
        #expect(status.code == 452)
        #expect(status.enhancedCode == "4.2.2")
        #expect(status.attemptNo == 1)
        #expect(status.retrySeconds == 600)
        #expect(status.sessionSeconds == 0.31)
        #expect(status.mxHost == "gmail-smtp-in.l.google.com")
        #expect(status.message == "4.2.2 The email account that you tried to reach is over quota. Please direct\n4.2.2 the recipient to https://support.google.com/mail/?p=OverQuotaTemp")
    }

    @Test func hardBounceAndSuppression() throws {
        let bounce = try MailgunEventDecoder.decode(line: ReferenceExamples.failedBounce, lineNumber: 1).event
        #expect(bounce.severity == "permanent")
        #expect(bounce.reason == "bounce")
        #expect(bounce.deliveryStatus?.bounceType == "hard")
        #expect(bounce.deliveryStatus?.code == 550)
        #expect(bounce.deliveryStatus?.enhancedCode == "5.1.1")

        let suppressed = try MailgunEventDecoder.decode(line: ReferenceExamples.failedSuppressed, lineNumber: 1).event
        #expect(suppressed.reason == "suppress-bounce")
        #expect(suppressed.deliveryStatus == .init(code: 605, message: "", description: "Not delivering to previously bounced address",
                                                   attemptNo: 1, sessionSeconds: 0.0))

        let old = try MailgunEventDecoder.decode(line: ReferenceExamples.failedTooOld, lineNumber: 1).event
        #expect(old.reason == "old")
        #expect(old.deliveryStatus?.code == 602)
        #expect(old.deliveryStatus?.attemptNo == 8)
        #expect(old.deliveryStatus?.message == "Too old")
    }

    @Test func openedCarriesOnlyTheMessageIDAndEngagementDetails() throws {
        let event = try MailgunEventDecoder.decode(line: ReferenceExamples.opened, lineNumber: 1).event
        #expect(event.message == .init(headers: .init(messageID: "20250314101502.5f3c9a1b7d2e4c60@mg.example.com")))
        #expect(event.ip == "203.0.113.45")
        #expect(event.geolocation == .init(country: "DE", region: "BE", city: "Berlin"))
        #expect(event.clientInfo == .init(clientType: "email client", clientOS: "iOS", deviceType: "mobile",
                                          clientName: "Apple Mail", userAgent: "Mozilla/5.0", bot: "apple"))
    }

    @Test func complainedAndStored() throws {
        let complained = try MailgunEventDecoder.decode(line: ReferenceExamples.complained, lineNumber: 1).event
        #expect(complained.recipient == "erin@example.com")
        #expect(complained.recipientDomain == nil)
        #expect(complained.envelope == .init(sendingIP: "198.51.100.23"))
        #expect(complained.timestamp == 1741975200.0)

        let stored = try MailgunEventDecoder.decode(line: ReferenceExamples.stored, lineNumber: 1).event
        #expect(stored.event == "stored")
        #expect(!stored.isMessageEvent)
        #expect(stored.bareMessageID == "CAF3x9@mail.example.org")
        #expect(stored.message?.recipients == ["support@mg.example.com"])
    }

    /// §3.2 shows the webhook body with a placeholder for `event-data`; fill it with a real event.
    @Test("webhook body (§3.2 shape) decodes", arguments: ReferenceExamples.events.map(\.name))
    func webhookBodyDecodes(name: String) throws {
        let event = try #require(ReferenceExamples.events.first { $0.name == name }?.json).trimmed
        let placeholder = #"{ "...": "one event object exactly as in the Events API (section 2)" }"#
        #expect(ReferenceExamples.webhookBody.contains(placeholder))
        let body = ReferenceExamples.webhookBody.replacingOccurrences(of: placeholder, with: event)
        let decoded = try MailgunEventDecoder.decode(line: body, lineNumber: 9)
        let bare = try MailgunEventDecoder.decode(line: event, lineNumber: 9)
        #expect(decoded.event == bare.event)
        #expect(decoded.rawJSON == event)
        #expect(decoded.signature == MailgunWebhookSignature(
            timestamp: "1741947310", token: "3f9c1e0b7a5d4c2e8f6a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d",
            signature: "0bc43bd965377db8ff3d5e39b6519a3d9b85e190f12c780afacd435c74a67fe4"))
    }

    @Test func webhookBodyPlaceholderIsReportedNotCrashed() {
        #expect(throws: MailgunDecodingError(line: 4, field: "event", problem: "missing")) {
            try MailgunEventDecoder.decode(line: ReferenceExamples.webhookBody, lineNumber: 4)
        }
    }

    @Test func eventsPageDecodes() throws {
        let page = try MailgunEventsPage.decode(ReferenceExamples.eventsPage)
        #expect(page.paging.next == "https://api.mailgun.net/v3/mg.example.com/events/W3siYiI6...")
        #expect(page.paging.previous == "https://api.mailgun.net/v3/mg.example.com/events/Lkawm...")
        #expect(page.paging.first == "...")
        // The example's single item is a placeholder without id or timestamp.
        #expect(page.events.isEmpty)
        #expect(page.failures == [MailgunDecodingError(line: 1, field: "id", problem: "missing")])
    }

    @Test func eventsPageWithRealItems() throws {
        let items = [ReferenceExamples.accepted, ReferenceExamples.delivered, ReferenceExamples.opened].joined(separator: ",")
        let page = try MailgunEventsPage.decode(#"{"items": [\#(items), 42], "paging": {"next": "n", "previous": "p"}}"#)
        #expect(page.events.map(\.event.event) == ["accepted", "delivered", "opened"])
        #expect(page.failures.map(\.field) == ["(root)"])
        #expect(page.failures.first?.line == 4)
        let reparsed = try MailgunEventDecoder.decode(line: page.events[1].rawJSON, lineNumber: 1)
        #expect(reparsed.event == page.events[1].event)
        #expect(page.events[1].rawJSON == ReferenceExamples.delivered.trimmed)
    }
}
