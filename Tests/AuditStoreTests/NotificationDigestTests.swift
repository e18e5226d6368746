import AuditCore
import Demo
import Foundation
import GRDB
import Testing
@testable import AuditStore

/// Daily digests: the day's notifications in one email, at the user's hour, once per day, with
/// days from local midnight to midnight across the March clock change.
@Suite("Notification digests")
struct NotificationDigestTests {
    @Test func digestsGatherEachLocalDayOnceAtTheUsersHour() throws {
        let world = try NotificationWorld()
        try world.f.store.setStaffEmailDomain(accountID: world.f.account.id, domain: "harbour.example")
        let digest = NotificationPreferences(statuses: NotificationRulesTests.all, scope: .mine, delivery: .digest, digestHour: 8)
        try world.setPreferences(alice: digest, bob: .standard)
        // London: 28/03 23:30 GMT, 29/03 00:30 GMT (before the clocks go forward at 01:00 UTC),
        // 29/03 23:30 BST and 30/03 00:30 BST.
        let failures = [utcDate(2026, 3, 28, 23, 30), utcDate(2026, 3, 29, 0, 30), utcDate(2026, 3, 29, 22, 30), utcDate(2026, 3, 29, 23, 30)]
        var ids: [Int64] = []
        for at in failures {
            let id = try world.f.store.record([world.f.newEmail(by: world.f.alice, to: world.to, at: at.addingTimeInterval(-600))])[0]
            let messageID = try world.f.handOver(id, at: at.addingTimeInterval(-600))
            _ = try world.f.store.apply([Events.incoming(Events.giving(.failed, recipient: world.to, at: at)!, messageID: messageID,
                                                         recipient: world.to, auditID: id)], defaultAccountID: nil)
            ids.append(id)
        }
        let store = world.f.store
        #expect(try store.sendDigests(at: utcDate(2026, 3, 29, 6, 59)).isEmpty, "07:59 BST: not yet the hour")
        let first = try store.sendDigests(at: utcDate(2026, 3, 29, 7, 0))
        #expect(first.map(\.day) == [CalendarDay(year: 2026, month: 3, day: 28)])
        #expect(first.map(\.notifications) == [1])
        #expect(try store.sendDigests(at: utcDate(2026, 3, 29, 7, 0)).isEmpty, "idempotent per user and day")
        #expect(try store.sendDigests(at: utcDate(2026, 3, 29, 20, 0)).isEmpty)
        let second = try store.sendDigests(at: utcDate(2026, 3, 30, 7, 30))
        #expect(second.map(\.day) == [CalendarDay(year: 2026, month: 3, day: 29)])
        #expect(second.map(\.notifications) == [2], "00:30 GMT and 23:30 BST are both 29/03")
        let third = try store.sendDigests(at: utcDate(2026, 4, 2, 7, 30))
        #expect(third.map(\.day) == [CalendarDay(year: 2026, month: 3, day: 30)], "a missed day is caught up")

        let row = try #require(try store.pool.read { db in
            try GRDB.Row.fetchOne(db, sql: """
                SELECT e.status, e.activity, e.to_address, e.subject, e.body, s.name FROM emails e JOIN staff s ON s.id = e.raised_by_id
                WHERE e.id = ?
                """, arguments: [second[0].emailID])
        })
        #expect((row[0] as Int) == EmailStatus.pending.code)
        #expect((row[1] as String) == Activity.statusAlert.rawValue)
        #expect((row[2] as String) == "alice.able@harbour.example")
        #expect((row[3] as String) == "Email Audit digest for 29/03/2026: 2 emails need attention")
        let body = try StoredBody.text(row[4])
        #expect(body.contains("Email #\(ids[1])") && body.contains("Email #\(ids[2])"))
        #expect(!body.contains("Email #\(ids[0])") && !body.contains("Email #\(ids[3])"))
        #expect((row[5] as String) == StaffUser.systemName)
        // On screen too.
        #expect(try world.reader(world.f.alice).notifications().count == 4)
        try world.f.checkCounts()
        #expect(try store.rollupMismatches() == 0)
    }

    @Test func onScreenOnlyUsersGetNoDigest() throws {
        let world = try NotificationWorld()
        try world.f.store.setStaffEmailDomain(accountID: world.f.account.id, domain: "harbour.example")
        let id = try world.sendEmail(raisedBy: world.f.alice, activity: .receiptRecorded)
        try world.apply([(.complained, 1)], to: id)
        #expect(try world.notified() == ["Alice:complained"])
        #expect(try world.f.store.sendDigests(at: utcDate(2026, 10, 30, 12)).isEmpty)
    }
}

/// The widget counts Failed, Complained, Rejected and Unsubscribed of the previous local day;
/// over a generated month with a clock change its counts equal the rows of the list its Enter
/// opens, and an in-memory count by local day.
@Suite("Email Notification widget")
struct NotificationWidgetTests {
    @Test(arguments: [(2026, 3), (2026, 10)])
    func widgetCountsEqualTheFilteredListEveryDayOfAMonth(year: Int, month: Int) throws {
        let f = try Fixture()
        let user = try #require(try f.store.users().first { $0.staffID == f.alice.id })
        let reader = try f.store.reader(for: user, accountID: f.account.id)
        var rng = SeededRandom(seed: UInt64(year * 100 + month))
        let start = CalendarDay(year: year, month: month, day: 1).start(in: london)
        let end = CalendarDay(year: year, month: month, day: 1).adding(months: 1).start(in: london)
        var model: [(Date, EmailStatus)] = []
        var emails: [NewEmail] = []
        for index in 0..<600 {
            let at = start.addingTimeInterval(Double.random(in: 0..<end.timeIntervalSince(start), using: &rng).rounded())
            emails.append(f.newEmail(by: index % 3 == 0 ? f.bob : f.alice, to: "r\(index)@example.net", at: at))
            model.append((at, EmailStatus.allCases.randomElement(using: &rng)!))
        }
        let ids = try f.store.record(emails)
        _ = try f.store.markHandedOver(ids.enumerated().map { HandOver(emailID: $0.element, providerMessageID: "w\($0.element)@mg", at: model[$0.offset].0) })
        let incoming = ids.enumerated().compactMap { index, id -> IncomingEvent? in
            let (at, status) = model[index]
            return Events.giving(status, recipient: "r\(index)@example.net", at: at.addingTimeInterval(30)).map {
                Events.incoming($0, messageID: "w\(id)@mg", recipient: "r\(index)@example.net", auditID: id)
            }
        }
        _ = try f.store.apply(incoming, defaultAccountID: nil)
        var day = CalendarDay(year: year, month: month, day: 1)
        var checked = 0
        while day.start(in: london) < end {
            let now = day.adding(days: 1).start(in: london).addingTimeInterval(10 * 3600)
            let filter = EmailNotificationWidget.filter(accountID: f.account.id)
            let widget = try reader.statusCounts(matching: filter, now: now)
            let rows = try allPages(f.store, filter, limit: 17, now: now)
            let expected = model.filter { CalendarDay(containing: $0.0, in: london) == day && $0.1.raisesNotification }
            for status in NotificationPreferences.notifiable {
                #expect(widget[status] == rows.filter { $0.status == status }.count, "\(day) \(status)")
                #expect(widget[status] == expected.filter { $0.1 == status }.count, "\(day) \(status)")
            }
            #expect(widget.total == rows.count)
            checked += widget.total
            day = day.adding(days: 1)
        }
        #expect(checked == model.filter { $0.1.raisesNotification }.count, "every problem email counted on exactly one day")
    }
}
