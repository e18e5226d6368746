import AuditCore
import AuditStore
import Foundation
import PostgresNIO

/// Recording emails and reading them back (``EmailRecordingStore``) on PostgreSQL.
extension PostgresAuditStore: EmailRecordingStore {
    /// Records emails as Pending in one transaction and returns their ids, in order; the
    /// roll-ups (daily, monthly, yearly, by the store's local days) in the same transaction.
    ///
    /// An email of a month with no partition yet (`emails` has no default partition) fails
    /// with SQLSTATE 23514; the transaction is rolled back, the months of the batch are
    /// created (``PostgresPartitions``) and the batch is recorded again, once.
    ///
    /// - Throws: ``PostgresStoreError/unknownAccount(id:)``, ``PostgresStoreError/unknownStaff(id:)``
    ///   or ``PostgresStoreError/unknownUnit(id:)`` for ids that do not exist in the email's
    ///   account, ``PostgresStoreError/invalidValue(_:)`` for a staff member of another account,
    ///   a malformed address, a NUL character or an impossible time. Nothing is recorded then.
    public func record(_ emails: [NewEmail]) throws -> [Int64] {
        guard !emails.isEmpty else { return [] }
        for email in emails { try PostgresValueCheck.check(email) }
        do {
            return try connection.transaction { db in try insert(emails, on: db) }
        } catch let error as PostgresStoreError where Self.isMissingPartition(error) {
            try createMonths(of: emails.map(\.createdAt))
            return try connection.transaction { db in try insert(emails, on: db) }
        }
    }

    /// Whether the server refused a row for want of a partition for its month ("no partition
    /// of relation ... found for row"). The SQLSTATE alone decides (the message may be in the
    /// server's language); a CHECK violation shares it, and fails again after the one retry.
    static func isMissingPartition(_ error: PostgresStoreError) -> Bool {
        error.sqlState == PostgresPartitions.missingPartitionState
    }

    /// Creates the partitions of each local month holding one of `instants`.
    func createMonths(of instants: [Date]) throws {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        var months: [DateComponents: Date] = [:]
        for instant in instants {
            let month = calendar.dateComponents([.year, .month], from: instant)
            if months[month] == nil { months[month] = instant }
        }
        for instant in months.values.sorted() {
            try PostgresPartitions.create(for: instant, in: connection)
        }
    }

    /// Inserts checked emails in the caller's transaction.
    func insert(_ emails: [NewEmail], on db: BlockingPostgresConnection) throws -> [Int64] {
        var rollups = PostgresRollupDeltas(timeZone: timeZone)
        let ids = try insert(emails, on: db, rollups: &rollups)
        try rollups.apply(on: db)
        return ids
    }

    /// Inserts checked emails in the caller's transaction, their roll-ups added to `rollups`
    /// (which the caller applies: an ingest applies all its roll-ups at once, in key order).
    ///
    /// Round trips: one statement checks every account, raiser and unit the emails name, one
    /// adds and reads their senders, and one per email inserts it with its units and host id.
    func insert(_ emails: [NewEmail], on db: BlockingPostgresConnection, rollups: inout PostgresRollupDeltas) throws -> [Int64] {
        try checkReferences(of: emails, on: db)
        let senders = try senderIDs(of: emails, on: db)
        var ids: [Int64] = []
        ids.reserveCapacity(emails.count)
        for email in emails {
            guard let senderID = senders[SenderKey(accountID: email.accountID, address: email.from)] else {
                throw PostgresStoreError.invalidValue("no sender id for \(email.from.prefix(80))")
            }
            // The creation time to the millisecond, as the SQLite store keeps it, bound as an integer
            // (PostgresNIO's Date encoding truncates to the microsecond below). The units and the
            // host id go in by the same statement (their foreign keys are checked at its end).
            let createdMS = StoredEventCoding.milliseconds(email.createdAt)
            let units = Set(email.unitIDs).sorted()
            let id = try int64("""
                WITH e AS (
                    INSERT INTO emails (account_id, created_at, raised_by_id, activity, to_address, cc, sender_id, subject, body, attachments)
                    VALUES (\(email.accountID), timestamptz 'epoch' + \(createdMS) * interval '1 millisecond', \(email.raisedByID),
                            \(email.activity.rawValue),
                            \(EmailAddress.bare(email.to)), \(Self.jsonArray(email.cc))::jsonb, \(senderID), \(email.subject),
                            \(email.textBody), \(Self.jsonArray(email.attachmentNames))::jsonb)
                    RETURNING account_id, id, created_at
                ), units AS (
                    INSERT INTO email_units (account_id, email_id, email_created_at, unit_id)
                    SELECT e.account_id, e.id, e.created_at, k.u
                    FROM e, unnest(\(units)::bigint[]) WITH ORDINALITY AS k(u, n) ORDER BY k.n
                ), host AS (
                    INSERT INTO email_host_ids (account_id, host_id, email_id, email_created_at)
                    SELECT e.account_id, h.id, e.id, e.created_at FROM e, (SELECT \(email.hostID)::text AS id) h WHERE h.id IS NOT NULL
                )
                SELECT id FROM e
                """, on: db)!
            rollups.add(accountID: email.accountID, at: StoredEventCoding.date(milliseconds: createdMS), raisedByID: email.raisedByID,
                        status: .pending, 1)
            ids.append(id)
        }
        return ids
    }

    /// An account's sender address.
    struct SenderKey: Hashable {
        var accountID: Int64
        var address: String
    }

    /// Checks, in one statement, that every email's account exists, its raiser is a staff member
    /// of that account and its units are the account's; the first email with a missing one is
    /// refused as the checks one by one would refuse it (account, raiser, then units).
    private func checkReferences(of emails: [NewEmail], on db: BlockingPostgresConnection) throws {
        let accounts = Array(Set(emails.map(\.accountID))).sorted()
        let raisers = Array(Set(emails.map(\.raisedByID))).sorted()
        var unitPairs: Set<[Int64]> = []
        for email in emails { for unit in email.unitIDs { unitPairs.insert([email.accountID, unit]) } }
        let pairs = unitPairs.sorted { ($0[0], $0[1]) < ($1[0], $1[1]) }
        var knownAccounts: Set<Int64> = [], staffAccount: [Int64: Int64] = [:], knownUnits: Set<[Int64]> = []
        for (kind, id, account) in try rows("""
            SELECT 0, id, id FROM accounts WHERE id = ANY(\(accounts))
            UNION ALL SELECT 1, id, account_id FROM staff WHERE id = ANY(\(raisers))
            UNION ALL SELECT 2, u.id, u.account_id FROM units u
                JOIN unnest(\(pairs.map { $0[0] })::bigint[], \(pairs.map { $0[1] })::bigint[]) AS k(a, u) ON u.account_id = k.a AND u.id = k.u
            """, on: db, { (try $0[0].decode(Int32.self), try $0[1].decode(Int64.self), try $0[2].decode(Int64.self)) }) {
            switch kind {
            case 0: knownAccounts.insert(id)
            case 1: staffAccount[id] = account
            default: knownUnits.insert([account, id])
            }
        }
        for email in emails {
            guard knownAccounts.contains(email.accountID) else { throw PostgresStoreError.unknownAccount(id: email.accountID) }
            guard let owner = staffAccount[email.raisedByID] else { throw PostgresStoreError.unknownStaff(id: email.raisedByID) }
            guard owner == email.accountID else {
                throw PostgresStoreError.invalidValue("staff member \(email.raisedByID) belongs to account \(owner), not \(email.accountID)")
            }
            if let unknown = email.unitIDs.first(where: { !knownUnits.contains([email.accountID, $0]) }) {
                throw PostgresStoreError.unknownUnit(id: unknown)
            }
        }
    }

    /// The sender ids of the emails' (account, From) pairs, each added if new (`ON CONFLICT DO
    /// NOTHING`, in the order the emails name them) and read back by the same statement. A
    /// sender another writer added after the statement's snapshot was taken is not in it: those
    /// are read by a second statement.
    private func senderIDs(of emails: [NewEmail], on db: BlockingPostgresConnection) throws -> [SenderKey: Int64] {
        var keys: [SenderKey] = []
        var seen: Set<SenderKey> = []
        for email in emails where seen.insert(SenderKey(accountID: email.accountID, address: email.from)).inserted {
            keys.append(SenderKey(accountID: email.accountID, address: email.from))
        }
        let accounts = keys.map(\.accountID), addresses = keys.map(\.address)
        var ids: [SenderKey: Int64] = [:]
        for (account, address, id) in try rows("""
            WITH k AS (SELECT * FROM unnest(\(accounts)::bigint[], \(addresses)::text[]) WITH ORDINALITY AS k(a, f, n)),
            added AS (
                INSERT INTO senders (account_id, address) SELECT k.a, k.f FROM k ORDER BY k.n
                ON CONFLICT (account_id, address) DO NOTHING
                RETURNING account_id, address, id
            )
            SELECT account_id, address, id FROM added
            UNION ALL SELECT s.account_id, s.address, s.id FROM senders s JOIN k ON s.account_id = k.a AND s.address = k.f
            """, on: db, { (try $0[0].decode(Int64.self), try $0[1].decode(String.self), try $0[2].decode(Int64.self)) }) {
            ids[SenderKey(accountID: account, address: address)] = id
        }
        let missing = keys.filter { ids[$0] == nil }
        if !missing.isEmpty {
            for (account, address, id) in try rows("""
                SELECT s.account_id, s.address, s.id FROM senders s
                JOIN unnest(\(missing.map(\.accountID))::bigint[], \(missing.map(\.address))::text[]) AS k(a, f)
                  ON s.account_id = k.a AND s.address = k.f
                """, on: db, { (try $0[0].decode(Int64.self), try $0[1].decode(String.self), try $0[2].decode(Int64.self)) }) {
                ids[SenderKey(accountID: account, address: address)] = id
            }
        }
        return ids
    }

    public func recordedEmail(id: Int64, inAccount accountID: Int64) throws -> Email? {
        try rows("""
            SELECT \(unescaped: Self.emailSelection) FROM emails e
            \(unescaped: Self.emailJoins)
            WHERE e.account_id = \(accountID) AND e.id = \(id)
              AND e.created_at = (SELECT created_at FROM email_keys WHERE account_id = \(accountID) AND id = \(id))
            """, Self.email(from:)).first
    }

    /// The columns ``email(from:)`` reads, of `emails e` joined as ``emailJoins``.
    static let emailSelection = """
        e.id, e.account_id, e.raised_by_id, s.name, e.activity, e.to_address, e.cc::text,
        coalesce(se.address, ''), e.subject, e.body, e.attachments::text, (extract(epoch FROM e.created_at) * 1000000)::bigint,
        e.provider_message_id, e.status, e.last_event_at, e.status_detail::text
        """

    /// The raiser's name and the sender's address of `emails e`.
    static let emailJoins = """
        JOIN staff s ON s.account_id = e.account_id AND s.id = e.raised_by_id
        LEFT JOIN senders se ON se.account_id = e.account_id AND se.id = e.sender_id
        """

    /// An email from a row of ``emailSelection``.
    static func email(from row: PostgresRandomAccessRow) throws -> Email {
        Email(id: try row[0].decode(Int64.self), accountID: try row[1].decode(Int64.self),
              raisedByID: try row[2].decode(Int64.self), raisedByName: try row[3].decode(String.self),
              activity: Activity(rawValue: try row[4].decode(String.self)) ?? .external,
              to: try row[5].decode(String.self), cc: Self.stringArray(try row[6].decode(String.self)),
              from: try row[7].decode(String.self), subject: try row[8].decode(String.self),
              textBody: try row[9].decode(String.self), attachmentNames: Self.stringArray(try row[10].decode(String.self)),
              createdAt: StoredEventCoding.date(microseconds: try row[11].decode(Int64.self)), providerMessageID: try row[12].decode(String?.self),
              status: EmailStatus(code: Int(try row[13].decode(Int16.self))) ?? .pending,
              statusDetail: StoredEventCoding.statusDetail(json: try row[15].decode(String?.self)),
              lastEventAt: try row[14].decode(Date?.self))
    }

    public func linkedUnitIDs(emailID: Int64, inAccount accountID: Int64) throws -> [Int64] {
        try rows("SELECT unit_id FROM email_units WHERE account_id = \(accountID) AND email_id = \(emailID) ORDER BY unit_id") {
            try $0[0].decode(Int64.self)
        }
    }

    /// A JSON array of strings, for a `jsonb` column.
    static func jsonArray(_ values: [String]) -> String {
        guard let data = try? JSONEncoder().encode(values) else { return "[]" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The strings of a JSON array read from a `jsonb` column ([] for anything else).
    static func stringArray(_ json: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(json.utf8))) ?? []
    }
}

/// Roll-up changes of one transaction: counts per account, local day of the store's zone,
/// raiser and status, written to the daily, monthly and yearly tables (the integers of the
/// SQLite store: `CalendarDay.ordinal`, `year * 12 + month - 1`, `year`).
struct PostgresRollupDeltas {
    struct Key: Hashable, Comparable {
        var accountID: Int64
        var period: Int
        var raisedByID: Int64
        var status: Int

        static func < (a: Key, b: Key) -> Bool {
            (a.accountID, a.period, a.raisedByID, a.status) < (b.accountID, b.period, b.raisedByID, b.status)
        }
    }

    let timeZone: TimeZone
    private(set) var days: [Key: Int] = [:]
    private(set) var months: [Key: Int] = [:]
    private(set) var years: [Key: Int] = [:]

    init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// The local days looked up so far, with the instants each spans: a batch's emails were
    /// created over a few days, and working out every instant's day in the time zone was 2% of
    /// the ingest's client time (perf, 06/12/2026).
    private var knownDays: [(day: CalendarDay, start: Date, end: Date)] = []

    mutating func add(accountID: Int64, at instant: Date, raisedByID: Int64, status: EmailStatus, _ delta: Int) {
        let day = day(containing: instant)
        days[Key(accountID: accountID, period: day.ordinal, raisedByID: raisedByID, status: status.code), default: 0] += delta
        months[Key(accountID: accountID, period: day.year * 12 + day.month - 1, raisedByID: raisedByID, status: status.code),
               default: 0] += delta
        years[Key(accountID: accountID, period: day.year, raisedByID: raisedByID, status: status.code), default: 0] += delta
    }

    /// The local day of `instant`: `CalendarDay(containing:in:)`, or a day already looked up when
    /// the instant falls between its local midnights (so also on the days the clocks change).
    private mutating func day(containing instant: Date) -> CalendarDay {
        for known in knownDays where instant >= known.start && instant < known.end { return known.day }
        let day = CalendarDay(containing: instant, in: timeZone)
        if knownDays.count < 64 {
            knownDays.append((day, day.start(in: timeZone), day.adding(days: 1).start(in: timeZone)))
        }
        return day
    }

    /// Adds the changes in one statement (one round trip): the daily table in a data-modifying
    /// WITH, then the monthly, the yearly in the statement's own INSERT; each table's rows in
    /// key order, so two writers lock roll-up rows in the same order. Every table is named even
    /// with no change for it (an empty array inserts nothing), so every transaction runs the
    /// same statement and takes its locks in the same order of tables.
    func apply(on db: BlockingPostgresConnection) throws {
        let tables = [("rollups", "day", days), ("rollups_monthly", "month", months), ("rollups_yearly", "year", years)]
            .map { table, period, deltas in (table, period, deltas.filter { $0.value != 0 }.sorted { $0.key < $1.key }) }
        guard tables.contains(where: { !$0.2.isEmpty }) else { return }
        var statement = PostgresStatement()
        var parts: [String] = []
        for (table, period, changes) in tables {
            // The array is in key order; its ordinality keeps the rows (and their locks) in it.
            parts.append("""
                INSERT INTO \(table) AS t (account_id, \(period), raised_by_id, status, count)
                SELECT k.a, k.p, k.r, k.s, k.d
                FROM unnest(\(statement.bind(changes.map(\.key.accountID)))::bigint[],
                            \(statement.bind(changes.map { Int32(clamping: $0.key.period) }))::integer[],
                            \(statement.bind(changes.map(\.key.raisedByID)))::bigint[],
                            \(statement.bind(changes.map { Int16($0.key.status) }))::smallint[],
                            \(statement.bind(changes.map { Int64($0.value) }))::bigint[]) WITH ORDINALITY AS k(a, p, r, s, d, n)
                ORDER BY k.n
                ON CONFLICT (account_id, \(period), raised_by_id, status)
                DO UPDATE SET count = t.count + excluded.count
                """)
        }
        try db.execute(statement.query("""
            WITH daily AS (\(parts[0])), monthly AS (\(parts[1]))
            \(parts[2])
            """))
    }
}
