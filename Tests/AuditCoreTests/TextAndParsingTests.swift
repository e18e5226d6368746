import Foundation
import Testing
@testable import AuditCore

@Suite("Status names, addresses, neutralised text")
struct TextAndParsingTests {
    @Test(arguments: ["temporary-failure", "Temporary Failure", "TEMPORARY_FAILURE", "temporaryfailure"])
    func parsesStatusNamesLoosely(_ text: String) {
        #expect(EmailStatus(parsing: text) == .temporaryFailure)
    }

    @Test func rejectsUnknownStatus() {
        #expect(EmailStatus(parsing: "bounced") == nil)
        #expect(EmailStatus.allCases.count == 10)
        #expect(Set(EmailStatus.allCases.map(\.code)).count == 10)
    }

    @Test func controlCharactersAreNeutralised() {
        let hostile = "Invoice\u{1B}[2J\u{07} due\u{9B}31m\u{202E}txt\r\nnext"
        let single = TerminalText.singleLine(hostile)
        #expect(!single.unicodeScalars.contains { $0.value < 0x20 || (0x7F..<0xA0).contains($0.value) })
        #expect(single.contains("␛[2J␇"))
        #expect(!single.contains("\u{202E}"))
        #expect(TerminalText.lines("a\r\nb\nc").count == 3)
        #expect(TerminalText.singleLine("Zoë Łukasz 日本") == "Zoë Łukasz 日本")
    }

    @Test func addressValidation() {
        #expect(EmailAddress.isValid("zoe.o'brien@example.co.uk"))
        #expect(!EmailAddress.isValid("no-at-sign.example.com"))
        #expect(!EmailAddress.isValid("two@@example.com"))
        #expect(!EmailAddress.isValid("spaces in@example.com"))
        #expect(!EmailAddress.isValid("a@example"))
        #expect(!EmailAddress.isValid("a@exa_mple.com"))
        #expect(EmailAddress.bare("Alice <Alice@Example.net>") == "alice@example.net")
        #expect(EmailAddress.domain(of: "x@Gmail.com") == "gmail.com")
    }

    @Test func addressPatterns() {
        #expect(AddressPattern(parsing: "smith*") == .prefix("smith"))
        #expect(AddressPattern(parsing: " A@B.com ") == .exact("a@b.com"))
        #expect(AddressPattern(parsing: "") == nil)
        #expect(AddressPattern(parsing: "*") == nil)
        #expect(AddressPattern(parsing: "a*b*") == nil)
        #expect(AddressPattern.prefix("smith").matches("Smith.J@example.com"))
    }

    @Test func trackingLinesReadNaturally() {
        let line = StatusTracking.describe(Fixture.event(.failed, at: 0, severity: .temporary, reason: "generic", code: 452, attempt: 2, message: "mailbox full"))
        #expect(line.hasPrefix("Temporary Failure — attempt 2 — 452 mailbox full"))
        var retrying = Fixture.temp2
        retrying.delivery?.retrySeconds = 900
        #expect(StatusTracking.describe(retrying).hasSuffix("retrying in 15 min"))
    }

    @Test func adviceFollowsTheReason() {
        let suppressed = StatusDetail(status: .failed, severity: .permanent, reason: "suppress-bounce", code: 605)
        #expect(RecommendedAction.advice(for: .failed, detail: suppressed).contains("support"))
        let denied = StatusDetail(status: .failed, severity: .permanent, reason: "bounce", code: 550,
                                  message: "550 5.4.1 Recipient address rejected: Access denied.")
        #expect(RecommendedAction.advice(for: .failed, detail: denied).contains("allow our sending domain"))
        let missing = StatusDetail(status: .failed, reason: "bounce", code: 550, message: "The email account that you tried to reach does not exist.")
        #expect(RecommendedAction.advice(for: .failed, detail: missing).contains("spelling"))
        #expect(RecommendedAction.advice(for: .rejected, detail: nil).contains("support"))
        let closed = StatusDetail(status: .failed, severity: .permanent, reason: "generic", code: 550,
                                  message: "5.2.1 STOREDRV.Deliver; mailbox disabled", occurredAt: Date())
        #expect(RecommendedAction.advice(for: .failed, detail: closed).contains("current address"))
    }

    @Test func suppressionRules() {
        #expect(SuppressionKind.added(by: Fixture.bounce) == .bounce)
        #expect(SuppressionKind.added(by: Fixture.temp1) == nil)
        #expect(SuppressionKind.added(by: Fixture.oldTemporary) == nil)
        #expect(SuppressionKind.added(by: Fixture.complained) == .complaint)
        #expect(SuppressionKind.added(by: Fixture.unsubscribed) == .unsubscribe)
    }
}
