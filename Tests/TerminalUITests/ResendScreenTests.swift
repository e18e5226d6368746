import AuditCore
import Foundation
import Testing
@testable import TerminalUI

/// Resends against the fake store: refuses a suppressed address with its entry, records the rest.
final class FakeResendActions: ResendActions, @unchecked Sendable {
    let reader: FakeAuditReader
    private let lock = NSLock()
    private(set) var calls: [String] = []

    init(reader: FakeAuditReader) {
        self.reader = reader
    }

    func resend(emailID: Int64, to: String, updateContacts: Bool, accountID: Int64) throws -> ResendOutcome {
        lock.lock()
        calls.append("resend \(emailID) to \(to) contacts \(updateContacts) account \(accountID)")
        lock.unlock()
        if let entry = try reader.suppression(for: to) { throw ResendRefusal.suppressed(entry) }
        let originalTo = try reader.detail(emailID: emailID)?.email.to ?? ""
        let contacts = updateContacts ? Set(FakeAuditReader.units(for: originalTo).map(\.contactName)).count : 0
        guard let outcome = reader.recordResend(of: emailID, to: to, contactsUpdated: contacts) else { throw ResendRefusal.notFound(emailID: emailID) }
        return outcome
    }
}

@Suite struct ResendScreenTests {
    static func session(width: Int = 80, height: Int = 24) -> (HeadlessSession, FakeResendActions) {
        let reader = FakeAuditReader()
        let actions = FakeResendActions(reader: reader)
        var options = Fixture.options(filter: EmailFilter(dateRange: .all))
        options.resendActions = actions
        return (HeadlessSession(reader: reader, options: options, width: width, height: height, now: { FakeAuditReader.now }), actions)
    }

    /// Opens View of email `id` (the list shows every date, newest first).
    static func view(_ session: HeadlessSession, id: Int64) {
        session.state.list.rows.firstIndex { $0.id == id }.map { index in
            for _ in 0..<index { session.send(.down) }
        }
        session.send(.enter)
    }

    @Test func rResendsToACorrectedAddressUpdatesContactsAndLinksBothWays() throws {
        let (session, actions) = Self.session(width: 120, height: 40)
        Self.view(session, id: 4)
        guard case .detail(let popup) = session.state.topScreen, popup.emailID == 4 else { Issue.record("View of #4 not open"); return }
        session.send(.character("R"))
        guard case .resend(let prompt) = session.state.topScreen else { Issue.record("no resend pop-up"); return }
        #expect(prompt.text == "dave.brown@bounce.example" && prompt.step == .editing, "To prefilled")
        // A malformed address: a one-line error, nothing recorded, the pop-up stays.
        session.send(.control("u"))
        session.type("dave.brown@example")
        session.send(.enter)
        guard case .resend(let bad) = session.state.topScreen else { Issue.record("pop-up closed on a bad address"); return }
        #expect(bad.error?.contains("is not an email address") == true)
        #expect(actions.calls.isEmpty)
        // Corrected: the contacts question, then y.
        session.type(".com")
        session.send(.enter)
        guard case .resend(let asking) = session.state.topScreen else { Issue.record("pop-up closed"); return }
        #expect(asking.step == .askContacts(address: "dave.brown@example.com"))
        #expect(actions.calls.isEmpty, "nothing sent before y or n")
        session.send(.character("y"))
        #expect(actions.calls == ["resend 4 to dave.brown@example.com contacts true account 1"])
        // The new email's View opens over the original's and says what it resends.
        guard case .detail(let new) = session.state.topScreen else { Issue.record("new View not open"); return }
        #expect(new.detail?.links.resendOf == 4 && new.detail?.email.status == .pending)
        #expect(session.state.notice?.text.hasPrefix("Resent #4 as #\(new.emailID) to dave.brown@example.com") == true)
        #expect(session.state.notice?.text.hasSuffix("1 contact record updated") == true)
        #expect(session.render().text.contains("Resend of    #4 (To corrected from dave.brown@bounce.example) · Enter opens #4"))
        // Enter jumps to the original, which says "Resent as"; Enter there jumps back.
        session.send(.enter)
        guard case .detail(let original) = session.state.topScreen, original.emailID == 4 else { Issue.record("Enter did not open #4"); return }
        #expect(original.detail?.links.resentAs == [new.emailID])
        #expect(session.render().text.contains("Resent as    #\(new.emailID) · Enter opens #\(new.emailID)"))
        session.send(.enter)
        guard case .detail(let back) = session.state.topScreen else { Issue.record("no View"); return }
        #expect(back.emailID == new.emailID)
    }

    @Test func anUnchangedAddressSkipsTheContactsQuestionAndNIsHonoured() {
        let (session, actions) = Self.session()
        Self.view(session, id: 2)
        session.send([.character("R"), .enter])
        #expect(actions.calls == ["resend 2 to bob.smith@example.net contacts false account 1"])
        let (other, otherActions) = Self.session()
        Self.view(other, id: 2)
        other.send([.character("R"), .control("u")])
        other.type("robert.smith@example.net")
        other.send([.enter, .character("n")])
        #expect(otherActions.calls == ["resend 2 to robert.smith@example.net contacts false account 1"])
    }

    @Test func aSuppressedAddressIsRefusedWithTheEntryAndSLeadsToIt() {
        let (session, actions) = Self.session()
        Self.view(session, id: 4)
        session.send([.character("R"), .enter])
        #expect(actions.calls.count == 1)
        guard case .resend(let prompt) = session.state.topScreen, case .refused(.suppressed(let entry)) = prompt.step else {
            Issue.record("no refusal shown"); return
        }
        #expect(entry.address == "dave.brown@bounce.example")
        let text = session.render().text
        #expect(text.contains("Not resent: dave.brown@bounce.example is on the suppression list."))
        #expect(text.contains("Bounced since"))
        #expect(text.contains("email-audit suppressions request dave.brown@bounce.example --note TEXT"))
        session.send(.character("S"))
        guard case .suppressions(let list) = session.state.topScreen else { Issue.record("S did not open the list"); return }
        #expect(list.selectedEntry?.address == "dave.brown@bounce.example")
    }

    @Test func escCancelsAndWithoutActionsRIsOff() {
        let (session, actions) = Self.session()
        Self.view(session, id: 2)
        session.send([.character("R"), .escape])
        #expect(actions.calls.isEmpty)
        #expect(session.state.notice?.text == "Nothing was sent.")
        guard case .detail = session.state.topScreen else { Issue.record("back on View"); return }
        let plain = Fixture.session(filter: EmailFilter(dateRange: .all))
        Self.view(plain, id: 2)
        plain.send(.character("R"))
        #expect(plain.state.notice?.text == "Resending is not available here.")
    }

    /// The hint bar follows the pop-up's step: the To box, the contacts question, the refusal.
    @Test func theHintBarNamesTheKeysOfEachStep() {
        func hintLine(_ session: HeadlessSession) -> String {
            let lines = session.render().text.split(separator: "\n", omittingEmptySubsequences: false)
            return String(lines[session.state.layout.hintRow])
        }
        let (session, actions) = Self.session(width: 120, height: 40)
        Self.view(session, id: 2)
        session.send(.character("R"))
        #expect(session.state.keyContext == .resendPrompt)
        #expect(hintLine(session).contains("Enter Resend") && hintLine(session).contains("Esc Cancel"))
        session.send(.control("u"))
        session.type("robert.smith@example.net")
        session.send(.enter)
        #expect(session.state.keyContext == .resendQuestion)
        let asking = hintLine(session)
        #expect(asking.contains("y Update contacts") && asking.contains("n Resend only") && asking.contains("Esc Back"))
        #expect(!asking.contains("Enter Resend"), "Enter does nothing at the question")
        // A click on a hint presses its key: "n" resends without touching the contacts.
        let column = asking.range(of: "n Resend only").map { asking.distance(from: asking.startIndex, to: $0.lowerBound) } ?? -1
        session.send(.mouse(MouseEvent(kind: .click, x: column, y: session.state.layout.hintRow)))
        #expect(actions.calls == ["resend 2 to robert.smith@example.net contacts false account 1"])

        let (refused, _) = Self.session(width: 120, height: 40)
        Self.view(refused, id: 4)
        refused.send([.character("R"), .enter])
        #expect(refused.state.keyContext == .resendRefused)
        let refusal = hintLine(refused)
        #expect(refusal.contains("S Suppression list") && refusal.contains("Esc Close") && !refusal.contains("Enter Resend"))
    }

    @Test(arguments: SnapshotTests.sizes)
    func resendPopUp(width: Int, height: Int) {
        let (session, _) = Self.session(width: width, height: height)
        Self.view(session, id: 4)
        session.send([.character("R"), .control("u")])
        session.type("dave.brown@example.com")
        session.send(.enter)
        assertSnapshot(session.render(), named: "resend-contacts-\(width)x\(height)")
    }

    @Test(arguments: SnapshotTests.sizes)
    func resendRefused(width: Int, height: Int) {
        let (session, _) = Self.session(width: width, height: height)
        Self.view(session, id: 4)
        session.send([.character("R"), .enter])
        assertSnapshot(session.render(), named: "resend-refused-\(width)x\(height)")
    }

    @Test(arguments: SnapshotTests.sizes)
    func resendOfInView(width: Int, height: Int) {
        let (session, _) = Self.session(width: width, height: height)
        Self.view(session, id: 2)
        session.send([.character("R"), .control("u")])
        session.type("robert.smith@example.net")
        session.send([.enter, .character("n")])
        assertSnapshot(session.render(), named: "resend-of-view-\(width)x\(height)")
    }
}
