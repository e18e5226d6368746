import AuditCore
import Demo
import Foundation
import GRDB
import PropertyBased
import Testing
@testable import AuditStore

/// Who is notified of what, as a table; then the same rules over generated event orders.
@Suite("Notification rules")
struct NotificationRulesTests {
    /// One row of the rule table: the events (statuses, one batch per inner list), the email's
    /// activity and raiser, the preferences of Alice and Bob, and the notifications expected
    /// ("Alice:failed").
    struct Row: Sendable, CustomTestStringConvertible {
        var name: String
        var batches: [[EmailStatus]]
        var activity: Activity = .receiptRecorded
        var raisedByBob = false
        var alice: NotificationPreferences = .standard
        var bob: NotificationPreferences = .standard
        var expected: Set<String>
        var testDescription: String { name }
    }

    static let all = Set(NotificationPreferences.notifiable)
    static let accountWide = NotificationPreferences(statuses: all, scope: .account, delivery: .screen, digestHour: 8)

    static let table: [Row] = [
        Row(name: "Failed notifies who raised it", batches: [[.accepted], [.failed]], expected: ["Alice:failed"]),
        Row(name: "Temporary Failure never notifies", batches: [[.accepted, .temporaryFailure], [.temporaryFailure]], expected: []),
        Row(name: "Temporary Failure then Failed notifies Failed", batches: [[.temporaryFailure], [.failed]], expected: ["Alice:failed"]),
        Row(name: "Complained after delivery", batches: [[.delivered], [.opened], [.complained]], expected: ["Alice:complained"]),
        Row(name: "Rejected", batches: [[.rejected]], expected: ["Alice:rejected"]),
        Row(name: "Unsubscribed", batches: [[.delivered, .unsubscribed]], expected: ["Alice:unsubscribed"]),
        Row(name: "Each problem status once", batches: [[.failed], [.complained], [.failed, .complained]],
            expected: ["Alice:failed", "Alice:complained"]),
        Row(name: "The same failure again adds nothing", batches: [[.failed], [.failed], [.failed]], expected: ["Alice:failed"]),
        Row(name: "In one batch only the derived status", batches: [[.failed, .complained, .delivered]], expected: ["Alice:complained"]),
        Row(name: "Delivered, opened and clicked never notify", batches: [[.delivered], [.opened], [.clicked]], expected: []),
        Row(name: "A notification email itself never notifies", batches: [[.failed], [.complained]], activity: .statusAlert, expected: []),
        Row(name: "Scope 'all of my account's' notifies Bob too", batches: [[.failed]], bob: accountWide,
            expected: ["Alice:failed", "Bob:failed"]),
        Row(name: "Bob's email notifies Bob, not Alice", batches: [[.rejected]], raisedByBob: true, expected: ["Bob:rejected"]),
        Row(name: "Statuses not chosen are not notified", batches: [[.failed], [.unsubscribed]],
            alice: NotificationPreferences(statuses: [.unsubscribed], scope: .mine, delivery: .screen, digestHour: 8),
            expected: ["Alice:unsubscribed"]),
        Row(name: "No statuses chosen: nothing", batches: [[.complained]],
            alice: NotificationPreferences(statuses: [], scope: .mine, delivery: .screen, digestHour: 8), expected: []),
    ]

    @Test(arguments: table)
    func rule(_ row: Row) throws {
        let world = try NotificationWorld()
        try world.setPreferences(alice: row.alice, bob: row.bob)
        let id = try world.sendEmail(raisedBy: row.raisedByBob ? world.f.bob : world.f.alice, activity: row.activity)
        for (index, batch) in row.batches.enumerated() {
            try world.apply(batch.enumerated().map { (offset, status) in (status, index * 10 + offset) }, to: id)
        }
        #expect(try world.notified() == row.expected)
        // The other account's staff (Carol, account-wide) never hear of it.
        #expect(try world.notified(accountID: world.f.otherAccount.id).isEmpty)
    }

    /// Exactly once per email and status whatever the order, duplication and batching of the
    /// events: a status is notified iff the email's derived status was it after some batch,
    /// once; with every event in one batch, only the final status; never Temporary Failure.
    @Test func exactlyOncePerEmailAndStatusWhateverTheOrder() async throws {
        let statuses = Gen<EmailStatus>.case.array(of: 1...6)
        await propertyCheck(count: 60, input: statuses, Gen.int(in: 0...1_000_000), Gen.int(in: 1...4)) { statuses, seed, batches in
            let world = try NotificationWorld()
            try world.setPreferences(alice: .standard, bob: Self.accountWide)
            let id = try world.sendEmail(raisedBy: world.f.alice, activity: .receiptRecorded)
            // Events at increasing times; then duplicates and a shuffle.
            var rng = SeededRandom(seed: UInt64(seed))
            var events = statuses.enumerated().map { ($0.element, $0.offset) }
            for _ in 0..<Int.random(in: 0...3, using: &rng) { events.append(events.randomElement(using: &rng)!) }
            events.shuffle(using: &rng)
            let size = max(1, (events.count + batches - 1) / batches)
            var reached: Set<EmailStatus> = []
            for start in stride(from: 0, to: events.count, by: size) {
                try world.apply(Array(events[start..<min(events.count, start + size)]), to: id)
                reached.insert(try world.status(of: id))
            }
            let expected = reached.filter(\.raisesNotification)
            let rows = try world.notificationRows()
            #expect(rows.count == Set(rows).count, "a notification twice")
            #expect(Set(rows.filter { $0.user == "Alice" }.map(\.status)) == expected, "events \(events)")
            #expect(Set(rows.filter { $0.user == "Bob" }.map(\.status)) == expected)
            #expect(!rows.contains { $0.status == .temporaryFailure })
            if batches == 1 || events.count <= size {
                let final = try world.status(of: id)
                #expect(Set(rows.map(\.status)) == (final.raisesNotification ? [final] : []))
            }
        }
    }

    @Test func anEmailForEachIsARealEmailRaisedBySystem() throws {
        let world = try NotificationWorld()
        try world.f.store.setStaffEmailDomain(accountID: world.f.account.id, domain: "harbour.example")
        try world.setPreferences(alice: NotificationPreferences(statuses: Self.all, scope: .mine, delivery: .email, digestHour: 8), bob: .standard)
        let block = try world.f.store.insertBlock(accountID: world.f.account.id, name: "Quay House", street: "1 Quay", town: "Bristol", postcode: "BS1")
        let unit = try world.f.store.insertUnit(blockID: block.id, name: "Flat 4")
        _ = try world.f.store.insertContact(accountID: world.f.account.id, name: "Dana Doe", email: world.to, phone: "0117 496 0001",
                                            role: .leaseholder, unitIDs: [unit.id])
        let id = try world.sendEmail(raisedBy: world.f.alice, activity: .receiptRecorded)
        try world.apply([(.failed, 1)], to: id)
        try world.apply([(.failed, 1)], to: id)
        let alerts = try world.f.store.pool.read { db in
            try GRDB.Row.fetchAll(db, sql: """
                SELECT e.id, e.status, e.to_address, e.subject, e.body, s.name, e.handed_over_at FROM emails e
                JOIN staff s ON s.id = e.raised_by_id WHERE e.activity = 'status-alert'
                """)
        }
        #expect(alerts.count == 1)
        let alert = try #require(alerts.first)
        #expect((alert[1] as Int) == EmailStatus.pending.code)
        #expect((alert[2] as String) == "alice.able@harbour.example")
        #expect((alert[5] as String) == StaffUser.systemName)
        #expect((alert[6] as Int64?) == nil, "waits for the batch feeder")
        let body = try StoredBody.text(alert[4])
        #expect((alert[3] as String).contains("#\(id)"))
        for part in ["Email #\(id)", "To: \(world.to)", "Status: Failed", "What to do: ", "0117 496 0001", "Dana Doe"] {
            #expect(body.contains(part), "missing \(part)")
        }
        // The notification email failing raises nothing more.
        let alertID: Int64 = alert[0]
        let messageID = try world.f.handOver(alertID, at: world.t0.addingTimeInterval(600))
        _ = try world.f.store.apply([Events.incoming(Events.giving(.failed, recipient: "alice.able@harbour.example",
                                                                   at: world.t0.addingTimeInterval(700))!,
                                                     messageID: messageID, recipient: "alice.able@harbour.example", auditID: alertID)],
                                    defaultAccountID: nil)
        #expect(try world.status(of: alertID) == .failed)
        #expect(try world.notified() == ["Alice:failed"])
        try world.f.checkCounts()
        #expect(try world.f.store.rollupMismatches() == 0)
    }
}

extension NotificationRulesTests {
    /// Two users who take an email for each get one each, both sent from the changed email's
    /// sending domain (its sender is read once for both).
    @Test func everyUserWhoTakesEmailsGetsOneFromTheEmailsDomain() throws {
        let world = try NotificationWorld()
        try world.f.store.setStaffEmailDomain(accountID: world.f.account.id, domain: "harbour.example")
        let byEmail = NotificationPreferences(statuses: Self.all, scope: .account, delivery: .email, digestHour: 8)
        try world.setPreferences(alice: byEmail, bob: byEmail)
        let id = try world.sendEmail(raisedBy: world.f.alice, activity: .receiptRecorded)
        try world.apply([(.failed, 1)], to: id)
        let alerts = try world.f.store.pool.read { db in
            try GRDB.Row.fetchAll(db, sql: """
                SELECT e.to_address, \(Senders.address(of: "e")) FROM emails e WHERE e.activity = 'status-alert' ORDER BY e.to_address
                """).map { [$0[0] as String, $0[1] as String] }
        }
        #expect(alerts.map { $0[0] } == ["alice.able@harbour.example", "bob.baker@harbour.example"])
        #expect(alerts.map { $0[1] } == Array(repeating: NotificationText.sender(domain: "mg.example.com"), count: 2))
        #expect(try world.notified().sorted() == ["Alice:failed", "Bob:failed"])
        try world.f.checkCounts()
        #expect(try world.f.store.rollupMismatches() == 0)
    }
}

extension NotificationRulesTests {
    /// A row whose activity text this version does not know (written by a newer one) raises
    /// notifications like an External email, but is not re-dated or filled from headers as one.
    @Test func anUnknownActivityNotifiesButIsNotTreatedAsExternal() throws {
        let world = try NotificationWorld()
        try world.setPreferences(alice: .standard, bob: .standard)
        let id = try world.sendEmail(raisedBy: world.f.alice, activity: .receiptRecorded)
        let later = StorageEncoding.milliseconds(world.t0.addingTimeInterval(3600))
        try world.f.store.pool.write { db in
            try db.execute(sql: "UPDATE emails SET activity = 'newer-kind', subject = '', created_at = ? WHERE id = ?",
                           arguments: [later, id])
        }
        try world.apply([(.failed, 1)], to: id)
        #expect(try world.status(of: id) == .failed)
        #expect(try world.notified() == ["Alice:failed"])
        let row = try world.f.store.pool.read { db in
            try #require(try GRDB.Row.fetchOne(db, sql: "SELECT created_at, subject FROM emails WHERE id = ?", arguments: [id]))
        }
        #expect((row[0] as Int64) == later, "an External email would take its earliest event's time")
        #expect((row[1] as String) == "")
    }
}

/// A store with Alice and Bob (account A) and Carol (account B, all of her account's emails).
final class NotificationWorld: @unchecked Sendable {
    let f: Fixture
    let t0 = utcDate(2026, 10, 20, 9)
    let to = "dana@example.net"
    var messages: [Int64: String] = [:]

    init() throws {
        f = try Fixture()
        let carol = try user(staffID: f.carol.id)
        try f.store.reader(for: carol, accountID: f.otherAccount.id)
            .setNotificationPreferences(NotificationPreferences(statuses: NotificationRulesTests.all, scope: .account, delivery: .screen, digestHour: 8))
    }

    func user(staffID: Int64) throws -> AppUser {
        try #require(try f.store.users().first { $0.staffID == staffID })
    }

    func reader(_ staff: StaffUser) throws -> AccountScopedReader {
        try f.store.reader(for: try user(staffID: staff.id), accountID: staff.accountID)
    }

    func setPreferences(alice: NotificationPreferences, bob: NotificationPreferences) throws {
        try reader(f.alice).setNotificationPreferences(alice)
        try reader(f.bob).setNotificationPreferences(bob)
    }

    func sendEmail(raisedBy staff: StaffUser, activity: Activity) throws -> Int64 {
        let id = try f.store.record([f.newEmail(by: staff, to: to, at: t0, activity: activity)])[0]
        messages[id] = try f.handOver(id, at: t0)
        return id
    }

    /// Applies events giving these statuses (the number orders their times) in one batch.
    func apply(_ events: [(EmailStatus, Int)], to id: Int64) throws {
        let incoming = events.compactMap { status, order -> IncomingEvent? in
            guard let event = Events.giving(status, recipient: to, at: t0.addingTimeInterval(Double(order + 1) * 60),
                                            id: "e\(id)-\(status.code)-\(order)") else { return nil }
            return Events.incoming(event, messageID: messages[id]!, recipient: to, auditID: id)
        }
        guard !incoming.isEmpty else { return }
        _ = try f.store.apply(incoming, defaultAccountID: nil)
    }

    func status(of id: Int64) throws -> EmailStatus {
        try f.store.pool.read { db in EmailStatus(code: try Int.fetchOne(db, sql: "SELECT status FROM emails WHERE id = ?", arguments: [id])!)! }
    }

    /// A notification as (first name of the user, status).
    struct Notified: Hashable {
        var user: String
        var status: EmailStatus
    }

    func notificationRows(accountID: Int64? = nil) throws -> [Notified] {
        try f.store.pool.read { db in
            try GRDB.Row.fetchAll(db, sql: """
                SELECT u.name, n.status FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.account_id = ? ORDER BY n.id
                """, arguments: [accountID ?? f.account.id]).map { Notified(user: String($0[0] as String).split(separator: " ")[0].description,
                                                                             status: EmailStatus(code: $0[1])!) }
        }
    }

    func notified(accountID: Int64? = nil) throws -> Set<String> {
        Set(try notificationRows(accountID: accountID).map { "\($0.user):\($0.status.argumentName)" })
    }
}
