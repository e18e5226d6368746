import AuditCore
import Foundation
import Testing
@testable import TerminalUI

/// A user's notifications in memory: three about the fake store's problem emails, the newest
/// two unread.
final class FakeNotificationSource: NotificationSource, @unchecked Sendable {
    private let lock = NSLock()
    private var items: [StaffNotification]
    private(set) var saved: NotificationPreferences?
    private var stored = NotificationPreferences.standard

    init(reader: FakeAuditReader) {
        let now = FakeAuditReader.now
        let rows = try! reader.summaries(matching: EmailFilter(statuses: Set(NotificationPreferences.notifiable), dateRange: .all),
                                         from: nil, direction: .older, limit: 3, now: now)
        items = rows.enumerated().map { index, row in
            StaffNotification(id: Int64(10 - index), emailID: row.id, status: row.status,
                              raisedAt: row.createdAt.addingTimeInterval(300), readAt: index == 2 ? now : nil, delivery: .screen,
                              subject: row.subject, to: row.to, emailCreatedAt: row.createdAt,
                              reason: row.status == .failed ? "550 5.1.1 The email account that you tried to reach does not exist." : row.status.meaning)
        }
    }

    func notifications(accountID: Int64) throws -> [StaffNotification] {
        lock.lock(); defer { lock.unlock() }
        return items
    }

    func unreadCount(accountID: Int64) throws -> Int {
        lock.lock(); defer { lock.unlock() }
        return items.filter(\.isUnread).count
    }

    func markRead(ids: [Int64]?, accountID: Int64) throws {
        lock.lock(); defer { lock.unlock() }
        for index in items.indices where ids?.contains(items[index].id) ?? true {
            if items[index].readAt == nil { items[index].readAt = FakeAuditReader.now }
        }
    }

    func preferences(accountID: Int64) throws -> NotificationPreferences {
        lock.lock(); defer { lock.unlock() }
        return stored
    }

    func savePreferences(_ preferences: NotificationPreferences, accountID: Int64) throws {
        lock.lock(); defer { lock.unlock() }
        stored = preferences
        saved = preferences
    }
}

@Suite struct WorkbenchTests {
    static func session(width: Int = 80, height: Int = 24, opensWorkbench: Bool = false) -> (HeadlessSession, FakeNotificationSource) {
        let reader = FakeAuditReader()
        let source = FakeNotificationSource(reader: reader)
        var options = Fixture.options()
        options.notifications = source
        options.opensWorkbench = opensWorkbench
        return (HeadlessSession(reader: reader, options: options, width: width, height: height, now: { FakeAuditReader.now }), source)
    }

    @Test(arguments: SnapshotTests.sizes)
    func workbench(width: Int, height: Int) {
        let (session, _) = Self.session(width: width, height: height, opensWorkbench: true)
        assertSnapshot(session.render(), named: "workbench-\(width)x\(height)")
    }

    @Test(arguments: SnapshotTests.sizes)
    func notificationsList(width: Int, height: Int) {
        let (session, _) = Self.session(width: width, height: height)
        session.send([.character("w"), .down, .down, .character("m")])
        assertSnapshot(session.render(), named: "notifications-\(width)x\(height)")
    }

    @Test(arguments: SnapshotTests.sizes)
    func preferencesPane(width: Int, height: Int) {
        let (session, _) = Self.session(width: width, height: height, opensWorkbench: true)
        session.send([.character("p"), .down, .character(" "), .down, .down, .down, .right])
        assertSnapshot(session.render(), named: "preferences-\(width)x\(height)")
    }

    @Test func everyScreenHeaderShowsTheUnreadCountAndWOpensTheWorkbench() {
        let (session, _) = Self.session()
        #expect(session.render().text.split(separator: "\n")[0].contains("2 unread (w)"))
        for keys: [Key] in [[], [.enter], [.enter, .character("u")], [.character("S")], [.character("?")]] {
            session.send(keys)
            #expect(session.render().text.split(separator: "\n")[0].contains("2 unread (w)"), "after \(keys)")
            session.send(.character("w"))
            guard case .workbench = session.state.topScreen else {
                Issue.record("w did not open the Workbench after \(keys)")
                return
            }
            session.send(.escape)
            while session.state.screens.count > 1 { session.send(.escape) }
        }
    }

    @Test func theWidgetsEnterOpensTheAuditWithTheSameCount() {
        let (session, _) = Self.session(opensWorkbench: true)
        guard case .workbench(let bench) = session.state.topScreen, let widget = bench.widget else {
            Issue.record("the widget did not load")
            return
        }
        let total = NotificationPreferences.notifiable.reduce(0) { $0 + widget[$1] }
        #expect(total > 0, "the fake store has problems yesterday")
        session.send(.enter)
        #expect(session.state.topScreen == .audit)
        #expect(session.state.filter == EmailNotificationWidget.filter(accountID: 1))
        #expect(session.state.counts?.total == total)
        #expect(session.state.list.rows.count == total)
        let lines = session.render().text.split(separator: "\n")
        #expect(lines[0].contains("Failed, Complained, Rejected, Unsubscribed emails · Yesterday"))
        #expect(lines[lines.count - 2].hasPrefix(" \(total) emails"), "the status line counts what the widget counted")
    }

    @Test func enterOnANotificationOpensItsEmailAndReadsIt() {
        let (session, source) = Self.session(opensWorkbench: true)
        session.send([.down, .enter])
        guard case .detail(let popup) = session.state.topScreen else {
            Issue.record("no View")
            return
        }
        let first = try! source.notifications(accountID: 1)[0]
        #expect(popup.emailID == first.emailID)
        #expect(first.readAt != nil)
        #expect(session.state.unreadNotifications == 1)
        session.send([.escape, .character("M")])
        #expect(session.state.unreadNotifications == 0)
        #expect(session.render().text.contains("3 notifications · 0 unread"))
    }

    @Test func thePreferencesPaneSavesWhatWasChanged() {
        let (session, source) = Self.session(opensWorkbench: true)
        session.send([.character("p"), .character(" ")])   // untick Failed
        session.send(Array(repeating: .down, count: 4))
        session.send(.right)                                 // scope: all of the account's
        session.send(.down)
        session.send([.left, .left])                         // delivery: screen → digest → email
        session.send(.down)
        session.send(.left)                                  // 07:00
        session.send(.enter)
        #expect(source.saved == NotificationPreferences(statuses: [.complained, .rejected, .unsubscribed], scope: .account,
                                                       delivery: .email, digestHour: 7))
        guard case .workbench = session.state.topScreen else {
            Issue.record("the pane did not close")
            return
        }
        session.send([.character("p"), .escape])
        #expect(session.state.notice?.text == "Preferences unchanged.")
    }

    @Test func withoutNotificationsTheWorkbenchSaysSo() {
        let session = Fixture.session()
        #expect(!session.render().text.split(separator: "\n")[0].contains("unread"))
        session.send(.character("w"))
        #expect(session.render().text.contains("Notifications are not available here."))
    }
}
