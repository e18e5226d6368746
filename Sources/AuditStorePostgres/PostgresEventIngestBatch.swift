import AuditCore
import AuditStore
import Foundation
import NIOCore
import PostgresNIO

/// The set-based statements of one ingest transaction (``PostgresEventIngest``): each step of
/// the batch is one statement over arrays bound as parameters (`unnest`), not one per event.
extension PostgresEventIngest {
    /// Takes the transaction's advisory lock of each message hash, in ascending order, in one
    /// statement (two ingesters take their common locks in one order, so never wait in a cycle).
    func lockMessages(_ hashes: [Int64]) throws {
        let sorted = Array(Set(hashes)).sorted()
        guard !sorted.isEmpty else { return }
        // The array is sorted; its ordinality keeps the locks in that order.
        try db.execute("""
            SELECT pg_advisory_xact_lock(k.h) FROM unnest(\(sorted)::bigint[]) WITH ORDINALITY AS k(h, n) ORDER BY k.n
            """)
    }

    /// Fills the caches the finding rule reads (``emails``, ``missing``, ``byMessageRecipient``,
    /// ``absentPairs``) with two queries: every audit id the batch names, and every (message id,
    /// recipient) pair it may look up. Run under the batch's message locks: no other ingester
    /// or hand-over gives an email one of these message ids until the transaction ends, so a
    /// pair found absent stays absent but for what this transaction makes (which the finding
    /// rule puts into ``byMessageRecipient``, read first).
    func prefetchEmails(of items: [IncomingEvent]) throws {
        let auditIDs = Set(items.compactMap(\.auditEmailID)).filter { emails[$0] == nil && !missing.contains($0) }.sorted()
        if !auditIDs.isEmpty {
            // Each id's account and month from email_keys (one index, not a probe of every month),
            // then the rows themselves with the partition key bounded to those months.
            let keys = try store.rows(Self.emailKeysQuery(auditIDs), on: db) { row in
                (id: try row[0].decode(Int64.self), accountID: try row[1].decode(Int64.self), createdAt: try row[2].decode(Date.self))
            }
            if let (lo, hi) = Self.createdRange(keys.lazy.map(\.createdAt)) {
                let found = try store.rows("""
                    SELECT e.id, e.account_id, e.created_at, e.provider_message_id, e.to_address FROM emails e
                    JOIN unnest(\(keys.map(\.accountID))::bigint[], \(keys.map(\.id))::bigint[], \(keys.map(\.createdAt))::timestamptz[]) AS k(a, i, c)
                      ON e.account_id = k.a AND e.id = k.i AND e.created_at = k.c
                    WHERE e.created_at >= \(lo) AND e.created_at <= \(hi)
                    """, on: db) { row in
                    (try row[0].decode(Int64.self),
                     EmailKey(accountID: try row[1].decode(Int64.self), createdAt: try row[2].decode(Date.self),
                              messageID: try row[3].decode(String?.self), to: try row[4].decode(String.self)))
                }
                for (id, key) in found { emails[id] = key }
            }
            missing.formUnion(auditIDs.filter { emails[$0] == nil })
        }
        var pairs: Set<MessageRecipient> = []
        for index in items.indices {
            let messageID = items[index].messageID, recipient = items[index].recipient
            if let auditID = items[index].auditEmailID, let info = emails[auditID] {
                // The common case: the audit id names the email (same message id and recipient);
                // the finding rule looks nothing else up for it.
                if info.messageID == messageID, info.to == recipient { continue }
                // A claim looks the message up at the audit email's own recipient.
                if info.messageID == nil { pairs.insert(MessageRecipient(messageID: messageID, recipient: info.to)) }
            }
            pairs.insert(MessageRecipient(messageID: messageID, recipient: recipient))
        }
        let wanted = pairs.filter { byMessageRecipient[$0] == nil && !absentPairs.contains($0) }
            .sorted { ($0.messageID, $0.recipient) < ($1.messageID, $1.recipient) }
        guard !wanted.isEmpty else { return }
        let hashes = wanted.map { StoredEventCoding.messageHash($0.messageID) }
        let found = try store.rows("""
            SELECT DISTINCT ON (k.m, k.r) e.id, e.account_id, e.created_at, k.m, k.r
            FROM unnest(\(hashes)::bigint[], \(wanted.map(\.messageID))::text[], \(wanted.map(\.recipient))::text[]) AS k(h, m, r)
            JOIN emails e ON e.message_hash = k.h AND e.provider_message_id = k.m AND e.to_address = k.r
            ORDER BY k.m, k.r, e.id
            """, on: db) { row in
            let key = MessageRecipient(messageID: try row[3].decode(String.self), recipient: try row[4].decode(String.self))
            return (key, try row[0].decode(Int64.self),
                    EmailKey(accountID: try row[1].decode(Int64.self), createdAt: try row[2].decode(Date.self),
                             messageID: key.messageID, to: key.recipient))
        }
        var seen: Set<MessageRecipient> = []
        for (key, id, info) in found {
            emails[id] = info
            byMessageRecipient[key] = id
            seen.insert(key)
        }
        absentPairs.formUnion(wanted.filter { !seen.contains($0) })
    }

    /// Writes the message ids the finding rule gave audit emails (``pendingClaims``) in one
    /// statement. Called before any statement that reads them from the rows.
    func flushClaims() throws {
        guard !pendingClaims.isEmpty else { return }
        let claims = pendingClaims.sorted { $0.emailID < $1.emailID }
        pendingClaims.removeAll()
        let (lo, hi) = Self.createdRange(claims.map(\.email))
        try db.execute("""
            UPDATE emails e SET provider_message_id = k.m, message_hash = k.h,
                handed_over_at = coalesce(e.handed_over_at, timestamptz 'epoch' + k.at * interval '1 millisecond')
            FROM unnest(\(claims.map(\.email.accountID))::bigint[], \(claims.map(\.emailID))::bigint[],
                        \(claims.map(\.email.createdAt))::timestamptz[], \(claims.map(\.messageID))::text[],
                        \(claims.map { StoredEventCoding.messageHash($0.messageID) })::bigint[],
                        \(claims.map(\.handedOverMS))::bigint[]) AS k(a, i, c, m, h, at)
            WHERE e.account_id = k.a AND e.id = k.i AND e.created_at = k.c AND e.provider_message_id IS NULL
              AND e.created_at >= \(lo) AND e.created_at <= \(hi)
            """)
    }

    /// Locks the rows of `ids` until the transaction ends, in id order, in one statement, and
    /// reads what the derivation changes.
    func lockStates(_ ids: Set<Int64>) throws -> [Int64: EmailState] {
        let sorted = ids.sorted()
        let keys = sorted.map { emails[$0]! }
        let (lo, hi) = Self.createdRange(keys)
        let rows = try store.rows("""
            SELECT e.id, e.status, e.raised_by_id, e.activity, e.subject FROM emails e
            JOIN unnest(\(keys.map(\.accountID))::bigint[], \(sorted)::bigint[], \(keys.map(\.createdAt))::timestamptz[]) AS k(a, i, c)
              ON e.account_id = k.a AND e.id = k.i AND e.created_at = k.c
            WHERE e.created_at >= \(lo) AND e.created_at <= \(hi)
            ORDER BY e.id
            FOR UPDATE OF e
            """, on: db) { row in
            (try row[0].decode(Int64.self),
             EmailState(status: EmailStatus(code: Int(try row[1].decode(Int16.self))) ?? .pending,
                        raisedByID: try row[2].decode(Int64.self),
                        activity: Activity(rawValue: try row[3].decode(String.self)) ?? .external,
                        subject: try row[4].decode(String.self)))
        }
        let states = Dictionary(rows, uniquingKeysWith: { first, _ in first })
        if let lost = sorted.first(where: { states[$0] == nil }) { throw PostgresStoreError.unknownEmail(id: lost) }
        return states
    }

    /// Inserts the new events (each `new` row an index into `items`, in batch order) in one
    /// statement, in that order (their ids, and so the order the derivation reads them in,
    /// follow it).
    func insertEvents(_ new: [(index: Int, emailID: Int64, hash: Int64)], of items: [IncomingEvent],
                      compressor: StoredEventCoding.RawEventCompressor) throws {
        guard !new.isEmpty else { return }
        var columns = PostgresEventColumns()
        // Read in place through the buffer: `items[index]` passed on copied the whole event.
        items.withUnsafeBufferPointer { buffer in
            for (index, emailID, hash) in new {
                columns.append(buffer[index], emailID: emailID, email: emails[emailID]!, hash: hash, compressor: compressor)
            }
        }
        let c = columns
        try db.execute("""
            INSERT INTO events (account_id, email_created_at, email_id, key_hash, event_key, provider_event_id, kind,
                                occurred_at, severity, reason, code, enhanced_code, message, description, mx_host,
                                attempt_no, retry_seconds, reject_reason, url, delayed_bounce, raw_json)
            SELECT r.a, r.c, r.e, r.h, r.k, r.p, r.kind, timestamptz 'epoch' + r.at * interval '1 microsecond',
                   CASE WHEN r.z & 1 = 0 THEN r.severity END, CASE WHEN r.z & 2 = 0 THEN r.reason END,
                   CASE WHEN r.z & 4 = 0 THEN r.code END, CASE WHEN r.z & 8 = 0 THEN r.enhanced END,
                   CASE WHEN r.z & 16 = 0 THEN r.message END, CASE WHEN r.z & 32 = 0 THEN r.description END,
                   CASE WHEN r.z & 64 = 0 THEN r.mx END, CASE WHEN r.z & 128 = 0 THEN r.attempt END,
                   CASE WHEN r.z & 256 = 0 THEN r.retry END, CASE WHEN r.z & 512 = 0 THEN r.reject END,
                   CASE WHEN r.z & 1024 = 0 THEN r.url END, r.delayed, r.raw
            FROM unnest(\(c.accountIDs)::bigint[], \(c.createdAts)::timestamptz[], \(c.emailIDs)::bigint[], \(c.hashes)::bigint[],
                        \(c.keys)::text[], \(c.providerIDs)::text[], \(c.kinds)::text[], \(c.occurred)::bigint[],
                        \(c.severities)::text[], \(c.reasons)::text[], \(c.codes)::integer[], \(c.enhancedCodes)::text[],
                        \(c.messages)::text[], \(c.descriptions)::text[], \(c.mxHosts)::text[], \(c.attempts)::integer[],
                        \(c.retries)::integer[], \(c.rejectReasons)::text[], \(c.urls)::text[], \(c.delayed)::boolean[],
                        \(c.raws)::bytea[], \(c.nulls)::integer[])
                 WITH ORDINALITY AS r(a, c, e, h, k, p, kind, at, severity, reason, code, enhanced, message, description, mx,
                                      attempt, retry, reject, url, delayed, raw, z, n)
            ORDER BY r.n
            """)
    }

    /// All the events of `ids`, each email's in the order they were stored, in one query.
    func events(of ids: [Int64]) throws -> [Int64: [ProviderEvent]] {
        guard !ids.isEmpty else { return [:] }
        let keys = ids.map { emails[$0]! }
        let rows = try store.rows(Self.eventsQuery(keys: keys, ids: ids), on: db) { row in
            (try row[16].decode(Int64.self), try PostgresAuditStore.providerEvent(from: row))
        }
        var events: [Int64: [ProviderEvent]] = [:]
        for (id, event) in rows { events[id, default: []].append(event) }
        return events
    }

    /// Writes each derived email's status, detail and last event time in one statement (the
    /// rows are locked by ``lockStates(_:)``).
    func writeDerived(_ derived: [(id: Int64, derivation: DerivedStatus)]) throws {
        guard !derived.isEmpty else { return }
        let keys = derived.map { emails[$0.id]! }
        let (lo, hi) = Self.createdRange(keys)
        let details = derived.map { StoredEventCoding.statusDetailJSON($0.derivation.detail) }
        let lasts = derived.map { $0.derivation.lastEventAt.map(StoredEventCoding.microseconds) }
        try db.execute("""
            UPDATE emails e SET status = k.s,
                status_detail = CASE WHEN k.dn THEN NULL ELSE k.d::jsonb END,
                last_event_at = CASE WHEN k.ln THEN NULL ELSE timestamptz 'epoch' + k.l * interval '1 microsecond' END
            FROM unnest(\(keys.map(\.accountID))::bigint[], \(derived.map { $0.id })::bigint[], \(keys.map(\.createdAt))::timestamptz[],
                        \(derived.map { Int16($0.derivation.status.code) })::smallint[],
                        \(details.map { $0 ?? "" })::text[], \(details.map { $0 == nil })::boolean[],
                        \(lasts.map { $0 ?? 0 })::bigint[], \(lasts.map { $0 == nil })::boolean[]) AS k(a, i, c, s, d, dn, l, ln)
            WHERE e.account_id = k.a AND e.id = k.i AND e.created_at = k.c
              AND e.created_at >= \(lo) AND e.created_at <= \(hi)
            """)
    }

    /// The accounts and creation times of the emails `ids` from `email_keys`, one primary-key
    /// probe per id (LATERAL ... LIMIT 1).
    ///
    /// With `k.id = ANY(...)` the planner chose a parallel scan of all of email_keys at
    /// 1,000,000 emails (~80 ms per batch; auto_explain). Both key columns are conditions of the
    /// probe (the accounts as an array), so it is a look-up whatever the statistics say: joined
    /// to `accounts`, a store filled by `migrate` and not yet analysed had the planner scan all
    /// of email_keys for every id (300,000 emails: 7,995 falling to 557 events/s per tenth).
    static func emailKeysQuery(_ ids: [Int64]) -> PostgresQuery {
        """
        SELECT k.id, k.account_id, k.created_at
        FROM unnest(\(ids)::bigint[]) AS i(id)
        CROSS JOIN LATERAL (
            SELECT k.id, k.account_id, k.created_at FROM email_keys k
            WHERE k.account_id = ANY(ARRAY(SELECT a.id FROM accounts a)) AND k.id = i.id LIMIT 1) k
        """
    }

    /// Every event of the emails `ids` (`keys` their accounts and creation times, in the same
    /// order), each email's in the order they were stored: ``eventColumns`` and the email id.
    ///
    /// One index probe per email (LATERAL; `OFFSET 0` keeps the planner from flattening it back
    /// into a join), whatever the statistics say: joined to the unnest, a month partition the
    /// ingest was filling and autovacuum had not analysed yet looked empty to the planner, which
    /// then read it whole for every email (2-3 s per batch at 300,000 emails; auto_explain).
    static func eventsQuery(keys: [EmailKey], ids: [Int64]) -> PostgresQuery {
        let (lo, hi) = createdRange(keys)
        return """
            SELECT \(unescaped: PostgresAuditStore.eventColumns), v.email_id
            FROM unnest(\(keys.map(\.accountID))::bigint[], \(ids)::bigint[], \(keys.map(\.createdAt))::timestamptz[]) AS k(a, i, c)
            CROSS JOIN LATERAL (
                SELECT v.* FROM events v
                WHERE v.account_id = k.a AND v.email_id = k.i AND v.email_created_at = k.c
                  AND v.email_created_at >= \(lo) AND v.email_created_at <= \(hi) OFFSET 0) v
            ORDER BY v.email_id, v.id
            """
    }

    /// The earliest and latest creation time of `keys` (not empty). The statements over a
    /// batch's emails repeat them as bounds of the partition key: the server plans an unnamed
    /// statement with its parameters' values, so it plans (and opens) only the months between
    /// them, not every month of the store (at 39 months, planning a statement over all of them
    /// took about as long as running it).
    static func createdRange(_ keys: [EmailKey]) -> (Date, Date) {
        createdRange(keys.lazy.map(\.createdAt))!
    }

    /// The earliest and latest of `times` (nil when empty): the bounds above, of any times.
    static func createdRange(_ times: some Sequence<Date>) -> (Date, Date)? {
        var range: (lo: Date, hi: Date)?
        for time in times {
            range = range.map { (min($0.lo, time), max($0.hi, time)) } ?? (time, time)
        }
        return range.map { ($0.lo, $0.hi) }
    }
}

/// An email and one of its event keys (the ingest's "stored once" test).
struct EmailEventKey: Hashable {
    var emailID: Int64
    var key: String
}

/// A message id the finding rule gave an audit email, written by ``PostgresEventIngest/flushClaims()``.
struct PostgresEmailClaim {
    var emailID: Int64
    var email: PostgresEventIngest.EmailKey
    var messageID: String
    var handedOverMS: Int64
}

/// The columns of new `events` rows as parallel arrays (PostgresNIO binds arrays of
/// non-optional values: a NULL is a bit of `nulls`, its array slot a placeholder).
struct PostgresEventColumns {
    var accountIDs: [Int64] = [], createdAts: [Date] = [], emailIDs: [Int64] = [], hashes: [Int64] = []
    var keys: [String] = [], providerIDs: [String] = [], kinds: [String] = [], occurred: [Int64] = []
    var severities: [String] = [], reasons: [String] = [], codes: [Int32] = [], enhancedCodes: [String] = []
    var messages: [String] = [], descriptions: [String] = [], mxHosts: [String] = [], attempts: [Int32] = []
    var retries: [Int32] = [], rejectReasons: [String] = [], urls: [String] = [], delayed: [Bool] = []
    var raws: [ByteBuffer] = [], nulls: [Int32] = []

    mutating func append(_ item: IncomingEvent, emailID: Int64, email: PostgresEventIngest.EmailKey, hash: Int64,
                         compressor: StoredEventCoding.RawEventCompressor) {
        let event = item.event, delivery = event.delivery
        var mask: Int32 = 0
        func text(_ value: String?, _ bit: Int32) -> String {
            if value == nil { mask |= bit }
            return value ?? ""
        }
        func integer(_ value: Int?, _ bit: Int32) -> Int32 {
            if value == nil { mask |= bit }
            return value.map(Int32.init(clamping:)) ?? 0
        }
        accountIDs.append(email.accountID)
        createdAts.append(email.createdAt)
        emailIDs.append(emailID)
        hashes.append(hash)
        keys.append(StoredEventCoding.storedKey(of: event))
        providerIDs.append(event.providerEventID)
        kinds.append(event.kind.rawValue)
        occurred.append(StoredEventCoding.microseconds(event.occurredAt))
        severities.append(text(event.severity?.rawValue, 1))
        reasons.append(text(event.reason, 2))
        codes.append(integer(delivery?.code, 4))
        enhancedCodes.append(text(delivery?.enhancedCode, 8))
        messages.append(text(delivery?.message, 16))
        descriptions.append(text(delivery?.description, 32))
        mxHosts.append(text(delivery?.mxHost, 64))
        attempts.append(integer(delivery?.attemptNumber, 128))
        retries.append(integer(delivery?.retrySeconds, 256))
        rejectReasons.append(text(event.rejectReason, 512))
        urls.append(text(event.url, 1024))
        delayed.append(event.isDelayedBounce)
        raws.append(ByteBuffer(bytes: StoredEventCoding.rawJSONBytes(item, compressor: compressor)))
        nulls.append(mask)
    }
}
