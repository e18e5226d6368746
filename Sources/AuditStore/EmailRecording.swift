import AuditCore
import Foundation
import GRDB

/// Recording new emails and handing them over to the provider.
extension AuditDatabase {
    /// Records emails as Pending in one transaction and returns their ids, in order.
    /// Roll-ups are updated in the same transaction.
    ///
    /// - Throws: ``StoreError/unknownAccount(id:)`` or ``StoreError/unknownStaff(id:)`` for
    ///   ids that do not exist, ``StoreError/unknownUnit(id:)`` for a unit that is not the
    ///   account's, ``StoreError/invalidValue(_:)`` when the staff member belongs to another
    ///   account. Nothing is recorded then. A malformed address is recorded as given (the
    ///   provider rejects it, and the audit shows that).
    public func record(_ emails: [NewEmail]) throws -> [Int64] {
        guard !emails.isEmpty else { return [] }
        for email in emails { try StoredValueCheck.check(email) }
        // Bodies are compressed before the write (on all cores for a large batch).
        let bodies = StoredBody.values(emails.map(\.textBody))
        return try write { db in
            // Units are checked after their account (an unknown account is reported as such).
            var checked: Set<[Int64]> = []
            for email in emails {
                if checked.insert([email.accountID]).inserted { try Self.requireAccount(db, email.accountID) }
                for unitID in email.unitIDs where checked.insert([email.accountID, unitID]).inserted {
                    try Self.requireUnit(db, unitID, accountID: email.accountID)
                }
            }
            return try recordEmails(db, emails, bodies: bodies)
        }
    }

    /// Records checked emails as Pending in the caller's transaction (see ``record(_:)``);
    /// `bodies` are their stored bodies (``StoredBody/values(_:)``), computed when nil.
    func recordEmails(_ db: Database, _ emails: [NewEmail], bodies: [DatabaseValue]? = nil) throws -> [Int64] {
        var staffAccount: [Int64: Int64] = [:]
        var accounts: Set<Int64> = []
        let staffLookup = try db.cachedStatement(sql: "SELECT account_id FROM staff WHERE id = ?")
        for email in emails {
            if !accounts.contains(email.accountID) {
                try Self.requireAccount(db, email.accountID)
                accounts.insert(email.accountID)
            }
            let owner: Int64
            if let known = staffAccount[email.raisedByID] {
                owner = known
            } else {
                guard let found = try Int64.fetchOne(staffLookup, arguments: [email.raisedByID]) else {
                    throw StoreError.unknownStaff(id: email.raisedByID)
                }
                staffAccount[email.raisedByID] = found
                owner = found
            }
            guard owner == email.accountID else {
                throw StoreError.invalidValue("staff member \(email.raisedByID) belongs to account \(owner), not \(email.accountID)")
            }
        }
        var days = try rollupDays(db)
        var deltas = RollupDeltas()
        let ids = try Self.insertPendingRows(db, emails, bodies: bodies ?? StoredBody.values(emails.map(\.textBody)))
        let link = try db.cachedStatement(sql: "INSERT OR IGNORE INTO email_units (email_id, unit_id) VALUES (?, ?)")
        for (email, id) in zip(emails, ids) {
            for unit in email.unitIDs {
                try link.execute(arguments: [id, unit])
            }
            deltas.add(accountID: email.accountID, day: days.day(milliseconds: StorageEncoding.milliseconds(email.createdAt)),
                       raisedByID: email.raisedByID, status: .pending, 1)
        }
        try deltas.apply(db)
        try adjustCounts(db, emails: ids.count, events: 0)
        try bumpChangeCounter(db)
        return ids
    }

    /// Emails inserted by one INSERT statement in ``insertPendingRows(_:_:bodies:)``.
    static let rowsPerInsert = 128

    /// Inserts checked emails as Pending, up to ``rowsPerInsert`` rows per INSERT statement, and
    /// returns their ids in order (no unit links or roll-ups: the caller adds those). `bodies`
    /// holds each email's stored body (``StoredBody``), in the same order.
    ///
    /// Many rows per statement because of the subject index: each INSERT on `emails` runs in a
    /// statement savepoint (its triggers write the recipients and the FTS5 subject index), and
    /// FTS5 writes out its pending entries at every savepoint, so a statement per email cost a
    /// segment write per email (most of a large batch's time; one statement per 128 emails
    /// recorded 1,000,000 emails several times faster).
    static func insertPendingRows(_ db: Database, _ emails: [NewEmail], bodies: [DatabaseValue]) throws -> [Int64] {
        precondition(bodies.count == emails.count, "one stored body per email")
        var ids: [Int64] = []
        ids.reserveCapacity(emails.count)
        var senders = SenderIDs()
        var start = 0
        while start < emails.count {
            let rows = emails[start..<min(start + rowsPerInsert, emails.count)]
            let insert = try db.cachedStatement(sql: """
                INSERT INTO emails (account_id, raised_by_id, activity, to_address, cc, sender_id, subject, body,
                                    attachments, created_at, host_id)
                VALUES \(Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: rows.count).joined(separator: ", "))
                """)
            var values: [(any DatabaseValueConvertible)?] = []
            values.reserveCapacity(rows.count * 11)
            for (offset, email) in zip(rows.indices, rows) {
                values.append(contentsOf: [
                    email.accountID, email.raisedByID, email.activity.rawValue,
                    StorageEncoding.normalisedAddress(email.to), StorageEncoding.jsonArray(email.cc),
                    try senders.id(db, accountID: email.accountID, address: email.from), email.subject, bodies[offset],
                    StorageEncoding.jsonArray(email.attachmentNames), StorageEncoding.milliseconds(email.createdAt), email.hostID,
                ] as [(any DatabaseValueConvertible)?])
            }
            insert.setUncheckedArguments(StatementArguments(values))
            if rows.count == 1 {
                try insert.execute()
                ids.append(db.lastInsertedRowID)
                start += 1
                continue
            }
            let before = try Int64.fetchOne(db.cachedStatement(sql: "SELECT coalesce(max(id), 0) FROM emails")) ?? 0
            try insert.execute()
            // The new rows are the ones above the largest id before (this is the writer's
            // transaction), in the order of the VALUES list.
            let inserted = try Int64.fetchAll(db.cachedStatement(sql: "SELECT id FROM emails WHERE id > ? ORDER BY id"), arguments: [before])
            guard inserted.count == rows.count else {
                throw StoreError.invalidValue("inserted \(rows.count) emails but found \(inserted.count) new rows")
            }
            ids.append(contentsOf: inserted)
            start += rows.count
        }
        return ids
    }

    /// Inserts one email as Pending with its unit links and counts it in `deltas` (the caller
    /// applies them, adjusts the email count and checks the account and staff member). The body
    /// is stored through `bodies` (``StoredBody``).
    static func insertPending(_ db: Database, _ email: NewEmail, bodies: CompactText.Compressor, days: inout LocalDayCalculator,
                              deltas: inout RollupDeltas) throws -> Int64 {
        let createdAt = StorageEncoding.milliseconds(email.createdAt)
        let id = try insertPendingRows(db, [email], bodies: [StoredBody.value(email.textBody, compressor: bodies)])[0]
        let link = try db.cachedStatement(sql: "INSERT OR IGNORE INTO email_units (email_id, unit_id) VALUES (?, ?)")
        for unit in email.unitIDs {
            try link.execute(arguments: [id, unit])
        }
        deltas.add(accountID: email.accountID, day: days.day(milliseconds: createdAt), raisedByID: email.raisedByID,
                   status: .pending, 1)
        return id
    }

    /// Emails not yet handed to the provider, oldest first (by created_at, then id): of every
    /// account, or, given `accounts`, only of those (each agency hands over through its own
    /// provider, so one feeder never takes another agency's emails).
    public func pendingHandOver(limit: Int, accounts: [Int64]? = nil) throws -> [Email] {
        guard limit > 0 else { return [] }
        if let accounts, accounts.isEmpty { return [] }
        return try read { db in
            let accountCondition = accounts.map { " AND e.account_id IN (\(Array(repeating: "?", count: $0.count).joined(separator: ", ")))" } ?? ""
            var arguments = StatementArguments(accounts ?? [])
            arguments += [limit]
            return try readingCompactText { try EmailRecord.fetchAll(db.cachedStatement(sql: """
                SELECT \(EmailRecord.selection) FROM emails e INDEXED BY emails_pending
                WHERE e.handed_over_at IS NULL\(accountCondition) ORDER BY e.created_at, e.id LIMIT ?
                """), arguments: arguments).map(\.email) }
        }
    }

    /// The emails whose ids fall in `ids` that are not yet handed to the provider, oldest first
    /// (by created_at, then id), as ``pendingHandOver(limit:accounts:)`` gives them: for handing
    /// over emails just recorded (the ids ``record(_:)`` returned) while emails recorded later
    /// still wait (the benchmark's bulk seeding records ahead of its hand-overs).
    public func pendingHandOver(ids: ClosedRange<Int64>) throws -> [Email] {
        try read { db in
            try readingCompactText { try EmailRecord.fetchAll(db.cachedStatement(sql: """
                SELECT \(EmailRecord.selection) FROM emails e
                WHERE e.id BETWEEN ? AND ? AND e.handed_over_at IS NULL ORDER BY e.created_at, e.id
                """), arguments: [ids.lowerBound, ids.upperBound]).map(\.email) }
        }
    }

    /// Records that an email was handed to the provider under `providerMessageID` (angle
    /// brackets are removed). Idempotent: returns false and changes nothing when the email
    /// was already handed over (including when its events arrived first and carried its
    /// audit id).
    ///
    /// If events for the same message and recipient arrived earlier without an audit id (so
    /// an "External" email was made for them), that row is merged into this one: its events
    /// move here and the status is derived again.
    public func markHandedOver(emailID: Int64, providerMessageID: String, at: Date) throws -> Bool {
        try markHandedOver([HandOver(emailID: emailID, providerMessageID: providerMessageID, at: at)])[0]
    }

    /// Records many hand-overs in one transaction (see ``markHandedOver(emailID:providerMessageID:at:)``).
    /// Returns, for each, whether it changed the email.
    public func markHandedOver(_ handOvers: [HandOver]) throws -> [Bool] {
        guard !handOvers.isEmpty else { return [] }
        for handOver in handOvers {
            if StorageEncoding.bareMessageID(handOver.providerMessageID).isEmpty {
                throw StoreError.invalidValue("empty provider message id for email \(handOver.emailID)")
            }
            try StoredValueCheck.requireText(handOver.providerMessageID, "the provider message id for email \(handOver.emailID)")
            try StoredValueCheck.requireTime(handOver.at, "the hand-over time of email \(handOver.emailID)")
        }
        return try write { db in
            var days = try rollupDays(db)
            var deltas = RollupDeltas()
            var merged: [Int64] = []
            var results: [Bool] = []
            results.reserveCapacity(handOvers.count)
            let select = try db.cachedStatement(sql: "SELECT handed_over_at, to_address, provider_message_id FROM emails WHERE id = ?")
            let existing = try db.cachedStatement(sql: """
                SELECT id FROM emails WHERE message_hash = ? AND provider_message_id = ? AND to_address = ? AND id <> ?
                """)
            let update = try db.cachedStatement(sql: """
                UPDATE emails SET provider_message_id = ?, message_hash = ?, handed_over_at = ? WHERE id = ? AND provider_message_id IS NULL
                """)
            for handOver in handOvers {
                let messageID = StorageEncoding.bareMessageID(handOver.providerMessageID)
                guard let row = try Row.fetchOne(select, arguments: [handOver.emailID]) else {
                    throw StoreError.unknownEmail(id: handOver.emailID)
                }
                // Once an email has a message id it never changes.
                if (row[0] as Int64?) != nil || (row[2] as String?) != nil {
                    results.append(false)
                    continue
                }
                let to: String = row[1]
                if let duplicate = try Int64.fetchOne(existing, arguments: [MessageIDHash.of(messageID), messageID, to, handOver.emailID]),
                   let other = try Row.fetchOne(db, sql: "SELECT account_id, raised_by_id, status, created_at FROM emails WHERE id = ?",
                                                arguments: [duplicate]) {
                    try db.execute(sql: "UPDATE events SET email_id = ? WHERE email_id = ?", arguments: [handOver.emailID, duplicate])
                    try NotificationWriter.move(db, from: duplicate, to: handOver.emailID)
                    try db.execute(sql: "DELETE FROM emails WHERE id = ?", arguments: [duplicate])
                    deltas.add(accountID: other[0], day: days.day(milliseconds: other[3]), raisedByID: other[1],
                               status: EmailStatus(code: other[2]) ?? .pending, -1)
                    merged.append(handOver.emailID)
                }
                try update.execute(arguments: [messageID, MessageIDHash.of(messageID), StorageEncoding.milliseconds(handOver.at), handOver.emailID])
                results.append(true)
            }
            var notificationEmails = 0
            if !merged.isEmpty {
                let changes = try StatusRefresh.refresh(db, emailIDs: merged, created: [], days: &days, deltas: &deltas)
                notificationEmails = try NotificationWriter.raise(db, changes: changes, days: &days, deltas: &deltas,
                                                                  timeZone: timeZone).emails
            }
            try deltas.apply(db)
            try adjustCounts(db, emails: notificationEmails - merged.count, events: 0)
            if results.contains(true) { try bumpChangeCounter(db) }
            return results
        }
    }
}

/// One email handed to the provider.
public struct HandOver: Sendable, Hashable {
    public var emailID: Int64
    /// The id the provider returned; angle brackets are removed.
    public var providerMessageID: String
    public var at: Date

    public init(emailID: Int64, providerMessageID: String, at: Date) {
        self.emailID = emailID
        self.providerMessageID = providerMessageID
        self.at = at
    }
}
