import AuditCore
import AuditStore
import Foundation
import PostgresNIO

/// Ingest (``EventIngestStore``) on PostgreSQL: the SQLite store's `apply` on schema v1, safe
/// for several ingesters on several connections at once.
extension PostgresAuditStore: EventIngestStore {
    /// Ingests a batch of provider events in one transaction, as the SQLite store does (see
    /// ``EventIngestStore``): each event stored once, every email that got a new event
    /// re-derived from all its events by ``StatusDerivation/derive(_:)``, its row and the
    /// roll-ups moved from the old status to the new, suppressions added.
    ///
    /// Two ingesters at once: the transaction first takes an advisory lock per message of the
    /// batch (in hash order, so two batches never wait on each other in a cycle), so one
    /// message's email is found or created once; then it locks each email's row
    /// (`SELECT ... FOR UPDATE`, in id order) before it looks for an event's key, so an event
    /// is stored once and the status is derived from every event committed before it.
    /// A deadlock the server breaks by rolling this transaction back (SQLSTATE 40P01), or a row
    /// moved to another partition under it (40001), is retried, up to four attempts in all.
    ///
    /// Each step is one statement for the whole batch (``PostgresEventIngest``'s set-based
    /// statements: the locks, the emails the batch names, the row locks, the stored keys, the
    /// new events, the events read back, the derived rows, each roll-up table), so a batch
    /// costs a dozen round trips and one per email made (a cc copy or an External email).
    ///
    /// Notifications are raised in the same transaction (``PostgresNotificationWriter``, by
    /// ``NotificationRules/recipients(of:among:activity:)``). An External email takes its
    /// earliest event's time, also from an event of a later batch (``redateExternal(_:toEarliest:)``).
    ///
    /// A batch naming more than ``messagesPerTransaction`` messages is stored as several
    /// transactions in a row (each a run of the batch in its order, the whole batch checked
    /// first), their results merged (``ApplyResult/append(_:)``): a failure after the first
    /// leaves the earlier runs stored, which ingesting the batch again skips as duplicates.
    public func apply(_ batch: [IncomingEvent], defaultAccountID: Int64?) throws -> ApplyResult {
        guard !batch.isEmpty else { return ApplyResult() }
        // By index, here and below: an `IncomingEvent` holds a dozen strings and arrays, and every
        // copy of one (`for item in`, `map`, `Array(slice)`) retains and releases each of them.
        try batch.withUnsafeBufferPointer { buffer in
            for index in buffer.indices {
                if let refusal = StoredEventCoding.refusal(of: buffer[index]) { throw PostgresStoreError.invalidValue(refusal) }
            }
        }
        let runs = Self.runs(of: batch, messagesAtMost: messagesPerTransaction)
        if runs.count == 1 { return try applyInOneTransaction(batch, defaultAccountID: defaultAccountID) }
        var result = ApplyResult()
        for run in runs {
            result.append(try applyInOneTransaction(Array(run), defaultAccountID: defaultAccountID))
        }
        return result
    }

    /// `batch` cut into consecutive runs of at most `limit` distinct messages (by the hash the
    /// message locks take), in order.
    static func runs(of batch: [IncomingEvent], messagesAtMost limit: Int) -> [ArraySlice<IncomingEvent>] {
        var runs: [ArraySlice<IncomingEvent>] = []
        var start = batch.startIndex
        var messages: Set<Int64> = []
        batch.withUnsafeBufferPointer { buffer in
            for index in buffer.indices {
                let hash = StoredEventCoding.messageHash(buffer[index].messageID)
                if !messages.contains(hash), messages.count >= max(1, limit) {
                    runs.append(batch[start..<index])
                    start = index
                    messages.removeAll(keepingCapacity: true)
                }
                messages.insert(hash)
            }
        }
        if start < batch.endIndex { runs.append(batch[start...]) }
        return runs
    }

    private func applyInOneTransaction(_ batch: [IncomingEvent], defaultAccountID: Int64?) throws -> ApplyResult {
        var attempt = 1
        while true {
            do {
                return try connection.transaction { db in
                    try PostgresEventIngest(store: self, db: db, defaultAccountID: defaultAccountID).apply(batch)
                }
            } catch let error as PostgresStoreError where Self.isMissingPartition(error) && attempt < 4 {
                // An External email of a month with no partition yet: make the months.
                try createMonths(of: batch.map(\.event.occurredAt))
            } catch let error as PostgresStoreError where ["40P01", "40001"].contains(error.sqlState) && attempt < 4 {
                // A deadlock with another ingester (rows outside the ordered locks, such as a
                // recipient's count), or a row another transaction moved to another month's
                // partition while this one waited for it (an External email re-dated): the
                // server rolled this transaction back; run it again.
            }
            attempt += 1
        }
    }
}

/// One ingest transaction on PostgreSQL: finds (or makes) each event's email (the PostgreSQL
/// side of ``EventOwnerLookup``), stores the events once, re-derives the touched emails.
final class PostgresEventIngest: EventOwnerLookup {
    /// What the ingest needs of an email to find it and write its events.
    struct EmailKey {
        var accountID: Int64
        var createdAt: Date
        var messageID: String?
        var to: String
    }

    struct MessageRecipient: Hashable {
        var messageID: String
        var recipient: String
    }

    let store: PostgresAuditStore
    let db: BlockingPostgresConnection
    let defaultAccountID: Int64?
    private(set) var created: Set<Int64> = []
    /// The emails found or made, by id (the finding rule's cache; ``prefetchEmails(of:)`` fills it).
    var emails: [Int64: EmailKey] = [:]
    /// Audit ids that name no email.
    var missing: Set<Int64> = []
    /// The email of each (message id, recipient) pair found or made.
    var byMessageRecipient: [MessageRecipient: Int64] = [:]
    /// Pairs that name no email (found absent under the batch's message locks).
    var absentPairs: Set<MessageRecipient> = []
    /// Message ids given to audit emails, not yet written (``flushClaims()``).
    var pendingClaims: [PostgresEmailClaim] = []
    private var earliest: [MessageRecipient: Date] = [:]
    private var importAccountID: Int64?

    init(store: PostgresAuditStore, db: BlockingPostgresConnection, defaultAccountID: Int64?) {
        self.store = store
        self.db = db
        self.defaultAccountID = defaultAccountID
    }

    func apply(_ batch: [IncomingEvent]) throws -> ApplyResult {
        // Rejected events carry no recipient: it is the To header. The batch's events are read
        // in place by index from here on: an `IncomingEvent` holds a dozen strings and arrays,
        // and every copy of one retains (and later releases) each of them.
        var items = batch
        for index in items.indices where items[index].recipient.isEmpty {
            items[index] = EventOwnership.withRecipient(items[index])
        }
        for index in items.indices {
            let key = MessageRecipient(messageID: items[index].messageID, recipient: items[index].recipient)
            let at = items[index].event.occurredAt
            earliest[key] = min(earliest[key] ?? at, at)
        }
        // Every statement of the batch reads the rows it names by key: a nested loop of index
        // probes. Priced by the planner, a few thousand keys spread over a week of a month
        // partition looked cheaper as a hash join over a scan of the whole partition (three
        // statements a batch, each scanning ~3,000 pages at 300,000 emails; auto_explain).
        try db.execute("SELECT set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)")
        // One message's email is found or made by one ingester at a time.
        try lockMessages(items.indices.map { StoredEventCoding.messageHash(items[$0].messageID) })
        // The finding rule's caches, filled by two queries; its per-item queries are fallbacks.
        try prefetchEmails(of: items)
        var owners: [Int64] = []
        owners.reserveCapacity(items.count)
        // Here and below the events are read through the array's buffer: `items[index]` passed
        // to a function copied the whole event (perf, 06/12/2026).
        try items.withUnsafeBufferPointer { buffer in
            for index in buffer.indices { owners.append(try EventOwnership.owner(of: buffer[index], in: self)) }
        }
        try flushClaims()
        // Lock every email the batch names, in id order, and read its state.
        let states = try lockStates(Set(owners))

        var result = ApplyResult()
        result.createdEmails = created.count
        var touched: Set<Int64> = []
        var headers: [Int64: MessageHeaders] = [:]
        var suppressions: [(index: Int, kind: SuppressionKind, emailID: Int64)] = []
        let hashes = items.indices.map { StoredEventCoding.keyHash(items[$0].event.key) }
        // One read of the named emails' stored events serves the duplicate check and the
        // derivation: each new event is added as it will read back once stored, in the order it
        // is inserted (a probe per event for stored keys, then the touched emails' events read
        // back after the insert, were two statements and twice the rows).
        var eventsByEmail = try events(of: Array(Set(owners)).sorted())
        var stored = Set<EmailEventKey>()
        for (id, events) in eventsByEmail {
            for index in events.indices { stored.insert(EmailEventKey(emailID: id, key: events[index].key)) }
        }
        var new: [(index: Int, emailID: Int64, hash: Int64)] = []
        items.withUnsafeBufferPointer { buffer in
            for index in buffer.indices {
                let emailID = owners[index]
                // Stored before, or earlier in this batch: once.
                guard stored.insert(EmailEventKey(emailID: emailID, key: buffer[index].event.key)).inserted else {
                    result.duplicates += 1
                    continue
                }
                new.append((index, emailID, hashes[index]))
                eventsByEmail[emailID, default: []].append(PostgresAuditStore.storedForm(of: buffer[index].event))
                result.inserted += 1
                touched.insert(emailID)
                if !buffer[index].headers.subject.isEmpty, headers[emailID] == nil { headers[emailID] = buffer[index].headers }
                if let kind = SuppressionKind.added(by: buffer[index].event) { suppressions.append((index, kind, emailID)) }
            }
        }
        guard !touched.isEmpty else { return result }
        try insertEvents(new, of: items, compressor: StoredEventCoding.RawEventCompressor())

        var rollups = PostgresRollupDeltas(timeZone: store.timeZone)
        var notices: [Int64: PostgresNotificationWriter.EmailFacts] = [:]
        let order = touched.sorted()
        var derivations: [(id: Int64, derivation: DerivedStatus)] = []
        derivations.reserveCapacity(order.count)
        for id in order {
            let state = states[id]!, before = emails[id]!
            let derived = StatusDerivation.derive(eventsByEmail[id] ?? [])
            derivations.append((id, derived))
            let isNew = created.contains(id)
            // An External email takes its earliest event's time, also when that event comes in a
            // later batch than the one that made it (as on SQLite: the row is the same whatever
            // order the events came in).
            var moved = false
            if state.isExternal, !isNew, let earliest = eventsByEmail[id]?.map(\.occurredAt).min() {
                moved = try redateExternal(id, toEarliest: earliest)
            }
            let email = emails[id]!
            if isNew || derived.status != state.status || moved {
                if !isNew {
                    rollups.add(accountID: email.accountID, at: before.createdAt, raisedByID: state.raisedByID, status: state.status, -1)
                }
                rollups.add(accountID: email.accountID, at: email.createdAt, raisedByID: state.raisedByID, status: derived.status, 1)
            }
            var subject = state.subject
            if state.isExternal, state.subject.isEmpty, let found = headers[id] {
                try fillHeaders(found, emailID: id, email: email)
                subject = found.subject
            }
            if derived.status != state.status {
                if derived.status.raisesNotification {
                    notices[id] = PostgresNotificationWriter.EmailFacts(activity: state.activity, subject: subject, createdAt: email.createdAt)
                }
                result.statusChanges.append(StatusChange(emailID: id, old: state.status, new: derived.status,
                                                         accountID: email.accountID, raisedByID: state.raisedByID,
                                                         to: email.to, detail: derived.detail))
            }
        }
        try writeDerived(derivations)
        // Notifications are raised in this transaction, with the status changes that cause them;
        // their emails' roll-ups join the ingest's, applied at once in key order.
        let raised = try PostgresNotificationWriter(store: store, db: db).raise(result.statusChanges, known: notices, rollups: &rollups)
        result.notificationsRaised = raised.notifications
        try rollups.apply(on: db)
        // Suppression rows in (account, address) order, so two ingesters lock them in one order;
        // within one address in batch order, as the SQLite store adds them.
        let ordered = suppressions.enumerated().sorted { a, b in
            let ka = emails[a.element.emailID]!.accountID, kb = emails[b.element.emailID]!.accountID
            return (ka, items[a.element.index].recipient, a.offset) < (kb, items[b.element.index].recipient, b.offset)
        }
        for (_, candidate) in ordered {
            let item = items[candidate.index]
            if let entry = try addSuppression(address: item.recipient, kind: candidate.kind,
                                              event: item.event, emailID: candidate.emailID) {
                result.suppressionsAdded.append(entry)
            }
        }
        return result
    }

    // MARK: Finding the email

    /// The audited email `id` names, as the finding rule sees it.
    func auditedEmail(_ id: Int64) throws -> EventOwnership.AuditedEmail? {
        try email(id).map { EventOwnership.AuditedEmail(messageID: $0.messageID, to: $0.to) }
    }

    func email(messageID: String, recipient: String) throws -> Int64? {
        try lookup(MessageRecipient(messageID: messageID, recipient: recipient))
    }

    func firstEmail(messageID: String) throws -> Int64? {
        try optionalInt64("""
            SELECT min(id) FROM emails
            WHERE message_hash = \(StoredEventCoding.messageHash(messageID)) AND provider_message_id = \(messageID)
            """)
    }

    func claim(_ auditID: Int64, messageID: String, for item: IncomingEvent) throws {
        guard var info = try email(auditID) else { return }
        // Written with the batch's other claims (``flushClaims()``), before anything reads the row.
        pendingClaims.append(PostgresEmailClaim(emailID: auditID, email: info, messageID: messageID,
                                                handedOverMS: StoredEventCoding.milliseconds(item.event.occurredAt)))
        info.messageID = messageID
        emails[auditID] = info
        byMessageRecipient[MessageRecipient(messageID: messageID, recipient: info.to)] = auditID
    }

    /// Notes the email just made for `item`: created by this transaction, found by its
    /// (message id, recipient) from now on.
    private func made(_ id: Int64, for item: IncomingEvent) -> Int64 {
        created.insert(id)
        byMessageRecipient[MessageRecipient(messageID: item.messageID, recipient: item.recipient)] = id
        return id
    }

    /// The email `id` (any account: an audit id names an email, and the recipient check decides).
    private func email(_ id: Int64) throws -> EmailKey? {
        if let known = emails[id] { return known }
        if missing.contains(id) { return nil }
        let found = try store.rows("""
            SELECT e.account_id, e.created_at, e.provider_message_id, e.to_address
            FROM email_keys k
            JOIN emails e ON e.account_id = k.account_id AND e.id = k.id AND e.created_at = k.created_at
            WHERE k.account_id = ANY(ARRAY(SELECT a.id FROM accounts a)) AND k.id = \(id)
            """, on: db) { row in
            EmailKey(accountID: try row[0].decode(Int64.self), createdAt: try row[1].decode(Date.self),
                     messageID: try row[2].decode(String?.self), to: try row[3].decode(String.self))
        }.first
        if let found { emails[id] = found } else { missing.insert(id) }
        return found
    }

    private func lookup(_ key: MessageRecipient) throws -> Int64? {
        if let id = byMessageRecipient[key] { return id }
        if absentPairs.contains(key) { return nil }
        let found = try store.rows("""
            SELECT id, account_id, created_at FROM emails
            WHERE message_hash = \(StoredEventCoding.messageHash(key.messageID)) AND provider_message_id = \(key.messageID)
              AND to_address = \(key.recipient)
            ORDER BY id LIMIT 1
            """, on: db) { row in
            (try row[0].decode(Int64.self), EmailKey(accountID: try row[1].decode(Int64.self), createdAt: try row[2].decode(Date.self),
                                                     messageID: key.messageID, to: key.recipient))
        }.first
        guard let found else { return nil }
        emails[found.0] = found.1
        byMessageRecipient[key] = found.0
        return found.0
    }

    func makeSibling(of source: Int64, for item: IncomingEvent) throws -> Int64 {
        let recipient = item.recipient
        guard let from = try email(source) else { throw PostgresStoreError.unknownEmail(id: source) }
        // The copy reads the source's row: its message id first.
        try flushClaims()
        let id = try store.int64("""
            INSERT INTO emails (account_id, created_at, raised_by_id, activity, to_address, cc, sender_id, subject, body,
                                attachments, provider_message_id, message_hash, handed_over_at, status)
            SELECT account_id, created_at, raised_by_id, activity, \(recipient), cc, sender_id, subject, body,
                   attachments, provider_message_id, message_hash, handed_over_at, 0
            FROM emails WHERE account_id = \(from.accountID) AND id = \(source) AND created_at = \(from.createdAt)
            RETURNING id
            """, on: db)!
        emails[id] = EmailKey(accountID: from.accountID, createdAt: from.createdAt, messageID: from.messageID, to: recipient)
        return made(id, for: item)
    }

    /// An email for a message the store never recorded, raised by the account's External user,
    /// created at the batch's earliest event for the message and recipient.
    func makeExternal(for item: IncomingEvent) throws -> Int64 {
        let accountID = try accountForImports()
        let staffID = try store.externalStaffID(accountID: accountID, on: db)
        let from = item.headers.from
        try db.execute("""
            INSERT INTO senders (account_id, address) VALUES (\(accountID), \(from))
            ON CONFLICT (account_id, address) DO NOTHING
            """)
        let senderID = try store.int64("SELECT id FROM senders WHERE account_id = \(accountID) AND address = \(from)", on: db)!
        let first = earliest[MessageRecipient(messageID: item.messageID, recipient: item.recipient)] ?? item.event.occurredAt
        let at = StoredEventCoding.milliseconds(first)
        let row = try store.rows("""
            INSERT INTO emails (account_id, created_at, raised_by_id, activity, to_address, cc, sender_id, subject, body,
                                attachments, provider_message_id, message_hash, handed_over_at, status)
            VALUES (\(accountID), timestamptz 'epoch' + \(at) * interval '1 millisecond', \(staffID), \(Activity.external.rawValue),
                    \(item.recipient), '[]'::jsonb, \(senderID), \(item.headers.subject), '',
                    \(PostgresAuditStore.jsonArray(item.headers.attachmentNames))::jsonb, \(item.messageID),
                    \(StoredEventCoding.messageHash(item.messageID)), timestamptz 'epoch' + \(at) * interval '1 millisecond', 0)
            RETURNING id, created_at
            """, on: db) { row in (try row[0].decode(Int64.self), try row[1].decode(Date.self)) }.first!
        emails[row.0] = EmailKey(accountID: accountID, createdAt: row.1, messageID: item.messageID, to: item.recipient)
        return made(row.0, for: item)
    }

    /// The one value of `query`'s one row (an aggregate: NULL over no rows is nil).
    /// The batch's pending claims are written first: the query may look for their message ids.
    private func optionalInt64(_ query: PostgresQuery) throws -> Int64? {
        try flushClaims()
        return try store.rows(query, on: db) { try $0[0].decode(Int64?.self) }.first ?? nil
    }

    private func accountForImports() throws -> Int64 {
        if let importAccountID { return importAccountID }
        let id: Int64
        if let defaultAccountID {
            try store.requireAccount(defaultAccountID, on: db)
            id = defaultAccountID
        } else if let first = try optionalInt64("SELECT min(id) FROM accounts") {
            id = first
        } else {
            id = try store.int64("INSERT INTO accounts (name) VALUES ('Imported') RETURNING id", on: db)!
        }
        importAccountID = id
        return id
    }

    // MARK: Events

    /// An email's row as locked for this transaction.
    struct EmailState {
        var status: EmailStatus
        var raisedByID: Int64
        var activity: Activity
        var subject: String

        var isExternal: Bool { activity == .external }
    }

    /// Fills a blank External email's subject, sender and attachments from a later event's headers.
    private func fillHeaders(_ found: MessageHeaders, emailID: Int64, email: EmailKey) throws {
        try db.execute("""
            INSERT INTO senders (account_id, address) VALUES (\(email.accountID), \(found.from))
            ON CONFLICT (account_id, address) DO NOTHING
            """)
        let sender = try store.int64("SELECT id FROM senders WHERE account_id = \(email.accountID) AND address = \(found.from)", on: db)!
        try db.execute("""
            UPDATE emails e SET subject = \(found.subject),
                sender_id = CASE WHEN coalesce((SELECT address FROM senders s WHERE s.account_id = e.account_id AND s.id = e.sender_id), '') = ''
                                 THEN \(sender) ELSE e.sender_id END,
                attachments = CASE WHEN e.attachments = '[]'::jsonb
                                   THEN \(PostgresAuditStore.jsonArray(found.attachmentNames))::jsonb ELSE e.attachments END
            WHERE e.account_id = \(email.accountID) AND e.id = \(emailID) AND e.created_at = \(email.createdAt)
            """)
    }

    // MARK: Suppressions

    /// Puts `address` on the suppression list of the email's account because of `event`, as the
    /// SQLite store's `SuppressionWriter.add`: an entry removed by support is re-added only by
    /// a later event; of several events the earliest is kept. Returns the entry when the
    /// address was not suppressed before.
    private func addSuppression(address: String, kind: SuppressionKind, event: ProviderEvent, emailID: Int64) throws -> SuppressionEntry? {
        guard !address.isEmpty, let email = emails[emailID] else { return nil }
        let existing = try store.rows("""
            SELECT lifted_at IS NULL FROM account_suppressions WHERE account_id = \(email.accountID) AND address = \(address)
            """, on: db) { try $0[0].decode(Bool.self) }.first
        let wasActive = existing == true
        let atMS = StoredEventCoding.milliseconds(event.occurredAt)
        let reason = StoredEventCoding.suppressionReason(kind: kind, event: event)
        let changed = try db.execute("""
            INSERT INTO account_suppressions AS s (account_id, address, kind, created_at, reason, email_id, email_created_at)
            VALUES (\(email.accountID), \(address), \(kind.rawValue), timestamptz 'epoch' + \(atMS) * interval '1 millisecond',
                    \(reason), \(emailID), \(email.createdAt))
            ON CONFLICT (account_id, address) DO UPDATE SET
                kind = excluded.kind, created_at = excluded.created_at, reason = excluded.reason,
                email_id = excluded.email_id, email_created_at = excluded.email_created_at,
                lifted_at = NULL, lifted_by = NULL, lift_reason = NULL,
                requested_at = NULL, requested_by = NULL, request_note = NULL
            WHERE (s.lifted_at IS NOT NULL AND excluded.created_at > s.lifted_at)
               OR (s.lifted_at IS NULL AND excluded.created_at < s.created_at)
            """)
        guard changed > 0, !wasActive else { return nil }
        try db.execute("""
            INSERT INTO suppression_history (account_id, address, at, action, user_id, user_name, note)
            VALUES (\(email.accountID), \(address), timestamptz 'epoch' + \(atMS) * interval '1 millisecond',
                    \(SuppressionAction.added.rawValue), NULL, \(StoredEventCoding.providerName), \(reason))
            """)
        return SuppressionEntry(address: address, kind: kind, createdAt: StoredEventCoding.date(milliseconds: atMS), reason: reason,
                                emailID: emailID)
    }
}
