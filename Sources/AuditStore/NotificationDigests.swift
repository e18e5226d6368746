import AuditCore
import Foundation
import GRDB

extension AuditDatabase {
    /// Records the daily digests that are due at `now`, in one transaction: for every user who
    /// takes a digest, one email per local day (in this process's zone, days from local midnight
    /// to midnight, also when the clocks change) gathering that day's notifications, once the
    /// user's digest hour has passed on the next day. A day is digested once per user (the
    /// `notification_digests` key), so calling this again, or from two processes, sends nothing
    /// twice; a notification arriving late for a day already digested goes in the next digest.
    /// A user with no address keeps the notifications on screen only.
    public func sendDigests(at now: Date) throws -> [DigestSent] {
        let zone = timeZone
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let today = CalendarDay(containing: now, in: zone)
        let hour = calendar.component(.hour, from: now)
        return try write { db in
            var days = try rollupDays(db)
            var deltas = RollupDeltas()
            var sent: [DigestSent] = []
            let users = try Row.fetchAll(db, sql: """
                SELECT u.id, u.name, u.email, u.account_id, p.digest_hour FROM users u
                JOIN notification_preferences p ON p.user_id = u.id
                WHERE u.account_id IS NOT NULL AND u.email <> '' ORDER BY u.id
                """)
            for user in users {
                let userID: Int64 = user[0], name: String = user[1], address: String = user[2], accountID: Int64 = user[3]
                let lastDue = today.adding(days: hour >= (user[4] as Int) ? -1 : -2)
                let waiting = try Row.fetchAll(db, sql: """
                    SELECT n.id, n.raised_at, n.status, e.id, e.subject, e.to_address, e.created_at, e.status_detail, \(Senders.address(of: "e"))
                    FROM notifications n JOIN emails e ON e.id = n.email_id
                    WHERE n.account_id = ? AND n.user_id = ? AND n.delivery = 'digest' AND n.digest_day IS NULL
                    ORDER BY n.raised_at, n.id
                    """, arguments: [accountID, userID])
                guard !waiting.isEmpty else { continue }
                let digested = Set(try Int.fetchAll(db, sql: "SELECT day FROM notification_digests WHERE account_id = ? AND user_id = ?",
                                                    arguments: [accountID, userID]))
                var groups: [Int: [Row]] = [:]
                for row in waiting {
                    var day = CalendarDay(containing: StorageEncoding.date(milliseconds: row[1]), in: zone).ordinal
                    if digested.contains(day) { day = lastDue.ordinal }  // late for a sent day: the next digest
                    guard day <= lastDue.ordinal, !digested.contains(day) else { continue }
                    groups[day, default: []].append(row)
                }
                for (ordinal, rows) in groups.sorted(by: { $0.key < $1.key }) {
                    let day = CalendarDay(ordinal: ordinal)
                    var emails: [NotifiedEmail] = []
                    for row in rows {
                        let to: String = row[5]
                        emails.append(NotifiedEmail(
                            emailID: row[3], status: EmailStatus(code: row[2]) ?? .failed, subject: row[4], to: to,
                            createdAt: StorageEncoding.date(milliseconds: row[6]), detail: StorageEncoding.decodeStatusDetail(row[7]),
                            contacts: try Self.unitRows(db, address: to, accountID: accountID)))
                    }
                    let email = NewEmail(
                        accountID: accountID, raisedByID: try Self.systemStaffID(db, accountID: accountID), activity: .statusAlert,
                        to: address, from: NotificationText.sender(domain: NotificationAddress.sendingDomain(fromHeader: rows[0][8])),
                        subject: NotificationText.digestSubject(day: day, count: emails.count),
                        textBody: NotificationText.digestBody(day: day, emails: emails, userName: name, timeZone: zone), createdAt: now)
                    let emailID = try Self.insertPending(db, email, bodies: CompactText.Compressor(format: .plainText), days: &days,
                                                        deltas: &deltas)
                    try db.execute(sql: """
                        INSERT INTO notification_digests (account_id, user_id, day, email_id, notifications, sent_at) VALUES (?, ?, ?, ?, ?, ?)
                        """, arguments: [accountID, userID, ordinal, emailID, rows.count, StorageEncoding.milliseconds(now)])
                    for row in rows {
                        try db.execute(sql: "UPDATE notifications SET digest_day = ?, notice_email_id = ? WHERE id = ?",
                                       arguments: [ordinal, emailID, row[0] as Int64])
                    }
                    sent.append(DigestSent(accountID: accountID, userID: userID, userName: name, day: day, emailID: emailID,
                                           notifications: rows.count))
                }
            }
            if !sent.isEmpty {
                try deltas.apply(db)
                try adjustCounts(db, emails: sent.count, events: 0)
                try bumpChangeCounter(db)
            }
            return sent
        }
    }
}
