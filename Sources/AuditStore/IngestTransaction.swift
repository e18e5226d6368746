import AuditCore
import GRDB

/// One ingest transaction on the SQLite store: events are stored batch by batch as they come
/// (``store(_:)``), then ``finish(_:)`` re-derives every email that got a new event, once, and
/// writes what follows from it. ``AuditDatabase/apply(_:defaultAccountID:)`` stores one batch;
/// ``AuditDatabase/apply(batches:defaultAccountID:)`` several.
///
/// Keeps no event after ``store(_:)`` returns, only what ``finish(_:)`` needs of it (the email
/// ids, one set of headers per email, the events that add suppressions), so that a caller can
/// free each batch while the transaction is still open.
final class IngestTransaction {
    private let db: Database
    private let ingest: EventIngest
    private let insert: RawStatement
    private let probe: RawStatement
    private let compressor = CompactText.Compressor()
    private var result = ApplyResult()
    /// Emails that got a new event, in the order they first did.
    private var touched: [Int64] = []
    private var touchedSet: Set<Int64> = []
    /// The events that put their address on the suppression list, with their email.
    private var suppressionCandidates: [(recipient: String, event: ProviderEvent, kind: SuppressionKind, emailID: Int64)] = []
    /// The first headers with a subject seen for each email (``StatusRefresh`` fills an External email's blanks from them).
    private var headerCandidates: [Int64: MessageHeaders] = [:]

    /// Starts storing in the write transaction open on `db`.
    init(db: Database, defaultAccountID: Int64?) throws {
        self.db = db
        ingest = try EventIngest(db: db, defaultAccountID: defaultAccountID)
        insert = try RawStatement(db, sql: EventInsert.sql)
        probe = try RawStatement(db, sql: EventInsert.probe)
    }

    /// Stores each event of `batch` once (an event whose key its email already holds is counted
    /// as a duplicate), on the email it belongs to (found or made by ``EventIngest``). The
    /// events' values must already have passed ``StoredValueCheck``.
    func store(_ batch: [IncomingEvent]) throws {
        if touched.isEmpty {
            // Only for the first batch: reserving again for each would copy the arrays every time.
            touched.reserveCapacity(batch.count)
            touchedSet.reserveCapacity(batch.count)
        }
        for incoming in batch {
            try store(EventOwnership.withRecipient(incoming))
        }
    }

    /// Whether the email already holds an event with `key` (hash `hash`).
    private func isStored(_ key: String, hash: Int64, emailID: Int64) throws -> Bool {
        probe.reset()
        probe.bind(1, emailID)
        probe.bind(2, hash)
        while try probe.step() {
            if StoredEventKey.key(stored: probe.string(2), providerEventID: probe.string(0), kind: probe.string(1)) == key {
                probe.reset()
                return true
            }
        }
        return false
    }

    private func store(_ item: IncomingEvent) throws {
        let emailID = try ingest.owner(of: item)
        let hash = EventKeyHash.of(item.event.key)
        guard try !isStored(item.event.key, hash: hash, emailID: emailID) else {
            result.duplicates += 1
            return
        }
        insert.reset()
        insert.bind(EventInsert.emailIDPosition, emailID)
        insert.bind(.key, StoredEventKey.stored(item.event.key, providerEventID: item.event.providerEventID,
                                                kind: item.event.kind.rawValue))
        insert.bind(EventInsert.keyHashPosition, hash)
        insert.bind(.providerEventID, item.event.providerEventID)
        insert.bind(.kind, item.event.kind.rawValue)
        insert.bind(.occurredAt, StorageEncoding.microseconds(item.event.occurredAt))
        insert.bind(.severity, item.event.severity?.rawValue)
        insert.bind(.reason, item.event.reason)
        let delivery = item.event.delivery
        insert.bind(.code, delivery?.code)
        insert.bind(.enhancedCode, delivery?.enhancedCode)
        insert.bind(.message, delivery?.message)
        insert.bind(.description, delivery?.description)
        insert.bind(.mxHost, delivery?.mxHost)
        insert.bind(.attemptNumber, delivery?.attemptNumber)
        insert.bind(.retrySeconds, delivery?.retrySeconds)
        insert.bind(.rejectReason, item.event.rejectReason)
        insert.bind(.url, item.event.url)
        insert.bind(.delayedBounce, Int64(item.event.isDelayedBounce ? 1 : 0))
        if let prepared = item.packedRawJSON {
            if let prepared {
                prepared.withUnsafeBytes { insert.bind(EventInsert.rawJSONPosition, blob: $0) }
            } else {
                insert.bind(EventInsert.rawJSONPosition, item.rawJSON)
            }
        } else {
            let tokens = EventJSONTokens(providerEventID: item.event.providerEventID,
                                         occurredAtMicroseconds: StorageEncoding.microseconds(item.event.occurredAt),
                                         eventKey: item.event.key, mxHost: delivery?.mxHost)
            compressor.encode(item.rawJSON, tokens: tokens) { packed in
                if let packed { insert.bind(EventInsert.rawJSONPosition, blob: packed) } else { insert.bind(EventInsert.rawJSONPosition, item.rawJSON) }
            }
        }
        try insert.run()
        result.inserted += 1
        if touchedSet.insert(emailID).inserted { touched.append(emailID) }
        if !item.headers.subject.isEmpty, headerCandidates[emailID] == nil { headerCandidates[emailID] = item.headers }
        if let kind = SuppressionKind.added(by: item.event) {
            suppressionCandidates.append((item.recipient, item.event, kind, emailID))
        }
    }

    /// Re-derives every email that got a new event from ALL its events (``StatusRefresh``),
    /// moves the roll-ups, raises notifications for emails that first reached a problem status,
    /// adds suppression entries and counts the change; returns what the transaction did. The
    /// transaction commits when the caller's write block returns.
    func finish(_ store: AuditDatabase) throws -> ApplyResult {
        result.createdEmails = ingest.created.count
        guard !touched.isEmpty else { return result }
        try store.adjustCounts(db, emails: result.createdEmails, events: result.inserted)

        var days = try store.rollupDays(db)
        var deltas = RollupDeltas()
        var notices: [Int64: NotificationWriter.EmailFacts] = [:]
        result.statusChanges = try StatusRefresh.refresh(db, emailIDs: touched, created: ingest.created,
                                                         days: &days, deltas: &deltas, headers: headerCandidates,
                                                         notices: &notices)
        // Notifications are raised in this transaction, with the status changes that cause them.
        let raised = try NotificationWriter.raise(db, changes: result.statusChanges, known: notices, days: &days,
                                                  deltas: &deltas, timeZone: store.timeZone)
        result.notificationsRaised = raised.notifications
        if raised.emails > 0 { try store.adjustCounts(db, emails: raised.emails, events: 0) }
        try deltas.apply(db)
        for candidate in suppressionCandidates {
            if let entry = try SuppressionWriter.add(db, address: candidate.recipient, kind: candidate.kind,
                                                     event: candidate.event, emailID: candidate.emailID) {
                result.suppressionsAdded.append(entry)
            }
        }
        try store.bumpChangeCounter(db)
        return result
    }
}
