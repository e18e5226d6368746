import AuditCore
import AuditStore
import Foundation
import PostgresNIO

/// The daily digests (``NotificationStore/sendDigests(at:)``) on PostgreSQL, as the SQLite
/// store's `sendDigests(at:)`.
extension PostgresAuditStore {
    /// The advisory lock a digest run holds until it commits: a second run (another `serve`, or
    /// `notifications send-digests`) waits, then finds the days digested (`notification_digests`'
    /// key would refuse them anyway).
    static let digestLockKey: Int64 = 0x456D_4164

    /// Records the daily digests due at `now` in one transaction: for every user who takes a
    /// digest and has an address, one email per local day of the store's zone (midnight to
    /// midnight, also when the clocks change) gathering that day's notifications, once the
    /// user's digest hour has passed on the next day; raised by the account's System staff
    /// record (`staff.is_system`), Pending. A day is digested once per user; a notification
    /// arriving late for a day already digested goes in the next digest.
    ///
    /// One statement first looks whether any digest is due (``anyDigestDue(at:)``); when none
    /// is, as at most hand-over runs, no transaction is opened.
    public func sendDigests(at now: Date) throws -> [DigestSent] {
        try PostgresValueCheck.requireTime(now, "the time digests are sent")
        guard try anyDigestDue(at: now) else { return [] }
        do {
            return try connection.transaction { db in try recordDigests(at: now, on: db) }
        } catch let error as PostgresStoreError where Self.isMissingPartition(error) {
            try createMonths(of: [now])
            return try connection.transaction { db in try recordDigests(at: now, on: db) }
        }
    }

    /// Whether a digest is due at `now`: the rule of ``recordDigests(at:on:)`` (``digestDay(raisedAt:digested:lastDue:)``)
    /// over every waiting notification of every user who takes a digest, read in one statement
    /// without a lock. A false answer only skips a run that would record nothing; a
    /// notification committed after the look is digested at a later run, as one committed
    /// just after a run's transaction is.
    func anyDigestDue(at now: Date) throws -> Bool {
        let zone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let today = CalendarDay(containing: now, in: zone)
        let hour = calendar.component(.hour, from: now)
        let users = try rows("""
            SELECT p.digest_hour,
                   ARRAY(SELECT \(unescaped: Self.milliseconds("n.raised_at")) FROM notifications n
                         WHERE n.account_id = u.account_id AND n.user_id = u.id AND n.delivery = 'digest' AND n.digest_day IS NULL),
                   ARRAY(SELECT d.day FROM notification_digests d WHERE d.account_id = u.account_id AND d.user_id = u.id)
            FROM users u
            JOIN notification_preferences p ON p.user_id = u.id
            WHERE u.account_id IS NOT NULL AND u.email <> ''
            """) { row in
            (digestHour: Int(try row[0].decode(Int32.self)), waiting: try row[1].decode([Int64].self),
             digested: Set(try row[2].decode([Int32].self).map(Int.init)))
        }
        for user in users where !user.waiting.isEmpty {
            let lastDue = today.adding(days: hour >= user.digestHour ? -1 : -2)
            if user.waiting.contains(where: { Self.digestDay(raisedAt: $0, digested: user.digested, lastDue: lastDue, zone: zone) != nil }) {
                return true
            }
        }
        return false
    }

    /// The day (``CalendarDay/ordinal``) of the digest a waiting notification raised at
    /// `raisedAt` (milliseconds since 1970) goes in, or nil while none is due for it: its own
    /// local day once that day is due (`lastDue` or earlier) and not yet digested; for a
    /// notification late for a day already digested, the last due day, unless that is digested too.
    static func digestDay(raisedAt: Int64, digested: Set<Int>, lastDue: CalendarDay, zone: TimeZone) -> Int? {
        var day = CalendarDay(containing: StoredEventCoding.date(milliseconds: raisedAt), in: zone).ordinal
        if digested.contains(day) { day = lastDue.ordinal }  // late for a sent day: the next digest
        guard day <= lastDue.ordinal, !digested.contains(day) else { return nil }
        return day
    }

    private func recordDigests(at now: Date, on db: BlockingPostgresConnection) throws -> [DigestSent] {
        try db.execute("SELECT pg_advisory_xact_lock(\(Self.digestLockKey))")
        let zone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let today = CalendarDay(containing: now, in: zone)
        let hour = calendar.component(.hour, from: now)
        let nowMS = StoredEventCoding.milliseconds(now)
        var rollups = PostgresRollupDeltas(timeZone: zone)
        var sent: [DigestSent] = []
        let users = try rows("""
            SELECT u.id, u.name, u.email, u.account_id, p.digest_hour FROM users u
            JOIN notification_preferences p ON p.user_id = u.id
            WHERE u.account_id IS NOT NULL AND u.email <> '' ORDER BY u.id
            """, on: db) { row in
            (id: try row[0].decode(Int64.self), name: try row[1].decode(String.self), address: try row[2].decode(String.self),
             accountID: try row[3].decode(Int64.self), digestHour: Int(try row[4].decode(Int32.self)))
        }
        for user in users {
            let lastDue = today.adding(days: hour >= user.digestHour ? -1 : -2)
            let waiting = try rows("""
                SELECT n.id, \(unescaped: Self.milliseconds("n.raised_at")), n.status, e.id, e.subject, e.to_address,
                       \(unescaped: Self.milliseconds("e.created_at")), e.status_detail::text, coalesce(s.address, '')
                FROM notifications n
                JOIN emails e ON e.account_id = n.account_id AND e.id = n.email_id AND e.created_at = n.email_created_at
                LEFT JOIN senders s ON s.account_id = e.account_id AND s.id = e.sender_id
                WHERE n.account_id = \(user.accountID) AND n.user_id = \(user.id) AND n.delivery = 'digest' AND n.digest_day IS NULL
                ORDER BY n.raised_at, n.id
                """, on: db) { row in
                (id: try row[0].decode(Int64.self), raisedAt: try row[1].decode(Int64.self),
                 email: NotifiedEmail(emailID: try row[3].decode(Int64.self),
                                      status: EmailStatus(code: Int(try row[2].decode(Int16.self))) ?? .failed,
                                      subject: try row[4].decode(String.self), to: try row[5].decode(String.self),
                                      createdAt: StoredEventCoding.date(milliseconds: try row[6].decode(Int64.self)),
                                      detail: StoredEventCoding.statusDetail(json: try row[7].decode(String?.self)), contacts: []),
                 from: try row[8].decode(String.self))
            }
            guard !waiting.isEmpty else { continue }
            let digested = Set(try rows("""
                SELECT day FROM notification_digests WHERE account_id = \(user.accountID) AND user_id = \(user.id)
                """, on: db) { Int(try $0[0].decode(Int32.self)) })
            var groups: [Int: [(id: Int64, raisedAt: Int64, email: NotifiedEmail, from: String)]] = [:]
            for item in waiting {
                guard let day = Self.digestDay(raisedAt: item.raisedAt, digested: digested, lastDue: lastDue, zone: zone) else { continue }
                groups[day, default: []].append(item)
            }
            for (ordinal, items) in groups.sorted(by: { $0.key < $1.key }) {
                let day = CalendarDay(ordinal: ordinal)
                var emails: [NotifiedEmail] = []
                for item in items {
                    var email = item.email
                    email.contacts = try unitRows(address: EmailAddress.bare(email.to), accountID: user.accountID, on: db)
                    emails.append(email)
                }
                let digest = NewEmail(
                    accountID: user.accountID, raisedByID: try systemStaffID(accountID: user.accountID, on: db), activity: .statusAlert,
                    to: user.address, from: NotificationText.sender(domain: NotificationAddress.sendingDomain(fromHeader: items[0].from)),
                    subject: NotificationText.digestSubject(day: day, count: emails.count),
                    textBody: NotificationText.digestBody(day: day, emails: emails, userName: user.name, timeZone: zone), createdAt: now)
                try PostgresValueCheck.check(digest)
                let emailID = try insert([digest], on: db, rollups: &rollups)[0]
                try db.execute("""
                    INSERT INTO notification_digests (account_id, user_id, day, email_id, email_created_at, notifications, sent_at)
                    VALUES (\(user.accountID), \(user.id), \(Int32(ordinal)), \(emailID),
                            timestamptz 'epoch' + \(nowMS) * interval '1 millisecond', \(Int32(items.count)),
                            timestamptz 'epoch' + \(nowMS) * interval '1 millisecond')
                    """)
                try db.execute("""
                    UPDATE notifications SET digest_day = \(Int32(ordinal)), notice_email_id = \(emailID),
                        notice_email_created_at = timestamptz 'epoch' + \(nowMS) * interval '1 millisecond'
                    WHERE account_id = \(user.accountID) AND id = ANY(\(items.map(\.id)))
                    """)
                sent.append(DigestSent(accountID: user.accountID, userID: user.id, userName: user.name, day: day, emailID: emailID,
                                       notifications: items.count))
            }
        }
        try rollups.apply(on: db)
        return sent
    }
}
