import AuditCore
import Foundation
import GRDB

/// Retention: deleting the emails created before a cut with everything that belongs only to them.
///
/// Per table (every table of `Schema*.swift`):
/// - `emails` (and, by its triggers, the Subject search index `emails_subject_trigram` and the
///   `recipients` counts), `events` (raw JSON included), `email_units`, `notifications` about
///   the emails, `email_resends` links from or to them: deleted. `contact_changes` keep their
///   row (a contact's history) with `resend_id` cleared.
/// - `rollups`, `rollups_monthly`: each deleted email's cell (account, local day or month,
///   raised by, status) is decremented in the same transaction, and cells left at 0 go, so every
///   count equals a recount from the emails left.
/// - `recipients` left at 0 emails and their `recipients_trigram` rows (the To search): deleted.
/// - `notification_digests` whose digest email was deleted; `webhook_tokens` received before the
///   cut (long past any replay window): deleted.
/// - `meta` counts: adjusted. Accounts, staff, users, blocks, units, contacts, preferences, the
///   suppression lists and their history (about addresses, not emails): kept.
///
/// Emails go in batches, each one short write transaction (a few hundred milliseconds), so `serve`
/// and ingest write between them and the screen keeps reading its snapshot. Every batch is
/// complete or absent: an interrupted run loses nothing, and running it again finishes the job
/// with the same result.
extension AuditDatabase: RetentionStore {
    /// How many emails were created before `cut` (every account).
    public func emailCount(createdBefore cut: Date) throws -> Int {
        try read { db in
            var total = 0
            for account in try Int64.fetchAll(db, sql: "SELECT id FROM accounts ORDER BY id") {
                total += try Int.fetchOne(db, sql: "SELECT count(*) FROM emails WHERE account_id = ? AND created_at < ?",
                                          arguments: [account, StorageEncoding.milliseconds(cut)]) ?? 0
            }
            return total
        }
    }

    /// Deletes every account's emails created before `cut` (see the extension's note), `batchSize`
    /// emails per write transaction. With an `archive`, each batch is appended to it and synced
    /// to disk before its delete commits; when that fails nothing of the batch is deleted.
    /// `progress` is called after each batch; an error it throws stops the run there (what was
    /// deleted stays deleted, the rest stays).
    public func applyRetention(before cut: Date, batchSize: Int = 1000, archive: RetentionArchive?,
                               progress: (RetentionProgress) throws -> Void = { _ in }) throws -> RetentionReport {
        precondition(batchSize > 0)
        var report = RetentionReport(cut: cut)
        let total = try emailCount(createdBefore: cut)
        try progress(RetentionProgress(done: 0, total: total))
        let accounts = try read { db in try Int64.fetchAll(db, sql: "SELECT id FROM accounts ORDER BY id") }
        let decompressor = CompactText.Decompressor()
        for account in accounts {
            while true {
                let deleted: RetentionReport
                do {
                    deleted = try write { db in
                        try deleteBatch(db, accountID: account, cut: cut, limit: batchSize, archive: archive, decompressor: decompressor)
                    }
                } catch {
                    archive?.batchRolledBack()
                    throw error
                }
                archive?.batchCommitted()
                guard deleted.emails > 0 else { break }
                report.add(deleted)
                try progress(report.progress(total: total))
            }
            try write { db in
                // Cells of the days (and months) before the cut's day left at 0, by this run or by
                // earlier status changes: those days hold no email any more.
                var days = try rollupDays(db)
                let cutDay = days.day(cut)
                try db.execute(sql: "DELETE FROM rollups WHERE account_id = ? AND day < ? AND count = 0", arguments: [account, cutDay])
                try db.execute(sql: "DELETE FROM rollups_monthly WHERE account_id = ? AND month < ? AND count = 0",
                               arguments: [account, MonthlyRollups.month(ofDay: cutDay)])
                try db.execute(sql: """
                    DELETE FROM notification_digests WHERE account_id = ?
                    AND NOT EXISTS (SELECT 1 FROM emails WHERE emails.id = notification_digests.email_id)
                    """, arguments: [account])
            }
        }
        try write { db in
            try db.execute(sql: "DELETE FROM webhook_tokens WHERE received_at < ?", arguments: [StorageEncoding.milliseconds(cut)])
        }
        return report
    }

    /// ``RetentionStore``'s run: ``applyRetention(before:batchSize:archive:progress:)`` without an archive.
    public func applyRetention(before cut: Date, batchSize: Int = 1000,
                               progress: (RetentionProgress) throws -> Void = { _ in }) throws -> RetentionReport {
        try applyRetention(before: cut, batchSize: batchSize, archive: nil, progress: progress)
    }

    /// Deletes (archiving first) up to `limit` of the account's emails created before `cut`, oldest first.
    private func deleteBatch(_ db: Database, accountID: Int64, cut: Date, limit: Int, archive: RetentionArchive?,
                             decompressor: CompactText.Decompressor) throws -> RetentionReport {
        var result = RetentionReport(cut: cut)
        let rows = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT id, raised_by_id, status, created_at, to_address FROM emails INDEXED BY emails_account_created
            WHERE account_id = ? AND created_at < ? ORDER BY created_at, id LIMIT ?
            """), arguments: [accountID, StorageEncoding.milliseconds(cut), limit])
        guard !rows.isEmpty else { return result }
        let ids = rows.map { $0[0] as Int64 }
        if let archive {
            var lines: [UInt8] = []
            try RetentionArchiveLine.write(db, ids: ids, into: &lines, decompressor: decompressor, path: archive.path)
            try archive.append(lines, db)
            result.archived = ids.count
        }
        var days = try rollupDays(db)
        var deltas = RollupDeltas()
        var addresses: Set<String> = []
        let deleteEvents = try db.cachedStatement(sql: "DELETE FROM events WHERE email_id = ?")
        let deleteNotifications = try db.cachedStatement(sql: "DELETE FROM notifications WHERE account_id = ? AND email_id = ?")
        let isResend = try db.cachedStatement(sql: "SELECT 1 FROM email_resends WHERE resend_id = ?")
        let clearContactChanges = try db.cachedStatement(sql: "UPDATE contact_changes SET resend_id = NULL WHERE account_id = ? AND resend_id = ?")
        let deleteResend = try db.cachedStatement(sql: "DELETE FROM email_resends WHERE resend_id = ?")
        let deleteResendsOf = try db.cachedStatement(sql: "DELETE FROM email_resends WHERE account_id = ? AND original_id = ?")
        let deleteUnits = try db.cachedStatement(sql: "DELETE FROM email_units WHERE email_id = ?")
        let deleteEmail = try db.cachedStatement(sql: "DELETE FROM emails WHERE id = ?")
        for row in rows {
            let id: Int64 = row[0]
            try deleteEvents.execute(arguments: [id])
            result.events += db.changesCount
            try deleteNotifications.execute(arguments: [accountID, id])
            result.notifications += db.changesCount
            if try Bool.fetchOne(isResend, arguments: [id]) != nil {
                try clearContactChanges.execute(arguments: [accountID, id])
                try deleteResend.execute(arguments: [id])
                result.resendLinks += db.changesCount
            }
            try deleteResendsOf.execute(arguments: [accountID, id])
            result.resendLinks += db.changesCount
            try deleteUnits.execute(arguments: [id])
            try deleteEmail.execute(arguments: [id])
            result.emails += 1
            deltas.add(accountID: accountID, day: days.day(milliseconds: row[3]), raisedByID: row[1],
                       status: EmailStatus(code: row[2]) ?? .pending, -1)
            addresses.insert(row[4])
        }
        try deltas.apply(db)
        try Self.dropEmptyRollups(db, deltas)
        try Self.dropUnusedRecipients(db, addresses)
        try adjustCounts(db, emails: -result.emails, events: -result.events)
        try bumpChangeCounter(db)
        return result
    }

    /// Deletes the roll-up cells `deltas` touched that are left at 0 (daily and monthly).
    private static func dropEmptyRollups(_ db: Database, _ deltas: RollupDeltas) throws {
        let daily = try db.cachedStatement(sql: """
            DELETE FROM rollups WHERE account_id = ? AND day = ? AND raised_by_id = ? AND status = ? AND count = 0
            """)
        let monthly = try db.cachedStatement(sql: """
            DELETE FROM rollups_monthly WHERE account_id = ? AND month = ? AND raised_by_id = ? AND status = ? AND count = 0
            """)
        var months: Set<RollupKey> = []
        for key in deltas.counts.keys {
            try daily.execute(arguments: [key.accountID, key.day, key.raisedByID, key.status])
            months.insert(RollupKey(accountID: key.accountID, day: MonthlyRollups.month(ofDay: key.day),
                                    raisedByID: key.raisedByID, status: key.status))
        }
        for key in months {
            try monthly.execute(arguments: [key.accountID, key.day, key.raisedByID, key.status])
        }
    }

    /// Deletes the recipient addresses among `addresses` no email is sent to any more, with their
    /// row in the To search's trigram index (found through the index: a phrase of the whole address).
    private static func dropUnusedRecipients(_ db: Database, _ addresses: Set<String>) throws {
        let count = try db.cachedStatement(sql: "SELECT emails FROM recipients WHERE address = ?")
        let delete = try db.cachedStatement(sql: "DELETE FROM recipients WHERE address = ?")
        let hasTrigrams = try db.tableExists("recipients_trigram")
        for address in addresses {
            guard let left = try Int.fetchOne(count, arguments: [address]), left <= 0 else { continue }
            try delete.execute(arguments: [address])
            guard hasTrigrams else { continue }
            if address.unicodeScalars.count >= 3 {
                let phrase = "\"" + address.replacingOccurrences(of: "\"", with: "\"\"") + "\""
                try db.cachedStatement(sql: """
                    DELETE FROM recipients_trigram WHERE rowid IN
                        (SELECT rowid FROM recipients_trigram WHERE recipients_trigram MATCH ? AND address = ?)
                    """).execute(arguments: [phrase, address])
            } else {
                try db.cachedStatement(sql: "DELETE FROM recipients_trigram WHERE address = ?").execute(arguments: [address])
            }
        }
    }
}
