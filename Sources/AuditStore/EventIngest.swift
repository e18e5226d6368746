import AuditCore
import Foundation
import GRDB

extension AuditDatabase {
    /// Ingests a batch of provider events in ONE transaction.
    ///
    /// For each event the email is found by its audit id (when that email is to the same
    /// recipient and has the same or no message id yet — in that case the message id is
    /// recorded on it), else by (message id, recipient); else, when another email has the
    /// same message id (a cc recipient), a sibling row is copied from it for the recipient;
    /// else an External email is made from the headers, in `defaultAccountID` (else the first
    /// account, else a new account "Imported"), raised by that account's "External" user.
    ///
    /// Each event is stored once: an event whose ``ProviderEvent/key`` is already stored for
    /// its email is only counted as a duplicate. (The email an event belongs to is a function
    /// of its message id, recipient and audit id, so this is the provider-identity dedupe; see
    /// ``Schema``.) Then every email that got a new event is re-derived from ALL its events with
    /// ``StatusDerivation/derive(_:)``, its row and the roll-ups are updated, notifications are
    /// raised for emails that first reached a problem status, and hard bounces, complaints and
    /// unsubscribes add suppression entries.
    ///
    /// Send batches of thousands of events: the cost per call is a transaction commit.
    public func apply(_ batch: [IncomingEvent], defaultAccountID: Int64?) throws -> ApplyResult {
        guard !batch.isEmpty else { return ApplyResult() }
        for item in batch { try StoredValueCheck.check(item) }
        return try write { db in try apply(db, batch, defaultAccountID: defaultAccountID) }
    }

    /// Ingests the batches `next` hands out, until it returns nil, in ONE transaction: the same as
    /// ``apply(_:defaultAccountID:)`` of all of them as one batch, but each batch is stored as it
    /// comes, so the caller can free it when `next` is called again (the file ingest commits
    /// several of its decoded chunks at once without holding them all in memory). Every email
    /// that got a new event is re-derived once, after the last batch. A value the store refuses,
    /// in any batch, rolls the whole transaction back.
    public func apply(batches next: () throws -> [IncomingEvent]?, defaultAccountID: Int64?) throws -> ApplyResult {
        try write { db in
            let transaction = try IngestTransaction(db: db, defaultAccountID: defaultAccountID)
            while let batch = try next() {
                for item in batch { try StoredValueCheck.check(item) }
                try transaction.store(batch)
            }
            return try transaction.finish(self)
        }
    }

    /// ``apply(_:defaultAccountID:)`` inside a write transaction already open on `db`, for a caller
    /// that writes more in the same transaction (the webhook receiver binds its tokens there).
    /// The events' values must already have passed ``StoredValueCheck``.
    func apply(_ db: Database, _ batch: [IncomingEvent], defaultAccountID: Int64?) throws -> ApplyResult {
        guard !batch.isEmpty else { return ApplyResult() }
        let transaction = try IngestTransaction(db: db, defaultAccountID: defaultAccountID)
        try transaction.store(batch)
        return try transaction.finish(self)
    }
}

/// Finds (or makes) the email each incoming event belongs to, within one ingest transaction:
/// the SQLite side of ``EventOwnerLookup``, with what it read cached for the transaction.
final class EventIngest: EventOwnerLookup {
    struct MessageRecipient: Hashable {
        var messageID: String
        var recipient: String
    }

    let db: Database
    let defaultAccountID: Int64?
    private(set) var created: Set<Int64> = []
    private var byMessageRecipient: [MessageRecipient: Int64] = [:]
    private var auditInfo: [Int64: EventOwnership.AuditedEmail?] = [:]
    private var importAccountID: Int64?
    private var externalStaff: [Int64: Int64] = [:]
    private var senders = SenderIDs()

    private let selectAudit: RawStatement
    private let selectByMessageRecipient: RawStatement

    init(db: Database, defaultAccountID: Int64?) throws {
        self.db = db
        self.defaultAccountID = defaultAccountID
        selectAudit = try RawStatement(db, sql: "SELECT provider_message_id, to_address FROM emails WHERE id = ?")
        selectByMessageRecipient = try RawStatement(db, sql: """
            SELECT id FROM emails WHERE message_hash = ?1 AND provider_message_id = ?2 AND to_address = ?3
            """)
    }

    /// The email `item` belongs to, found or made by ``EventOwnership/owner(of:in:)``.
    func owner(of item: IncomingEvent) throws -> Int64 {
        try EventOwnership.owner(of: item, in: self)
    }

    func auditedEmail(_ id: Int64) throws -> EventOwnership.AuditedEmail? {
        if let cached = auditInfo[id] { return cached }
        var info: EventOwnership.AuditedEmail?
        selectAudit.reset()
        selectAudit.bind(1, id)
        if try selectAudit.step() {
            info = EventOwnership.AuditedEmail(messageID: selectAudit.optionalString(0), to: selectAudit.string(1))
        }
        selectAudit.reset()
        auditInfo[id] = info
        return info
    }

    func email(messageID: String, recipient: String) throws -> Int64? {
        let key = MessageRecipient(messageID: messageID, recipient: recipient)
        if let id = byMessageRecipient[key] { return id }
        selectByMessageRecipient.reset()
        selectByMessageRecipient.bind(1, MessageIDHash.of(key.messageID))
        selectByMessageRecipient.bind(2, key.messageID)
        selectByMessageRecipient.bind(3, key.recipient)
        defer { selectByMessageRecipient.reset() }
        guard try selectByMessageRecipient.step() else { return nil }
        let id = selectByMessageRecipient.int64(0)
        byMessageRecipient[key] = id
        return id
    }

    func firstEmail(messageID: String) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT min(id) FROM emails WHERE message_hash = ? AND provider_message_id = ?"),
                           arguments: [MessageIDHash.of(messageID), messageID])
    }

    func claim(_ auditID: Int64, messageID: String, for item: IncomingEvent) throws {
        guard var info = try auditedEmail(auditID) else { return }
        try db.cachedStatement(sql: """
            UPDATE emails SET provider_message_id = ?, message_hash = ?, handed_over_at = coalesce(handed_over_at, ?)
            WHERE id = ? AND provider_message_id IS NULL
            """).execute(arguments: [messageID, MessageIDHash.of(messageID), StorageEncoding.milliseconds(item.event.occurredAt),
                                     auditID])
        info.messageID = messageID
        auditInfo[auditID] = info
        byMessageRecipient[MessageRecipient(messageID: messageID, recipient: info.to)] = auditID
    }

    func makeSibling(of source: Int64, for item: IncomingEvent) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO emails (account_id, raised_by_id, activity, to_address, cc, sender_id, subject, body,
                                attachments, created_at, provider_message_id, message_hash, handed_over_at, status)
            SELECT account_id, raised_by_id, activity, ?, cc, sender_id, subject, body,
                   attachments, created_at, provider_message_id, message_hash, handed_over_at, 0
            FROM emails WHERE id = ?
            """).execute(arguments: [item.recipient, source])
        return made(db.lastInsertedRowID, for: item)
    }

    func makeExternal(for item: IncomingEvent) throws -> Int64 {
        let accountID = try accountForImports()
        let staffID: Int64
        if let known = externalStaff[accountID] {
            staffID = known
        } else {
            staffID = try AuditDatabase.externalStaffID(db, accountID: accountID)
            externalStaff[accountID] = staffID
        }
        let at = StorageEncoding.milliseconds(item.event.occurredAt)
        try db.cachedStatement(sql: """
            INSERT INTO emails (account_id, raised_by_id, activity, to_address, cc, sender_id, subject, body,
                                attachments, created_at, provider_message_id, message_hash, handed_over_at, status)
            VALUES (?, ?, ?, ?, '[]', ?, ?, '', ?, ?, ?, ?, ?, 0)
            """).execute(arguments: [
                accountID, staffID, Activity.external.rawValue, item.recipient,
                try senders.id(db, accountID: accountID, address: item.headers.from), item.headers.subject,
                StorageEncoding.jsonArray(item.headers.attachmentNames), at, item.messageID, MessageIDHash.of(item.messageID), at,
            ])
        return made(db.lastInsertedRowID, for: item)
    }

    /// Notes the email just made for `item`: created by this transaction, found by its
    /// (message id, recipient) from now on.
    private func made(_ id: Int64, for item: IncomingEvent) -> Int64 {
        created.insert(id)
        byMessageRecipient[MessageRecipient(messageID: item.messageID, recipient: item.recipient)] = id
        return id
    }

    private func accountForImports() throws -> Int64 {
        if let importAccountID { return importAccountID }
        let id: Int64
        if let defaultAccountID {
            try AuditDatabase.requireAccount(db, defaultAccountID)
            id = defaultAccountID
        } else if let first = try Int64.fetchOne(db, sql: "SELECT min(id) FROM accounts") {
            id = first
        } else {
            try db.execute(sql: "INSERT INTO accounts (name) VALUES ('Imported')")
            id = db.lastInsertedRowID
        }
        importAccountID = id
        return id
    }
}

/// Re-derives the status of emails from all their events and writes the result.
enum StatusRefresh {
    private struct EmailState {
        var accountID: Int64
        var raisedByID: Int64
        var createdAt: Int64
        var status: EmailStatus
        var detailJSON: String?
        var lastEventAt: Int64?
        var to: String
        /// Nil for an activity text this version does not know (a newer version wrote it): such a
        /// row is not re-dated or filled from headers as an External one, but notifies as one.
        var activity: Activity?
        var subject: String
    }

    /// ``refresh(_:emailIDs:created:days:deltas:headers:notices:)`` for a caller that does not
    /// raise notifications from what it read.
    static func refresh(_ db: Database, emailIDs: [Int64], created: Set<Int64>,
                        days: inout LocalDayCalculator, deltas: inout RollupDeltas,
                        headers: [Int64: MessageHeaders] = [:]) throws -> [StatusChange] {
        var notices: [Int64: NotificationWriter.EmailFacts] = [:]
        return try refresh(db, emailIDs: emailIDs, created: created, days: &days, deltas: &deltas, headers: headers,
                           notices: &notices)
    }

    /// Loads the emails and all their events (two set queries through `json_each`, both in
    /// email id order, the events through the `(email_id, key_hash)` index), derives each
    /// status with ``StatusDerivation/derive(_:)``, updates changed rows and gathers roll-up
    /// moves. Emails in `created` were made in this transaction and are not yet counted in
    /// roll-ups. Changes are returned in email id order.
    ///
    /// An External email (built from provider events alone) takes the time of its earliest event
    /// as its creation time, and fills a blank subject, sender and attachments from `headers`
    /// when a later-arriving event carries them, so the row is the same whatever order the
    /// events came in.
    ///
    /// `notices` receives, for each change to a status that raises notifications, what
    /// ``NotificationWriter`` needs of the email, so that it does not read the row again.
    static func refresh(_ db: Database, emailIDs: [Int64], created: Set<Int64>,
                        days: inout LocalDayCalculator, deltas: inout RollupDeltas,
                        headers: [Int64: MessageHeaders],
                        notices: inout [Int64: NotificationWriter.EmailFacts]) throws -> [StatusChange] {
        let idList = StorageEncoding.jsonArray(emailIDs)
        let emails = try RawStatement(db, sql: """
            SELECT id, account_id, raised_by_id, created_at, status, status_detail, last_event_at, to_address,
                   activity, subject
            FROM emails WHERE id IN (SELECT value FROM json_each(?)) ORDER BY id
            """)
        let eventRows = try RawStatement(db, sql: """
            SELECT email_id, \(EventRecord.selection) FROM events
            WHERE email_id IN (SELECT value FROM json_each(?)) ORDER BY email_id
            """)
        emails.reset()
        emails.bind(1, idList)
        eventRows.reset()
        eventRows.bind(1, idList)
        defer {
            emails.reset()
            eventRows.reset()
        }
        var states: [(id: Int64, state: EmailState)] = []
        states.reserveCapacity(emailIDs.count)
        while try emails.step() {
            states.append((emails.int64(0), EmailState(
                accountID: emails.int64(1), raisedByID: emails.int64(2), createdAt: emails.int64(3),
                status: EmailStatus(code: Int(emails.int64(4))) ?? .pending, detailJSON: emails.optionalString(5),
                lastEventAt: emails.optionalInt64(6), to: emails.string(7),
                activity: Activity(rawValue: emails.string(8)), subject: emails.string(9))))
        }
        emails.reset()

        let update = try RawStatement(db, sql: "UPDATE emails SET status = ?, status_detail = ?, last_event_at = ? WHERE id = ?")
        // When the status stays (an open after an open, a retry of a temporary failure), the
        // row is written without naming `status`: SQLite rewrites the entries of every index
        // holding a column the SET names, even with an unchanged value, and three hold `status`.
        let updateKeepingStatus = try RawStatement(db, sql: "UPDATE emails SET status_detail = ?, last_event_at = ? WHERE id = ?")
        var changes: [StatusChange] = []
        var group: [ProviderEvent] = []
        var hasRow = try eventRows.step()
        for (id, state) in states {
            // Both queries run in email id order: gather this email's events.
            group.removeAll(keepingCapacity: true)
            while hasRow {
                let owner = eventRows.int64(0)
                if owner > id { break }
                if owner == id { group.append(EventRecord.event(from: eventRows, at: 1)) }
                hasRow = try eventRows.step()
            }
            let derived = StatusDerivation.derive(group)
            let detailJSON = StorageEncoding.statusDetailJSON(derived.detail)
            let last = derived.lastEventAt.map(StorageEncoding.microseconds)
            let isNew = created.contains(id)
            var createdAt = state.createdAt
            var subject = state.subject
            if state.activity == .external, let earliest = group.map(\.occurredAt).min() {
                createdAt = min(createdAt, StorageEncoding.milliseconds(earliest))
                if state.subject.isEmpty, let found = headers[id] {
                    var senders = SenderIDs()
                    let sender = try senders.id(db, accountID: state.accountID, address: found.from)
                    try db.cachedStatement(sql: """
                        UPDATE emails SET subject = ?,
                            sender_id = CASE WHEN \(Senders.address(of: "emails")) = '' THEN ? ELSE sender_id END,
                            attachments = CASE WHEN attachments = '[]' THEN ? ELSE attachments END
                        WHERE id = ?
                        """).execute(arguments: [found.subject, sender, StorageEncoding.jsonArray(found.attachmentNames), id])
                    subject = found.subject
                }
                if createdAt != state.createdAt {
                    try db.cachedStatement(sql: "UPDATE emails SET created_at = ? WHERE id = ?").execute(arguments: [createdAt, id])
                }
            }
            let oldDay = days.day(milliseconds: state.createdAt), newDay = days.day(milliseconds: createdAt)
            if isNew || derived.status != state.status || oldDay != newDay {
                if !isNew {
                    deltas.add(accountID: state.accountID, day: oldDay, raisedByID: state.raisedByID, status: state.status, -1)
                }
                deltas.add(accountID: state.accountID, day: newDay, raisedByID: state.raisedByID, status: derived.status, 1)
            }
            if derived.status == state.status, detailJSON != state.detailJSON || last != state.lastEventAt {
                updateKeepingStatus.reset()
                updateKeepingStatus.bind(1, detailJSON)
                updateKeepingStatus.bind(2, last)
                updateKeepingStatus.bind(3, id)
                try updateKeepingStatus.run()
            } else if derived.status != state.status {
                update.reset()
                update.bind(1, Int64(derived.status.code))
                update.bind(2, detailJSON)
                update.bind(3, last)
                update.bind(4, id)
                try update.run()
            }
            if derived.status != state.status {
                if derived.status.raisesNotification {
                    notices[id] = NotificationWriter.EmailFacts(activity: state.activity ?? .external, subject: subject, createdAt: createdAt)
                }
                changes.append(StatusChange(emailID: id, old: state.status, new: derived.status, accountID: state.accountID,
                                            raisedByID: state.raisedByID, to: state.to, detail: derived.detail))
            }
        }
        return changes
    }
}
