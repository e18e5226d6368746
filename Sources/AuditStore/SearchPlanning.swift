import AuditCore
import Foundation
import GRDB

/// How a filter with a To pattern or Subject text is answered: which index drives the page,
/// chosen from what the store holds.
///
/// - Subject text matching at most ``maximumSubjectIDs`` emails (read from the subject trigram
///   index) drives by rowid. Up to ``maximumSubjectSet`` matches, the index the rest of the
///   filter picks drives and the matching ids are checked from the index entries alone (the
///   rowid is in every index), so only matching rows are read. A more common subject is
///   checked row by row (LIKE), where matches are dense enough to fill a page soon.
/// - To `*@domain` is one (account, domain, created_at) range per account.
/// - To `prefix*` and `*part*` become the matching addresses (from the recipients table and its
///   trigram index): a few are exact-address ranges merged here; many are checked row by row on
///   the date index.
extension EmailQueryPlanner {
    /// A subject matching at most this many emails drives the page by rowid.
    static let maximumSubjectIDs = 1_000
    /// A subject matching at most this many emails is checked by id on another index. Reading
    /// the matches costs about as much per match as a row checked by LIKE, so past a few
    /// thousand matches (dense enough to fill a page from a short scan) LIKE is cheaper.
    static let maximumSubjectSet = 4_000

    /// The queries for one page of `filter` (their sorted results are merged by the caller).
    static func plan(_ db: Database, filter original: EmailFilter, cursor: EmailCursor?, direction: PageDirection,
                     limit: Int, span: TimeSpan, summaryColumns: String) throws -> [Query] {
        var filter = original
        if let subject = filter.subject, subject.isEmpty { filter.subject = nil }
        var subjectSet: [Int64]?
        func make(_ filter: EmailFilter, residualTo: AddressPattern? = nil, subjectIDs: [Int64]? = nil) -> [Query] {
            queries(filter: filter, cursor: cursor, direction: direction, limit: limit, span: span,
                    summaryColumns: summaryColumns, residualTo: residualTo, subjectIDs: subjectIDs, subjectSet: subjectSet)
        }
        if let subject = filter.subject, let ids = try subjectIDs(db, containing: subject, limit: maximumSubjectSet + 1) {
            if ids.count <= maximumSubjectIDs { return make(filter, subjectIDs: ids) }
            if ids.count <= maximumSubjectSet { subjectSet = ids }
        }
        switch filter.to {
        case .prefix, .contains:
            guard let addresses = try matchingAddresses(db, filter.to!, limit: maximumPrefixAddresses + 1),
                  addresses.count <= maximumPrefixAddresses else {
                var rest = filter
                rest.to = nil
                return make(rest, residualTo: filter.to)
            }
            return addresses.flatMap { address in
                var exact = filter
                exact.to = .exact(address)
                return make(exact)
            }
        case .domain where filter.accountID == nil:
            return try Int64.fetchAll(db.cachedStatement(sql: "SELECT id FROM accounts ORDER BY id")).flatMap { account in
                var scoped = filter
                scoped.accountID = account
                return make(scoped)
            }
        default:
            return make(filter)
        }
    }

    /// Ids of emails whose subject holds every trigram of `text` (at most `limit`; a superset
    /// of those containing it, checked by LIKE in the page query), or nil when the text is too
    /// short for the trigram index.
    static func subjectIDs(_ db: Database, containing text: String, limit: Int) throws -> [Int64]? {
        guard SearchText.trigramUsable(text) else { return nil }
        return try Int64.fetchAll(db.cachedStatement(sql: """
            SELECT rowid FROM emails_subject_trigram WHERE emails_subject_trigram MATCH ? LIMIT ?
            """), arguments: [SearchText.ftsAllTrigrams(text), limit])
    }

    /// Addresses emails were sent to that a prefix or part pattern matches (at most `limit`);
    /// nil for other patterns.
    static func matchingAddresses(_ db: Database, _ pattern: AddressPattern, limit: Int) throws -> [String]? {
        switch pattern {
        case .prefix(let stem):
            let lower = stem.lowercased()
            return try String.fetchAll(db.cachedStatement(sql: """
                SELECT address FROM recipients WHERE address >= ? AND address < ? AND emails > 0
                ORDER BY address LIMIT ?
                """), arguments: [lower, lower + "\u{10FFFF}", limit])
        case .contains(let part):
            let lower = part.lowercased()
            if SearchText.trigramUsable(lower) {
                return try String.fetchAll(db.cachedStatement(sql: """
                    SELECT t.address FROM recipients_trigram t JOIN recipients r ON r.address = t.address
                    WHERE recipients_trigram MATCH ? AND r.emails > 0 AND instr(t.address, ?) > 0 LIMIT ?
                    """), arguments: [SearchText.ftsPhrase(lower), lower, limit])
            }
            return try String.fetchAll(db.cachedStatement(sql: """
                SELECT address FROM recipients WHERE instr(address, ?) > 0 AND emails > 0 LIMIT ?
                """), arguments: [lower, limit])
        case .exact, .domain:
            return nil
        }
    }

    /// Every condition of `filter` for a counting query (SQLite picks the index), and the
    /// index to insist on when there is one.
    static func countingConditions(_ filter: EmailFilter, span: TimeSpan, statuses: Set<EmailStatus>)
        -> (conditions: [String], arguments: StatementArguments, index: String?) {
        var conditions: [String] = [], arguments: StatementArguments = []
        var index: String?
        switch filter.to {
        case .exact?, .prefix?:
            conditions += addressConditions(filter.to!, arguments: &arguments)
            index = "emails_to_created"
        case .domain(let domain)?:
            if filter.accountID == nil { conditions.append("account_id IN (SELECT id FROM accounts)") }
            conditions.append("to_domain = ?"); arguments += [domain.lowercased()]
        case .contains(let part)?:
            let lower = part.lowercased()
            if SearchText.trigramUsable(lower) {
                conditions.append("to_address IN (SELECT address FROM recipients_trigram WHERE recipients_trigram MATCH ?)")
                arguments += [SearchText.ftsPhrase(lower)]
            }
            conditions.append("instr(to_address, ?) > 0"); arguments += [lower]
        case nil:
            break
        }
        if let subject = filter.subject, !subject.isEmpty {
            if SearchText.trigramUsable(subject) {
                conditions.append("id IN (SELECT rowid FROM emails_subject_trigram WHERE emails_subject_trigram MATCH ?)")
                arguments += [SearchText.ftsAllTrigrams(subject)]
            }
            conditions.append(subjectCondition(subject, arguments: &arguments))
        }
        FilterConditions.createdAt(span, &conditions, &arguments)
        FilterConditions.account(filter.accountID, &conditions, &arguments)
        FilterConditions.statuses(statuses, &conditions, &arguments)
        FilterConditions.raisedBy(filter.raisedBy, &conditions, &arguments)
        return (conditions, arguments, index)
    }
}

/// Search helpers of the store.
extension AuditDatabase {
    /// Failed, Complained and Rejected emails of the filter per recipient domain, most first
    /// (the filter's own statuses narrow the three; none of them leaves nothing to count).
    package func domainBreakdown(matching filter: EmailFilter, now: Date) throws -> [DomainFailures] {
        let statuses = filter.statuses.isEmpty ? DomainFailures.statuses : filter.statuses.intersection(DomainFailures.statuses)
        guard !statuses.isEmpty else { return [] }
        let span = filter.dateRange.interval(now: now, timeZone: timeZone)
        return try read { db in
            let parts = EmailQueryPlanner.countingConditions(filter, span: span, statuses: statuses)
            var sql = "SELECT to_domain, status, count(*) FROM emails" + (parts.index.map { " INDEXED BY \($0)" } ?? "")
            if !parts.conditions.isEmpty { sql += " WHERE " + parts.conditions.joined(separator: " AND ") }
            sql += " GROUP BY to_domain, status"
            var counts: [(domain: String, status: EmailStatus, count: Int)] = []
            let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: parts.arguments)
            while let row = try rows.next() {
                guard let status = EmailStatus(code: row[1]) else { continue }
                counts.append((row[0] ?? "", status, row[2]))
            }
            return DomainFailures.rows(counts)
        }
    }
}

/// For the benchmark only: the cost of keeping the search indexes while recording.
extension AuditDatabase {
    /// Drops the version-3 search triggers, indexes and column from a scratch store, leaving
    /// the layout version 2 had, so recording can be timed with and without them. The store
    /// must not be used for anything else afterwards.
    @_spi(Benchmark)
    public func removeSearchIndexesForBenchmark() throws {
        try pool.write { db in
            try db.execute(sql: """
                DROP TRIGGER emails_subject_after_insert; DROP TRIGGER emails_subject_after_delete;
                DROP TRIGGER emails_subject_after_update; DROP TRIGGER recipients_trigram_after_insert;
                DROP TABLE emails_subject_trigram; DROP TABLE recipients_trigram;
                DROP INDEX emails_account_domain_created;
                """)
        }
    }
}
