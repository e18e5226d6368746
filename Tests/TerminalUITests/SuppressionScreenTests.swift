import AuditCore
import Foundation
import Testing
@testable import TerminalUI

/// Records the suppression changes the screen asks for; refuses removals by staff as the store does.
final class RecordingSuppressionActions: SuppressionActions, @unchecked Sendable {
    private let lock = NSLock()
    private(set) var calls: [String] = []
    let support: Bool

    init(support: Bool) {
        self.support = support
    }

    func requestRemoval(address: String, note: String, accountID: Int64) throws {
        lock.lock(); defer { lock.unlock() }
        calls.append("request \(address) \(accountID): \(note)")
    }

    func remove(address: String, reason: String, accountID: Int64) throws {
        lock.lock(); defer { lock.unlock() }
        guard support else { throw RecordingRefusal() }
        calls.append("remove \(address) \(accountID): \(reason)")
    }
}

struct RecordingRefusal: Error, CustomStringConvertible {
    var description: String { "Jo Bloggs cannot remove a suppression: it needs the support role." }
}

@Suite struct SuppressionScreenTests {
    static func session(support: Bool, actions: RecordingSuppressionActions? = nil, width: Int = 80, height: Int = 24) -> HeadlessSession {
        var options = Fixture.options()
        options.isSupport = support
        options.userName = support ? "Kate Ellison" : "Jo Bloggs"
        options.suppressionActions = actions
        return HeadlessSession(reader: FakeAuditReader(), options: options, width: width, height: height, now: { FakeAuditReader.now })
    }

    @Test(arguments: SnapshotTests.sizes)
    func suppressionListWithHistory(width: Int, height: Int) {
        let session = Self.session(support: true, width: width, height: height)
        session.send([.character("S"), .down, .character("h")])
        assertSnapshot(session.render(), named: "suppression-list-\(width)x\(height)")
    }

    @Test(arguments: SnapshotTests.sizes)
    func accountPicker(width: Int, height: Int) {
        let session = Self.session(support: true, width: width, height: height)
        session.send([.character("A"), .down])
        assertSnapshot(session.render(), named: "account-picker-\(width)x\(height)")
    }

    @Test(arguments: SnapshotTests.sizes)
    func removalAsksForAReasonAndASecondEnter(width: Int, height: Int) {
        let session = Self.session(support: true, actions: RecordingSuppressionActions(support: true), width: width, height: height)
        session.send([.character("S"), .character("D")])
        session.type("Recipient confirmed the mailbox")
        session.send(.enter)
        assertSnapshot(session.render(), named: "suppression-remove-confirm-\(width)x\(height)")
    }

    @Test func supportRemovesAfterTwoEntersAndTheListReloads() {
        let actions = RecordingSuppressionActions(support: true)
        let session = Self.session(support: true, actions: actions)
        session.send(.character("S"))
        guard case .suppressions(let list) = session.state.topScreen else { Issue.record("no suppression list"); return }
        #expect(list.entries?.count == 2)
        session.send(.character("D"))
        session.send(.enter)
        #expect(session.state.notice?.text == "Type the reason for the removal.", "an empty reason is refused")
        session.type("Asked by phone")
        session.send(.enter)
        #expect(actions.calls.isEmpty, "the first Enter only asks to confirm")
        session.send(.enter)
        #expect(actions.calls == ["remove dave.brown@bounce.example 1: Asked by phone"])
        #expect(session.state.notice?.text.hasPrefix("Removed dave.brown@bounce.example") == true)
        guard case .suppressions = session.state.topScreen else { Issue.record("back on the list"); return }
    }

    @Test func escCancelsAndNothingChanges() {
        let actions = RecordingSuppressionActions(support: true)
        let session = Self.session(support: true, actions: actions)
        session.send([.character("S"), .character("D")])
        session.type("oops")
        session.send([.enter, .escape])
        #expect(actions.calls.isEmpty)
        #expect(session.state.notice?.text == "Nothing changed.")
    }

    @Test func staffMayRequestButNotRemove() {
        let actions = RecordingSuppressionActions(support: false)
        let session = Self.session(support: false, actions: actions)
        session.send([.character("S"), .character("D")])
        #expect(session.state.notice?.text.contains("needs the support role") == true)
        guard case .suppressions = session.state.topScreen else { Issue.record("no prompt for staff"); return }
        session.send(.character("r"))
        session.type("Pressed spam by mistake")
        session.send(.enter)
        #expect(actions.calls == ["request dave.brown@bounce.example 1: Pressed spam by mistake"])
        // A refusal from the store reads as itself.
        let refusing = Self.session(support: true, actions: RecordingSuppressionActions(support: false))
        refusing.send([.character("S"), .character("D")])
        refusing.type("x")
        refusing.send([.enter, .enter])
        #expect(refusing.state.notice?.text.contains("needs the support role") == true)
        #expect(refusing.state.notice?.level == .error)
    }

    @Test func enterOpensTheEmailThatPutTheAddressThere() {
        let session = Self.session(support: false)
        session.send([.character("S"), .enter])
        guard case .detail(let popup) = session.state.topScreen else { Issue.record("no View"); return }
        #expect(popup.emailID == 4)
    }

    @Test func onlySupportChoosesAnAccount() {
        let staff = Self.session(support: false)
        staff.send(.character("A"))
        #expect(staff.state.topScreen == .audit)
        #expect(staff.state.notice?.text.hasPrefix("Only support users choose an account") == true)

        let support = Self.session(support: true)
        support.send([.character("A"), .down, .enter])
        #expect(support.state.accountID == 2)
        #expect(support.state.accountName == "Bay Block Management")
        #expect(support.state.filter.accountID == 2)
        #expect(support.state.topScreen == .emptyStore, "the fake's second account has no emails")
        #expect(support.render().text.contains("Bay Block Management"))
    }
}

@Suite struct SuppressedLineTests {
    func failedDetail() throws -> EmailDetail {
        let reader = FakeAuditReader()
        let failed = try reader.summaries(matching: EmailFilter(statuses: [.failed], dateRange: .all), from: nil, direction: .older,
                                          limit: 1, now: FakeAuditReader.now)
        let id = try #require(failed.first).id
        return try #require(try reader.detail(emailID: id))
    }

    func text(_ detail: EmailDetail) -> String {
        DetailPopup.content(detail, width: 100, timeZone: FakeAuditReader.timeZone).text
    }

    @Test func viewSaysWhenTheAddressIsSuppressedAndWhetherItBlockedThisEmail() throws {
        var detail = try failedDetail()
        #expect(!text(detail).contains("Suppressed"))
        detail.suppression = SuppressionEntry(address: detail.email.to, kind: .bounce, createdAt: FakeAuditReader.now.addingTimeInterval(-86_400),
                                              reason: "550 gone", blockedEmails: 2)
        #expect(text(detail).contains("Suppressed   Bounced since 19/11/2026 14:30 · blocked 2 later emails (S)"))
        detail.email.statusDetail?.code = 606
        #expect(text(detail).contains("this email was blocked by it"))
        detail.suppression = nil
        #expect(text(detail).contains("blocked by the suppression list; the entry has since been removed"))
    }
}
