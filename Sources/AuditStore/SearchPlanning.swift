import AuditCore
import Foundation
import GRDB

/// How a filter with a To pattern or Subject text is answered: which index drives the page,
/// chosen from what the store holds.
///
/// - Subject text common among the newest emails is checked row by row (LIKE) on the index the
///   rest of the filter picks. Other text is looked up in the subject trigram index by its most selective trigrams
///   (``selectiveSubjectMatch(_:_:)``: at most three that do not overlap, fewest emails first),
///   which costs a fraction of matching every trigram (an AND over trigrams as common as "Fla"
///   seeks through their long lists once per candidate). The ids found choose the plan
///   (``SubjectPlan``): a few drive by rowid; more are checked from the entries of the index the
///   rest of the filter picks (the rowid is in every index), so only candidate rows are read;
///   past ``SubjectSearchLimits/idSet`` the text is common, and checking rows by LIKE on the
///   date index fills a page soon.
/// - To `*@domain` is one (account, domain, created_at) range per account.
/// - To `prefix*` and `*part*` become the matching addresses (from the recipients table and its
///   trigram index): more than a few are read in time windows over their ranges when that costs
///   less (``ToAddressWalk``); else a few are exact-address ranges merged here, and many are
///   checked row by row on the date index.
extension EmailQueryPlanner {
    /// The emails a trigram's share of the store is estimated from: its first this many.
    static let densitySample = 256
    /// At most this many of the text's trigrams are matched.
    static let maximumMatchedTrigrams = 3
    /// At most this many of the text's trigrams are matched by the newest-first walk
    /// (``SubjectWalk``) and the range walk (``SubjectRangeWalk``), chosen by
    /// ``SubjectTrigramChoice``: each narrows its superset of candidates, whose rows it reads.
    static let walkedTrigrams = 8

    /// The queries for one page of `filter` (their sorted results are merged by the caller).
    static func plan(_ db: Database, filter original: EmailFilter, cursor: EmailCursor?, direction: PageDirection,
                     limit: Int, span: TimeSpan, summaryColumns: String,
                     subjectLimits: SubjectSearchLimits = .standard) throws -> [Query] {
        var filter = original
        if let subject = filter.subject, subject.isEmpty { filter.subject = nil }
        var subjectSet: [Int64]?
        // Every list index names the account (v9): with none given and no raiser to drive the
        // range, one range per account, merged by the caller.
        let accounts = filter.accountID == nil && filter.raisedBy.isEmpty
            ? try Int64.fetchAll(db.cachedStatement(sql: "SELECT id FROM accounts ORDER BY id")) : []
        func make(_ filter: EmailFilter, residualTo: AddressPattern? = nil, subjectIDs: [Int64]? = nil) -> [Query] {
            let perAccount = filter.accountID == nil && filter.raisedBy.isEmpty && filter.to == nil && subjectIDs == nil
            return (perAccount ? accounts.map(Optional.some) : [filter.accountID]).flatMap { account in
                var scoped = filter
                scoped.accountID = account
                return queries(filter: scoped, cursor: cursor, direction: direction, limit: limit, span: span,
                               summaryColumns: summaryColumns, residualTo: residualTo, subjectIDs: subjectIDs, subjectSet: subjectSet)
            }
        }
        if let subject = filter.subject {
            switch try subjectPlan(db, containing: subject, accountID: filter.accountID, limits: subjectLimits) {
            case .rowids(let ids): return make(filter, subjectIDs: ids)
            case .idSet(let ids): subjectSet = ids
            case .rowCheck: break
            }
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

    /// The newest-first walk of the subject index (``SubjectWalk``) for a page of `filter`, or nil
    /// when another plan answers it: no account (the walk's window check reads one account's
    /// date index), a status, raised-by or To condition other than `*@domain` (and a domain
    /// paged towards the newest), a text too short for the index, or with nothing else filtered
    /// one common among the newest emails (checking rows from the newest fills a page soonest).
    static func subjectWalk(_ db: Database, filter: EmailFilter, cursor: EmailCursor?, direction: PageDirection,
                            limit: Int, span: TimeSpan, summaryColumns: String, limits: SubjectSearchLimits) throws -> SubjectWalk? {
        guard limits.walk, let subject = filter.subject, !subject.isEmpty, let accountID = filter.accountID,
              SearchText.trigramUsable(subject) else { return nil }
        // With another condition the walk reads the rows of every candidate that fails it;
        // the other condition's own index range (``subjectPlan(_:containing:accountID:limits:)``) wins there.
        // A To `*@domain` is walked beside the domain's own index entries (newest first only).
        // A small domain is read whole sooner (its own range, rows checked by LIKE).
        var byDomain = false
        if case .domain(let domain)? = filter.to, direction == .older {
            let entries = try Int.fetchOne(db.cachedStatement(sql: """
                SELECT count(*) FROM (SELECT 1 FROM emails INDEXED BY emails_account_domain_created
                WHERE account_id = ? AND to_domain = ? LIMIT ?)
                """), arguments: [accountID, domain.lowercased(), limits.smallDomain + 1]) ?? 0
            if entries <= limits.smallDomain { return nil }
            byDomain = true
        }
        guard byDomain || (filter.to == nil && filter.statuses.isEmpty && filter.raisedBy.isEmpty) else { return nil }
        if !byDomain {
            let inSample = try Int.fetchOne(db.cachedStatement(sql: """
                SELECT count(*) FROM (SELECT subject FROM emails INDEXED BY emails_account_created WHERE account_id = ?3
                ORDER BY created_at DESC LIMIT ?2) WHERE subject LIKE ?1 ESCAPE '\\'
                """), arguments: [SearchText.likePattern(containing: subject), limits.sample, accountID]) ?? 0
            if inSample >= limits.commonInSample { return nil }
        }
        guard let samples = try SubjectTrigramSample.sampling(db, subject, size: densitySample) else { return nil }
        let highestID = try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(id) FROM emails")) ?? 0
        // The rarest trigram and those seen to remove more candidate rows than their lists cost
        // (every email of the walked span is in the account's range: one entry per id).
        let match = SubjectTrigramChoice.match(SubjectTrigramChoice.choose(
            samples, highestID: highestID, rowPerEntry: max(0, limits.rangeRowPerSpanEntry), entriesPerID: 1,
            maximum: walkedTrigrams).trigrams)
        // The narrower match for the candidates left past a wide window (none when a trigram is in no subject).
        let narrow = samples.last?.count == 0 ? [] : samples
        return SubjectWalk(filter: filter, accountID: accountID, cursor: cursor, direction: direction, limit: limit,
                           span: span, summaryColumns: summaryColumns, match: match,
                           chunk: max(1, limits.walkChunk), maximumWindow: Int64(limits.walkWindow),
                           windowPerCandidate: max(0, limits.walkWindowPerCandidate),
                           domainCandidates: max(0, limits.domainCandidates),
                           domainEntriesPerCandidate: max(0, limits.domainEntriesPerCandidate),
                           sample: limits.sample, domainCommonInSample: limits.domainCommonInSample,
                           narrowSamples: narrow, highestID: highestID, rowPerEntry: max(0, limits.rangeRowPerSpanEntry),
                           narrowEntriesPerWindowEmail: max(0, limits.walkNarrowEntriesPerWindowEmail),
                           lateRegistry: limits.walkLateRegistry)
    }

    /// How the emails whose subject contains `text` are found: row by row when the text is
    /// common in the newest emails (``SubjectSearchLimits/sample``), too short for the trigram
    /// index, or has more candidates there than `limits.idSet`; else from the candidates' ids.
    /// The sample is the account's newest emails (with no account, the newest recorded).
    static func subjectPlan(_ db: Database, containing text: String, accountID: Int64? = nil,
                            limits: SubjectSearchLimits) throws -> SubjectPlan {
        let newest = accountID == nil ? "SELECT subject FROM emails ORDER BY id DESC LIMIT ?2"
            : "SELECT subject FROM emails INDEXED BY emails_account_created WHERE account_id = ?3 ORDER BY created_at DESC LIMIT ?2"
        let inSample = try Int.fetchOne(db.cachedStatement(sql: """
            SELECT count(*) FROM (\(newest)) WHERE subject LIKE ?1 ESCAPE '\\'
            """), arguments: accountID.map { [SearchText.likePattern(containing: text), limits.sample, $0] }
                ?? [SearchText.likePattern(containing: text), limits.sample]) ?? 0
        if inSample >= limits.commonInSample { return .rowCheck }
        guard let match = try selectiveSubjectMatch(db, text) else { return .rowCheck }
        let ids = try Int64.fetchAll(db.cachedStatement(sql: """
            SELECT rowid FROM emails_subject_trigram WHERE emails_subject_trigram MATCH ? LIMIT ?
            """), arguments: [match, limits.idSet + 1])
        if ids.count <= limits.rowids { return .rowids(ids) }
        if ids.count <= limits.idSet { return .idSet(ids) }
        return .rowCheck
    }

    /// An FTS5 query for the subject trigram index matching every subject that contains `text`
    /// (a superset: the page and count queries check LIKE on what it gives), made of at most
    /// ``maximumMatchedTrigrams`` of its trigrams: those in the smallest share of the emails
    /// (estimated from the id span of each one's first ``densitySample`` entries), skipping any
    /// that overlaps one already chosen, since overlapping trigrams mostly come from the same
    /// word and narrow little. Nil when the text is too short for the index.
    static func selectiveSubjectMatch(_ db: Database, _ text: String) throws -> String? {
        guard let samples = try SubjectTrigramSample.sampling(db, text, size: densitySample) else { return nil }
        return selectiveSubjectMatch(samples)
    }

    /// ``selectiveSubjectMatch(_:_:)`` from the text's samples, already read.
    static func selectiveSubjectMatch(_ samples: [SubjectTrigramSample]) -> String {
        if let empty = samples.last, empty.count == 0 { return SearchText.ftsPhrase(empty.text) } // in no subject: nothing matches
        // A complete list ranks by its count, a longer one by its share of its id span.
        let measured = SubjectTrigramSample.rarestFirst(samples) { $0.complete ? Double($0.count) : $0.share }
            .map { (complete: $0.sample.complete, share: $0.measure, offset: $0.sample.offset, text: $0.sample.text) }
        var chosen: [(offset: Int, text: String)] = []
        for candidate in measured where chosen.count < maximumMatchedTrigrams
            && chosen.allSatisfy({ abs($0.offset - candidate.offset) >= 3 }) {
            chosen.append((candidate.offset, candidate.text))
        }
        return chosen.sorted { $0.offset < $1.offset }.map { SearchText.ftsPhrase($0.text) }.joined(separator: " AND ")
    }

    /// Addresses emails were sent to that a prefix or part pattern matches (at most `limit`);
    /// nil for other patterns.
    static func matchingAddresses(_ db: Database, _ pattern: AddressPattern, limit: Int) throws -> [String]? {
        try matchingRecipients(db, pattern, limit: limit)?.map(\.address)
    }

    /// ``matchingAddresses(_:_:limit:)`` with each address's count of emails (the recipients
    /// table's): a prefix's in address order, a part's from the recipients' trigram index when
    /// the part has a trigram, else from reading the recipients (one row per address).
    static func matchingRecipients(_ db: Database, _ pattern: AddressPattern, limit: Int) throws -> [(address: String, emails: Int64)]? {
        let rows: [Row]
        switch pattern {
        case .prefix:
            let lower = SearchPattern.storedForm(pattern)
            rows = try Row.fetchAll(db.cachedStatement(sql: """
                SELECT address, emails FROM recipients WHERE address >= ? AND address < ? AND emails > 0
                ORDER BY address LIMIT ?
                """), arguments: [lower, SearchPattern.prefixUpperBound(lower), limit])
        case .contains(let part):
            let lower = part.lowercased()
            if SearchText.trigramUsable(lower) {
                rows = try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT r.address, r.emails FROM recipients_trigram t JOIN recipients r ON r.address = t.address
                    WHERE recipients_trigram MATCH ? AND r.emails > 0 AND instr(t.address, ?) > 0 LIMIT ?
                    """), arguments: [SearchText.ftsPhrase(lower), lower, limit])
            } else {
                rows = try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT address, emails FROM recipients WHERE instr(address, ?) > 0 AND emails > 0 LIMIT ?
                    """), arguments: [lower, limit])
            }
        case .exact, .domain:
            return nil
        }
        return rows.map { (address: $0[0], emails: $0[1]) }
    }

    /// Every condition of `filter` for a counting query (SQLite picks the index), and the
    /// index to insist on when there is one.
    /// `subjectMatch` is the filter's ``selectiveSubjectMatch(_:_:)`` (nil: the subject is
    /// checked by LIKE alone).
    static func countingConditions(_ filter: EmailFilter, span: TimeSpan, statuses: Set<EmailStatus>, subjectMatch: String?)
        -> (conditions: [String], arguments: StatementArguments, index: String?) {
        var conditions: [String] = [], arguments: StatementArguments = []
        var index: String?
        switch filter.to {
        case .exact?, .prefix?:
            conditions += addressConditions(filter.to!, arguments: &arguments)
            index = "emails_to_created"
        case .domain(let domain)?:
            // Insisted on: with statistics SQLite may prefer the (account, status) index, which
            // reads every email of the account where this reads the domain's.
            if filter.accountID == nil { conditions.append("account_id IN (SELECT id FROM accounts)") }
            conditions.append("to_domain = ?"); arguments += [domain.lowercased()]
            index = "emails_account_domain_created"
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
            if let subjectMatch {
                conditions.append("id IN (SELECT rowid FROM emails_subject_trigram WHERE emails_subject_trigram MATCH ?)")
                arguments += [subjectMatch]
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
        let statuses = DomainFailures.statuses(for: filter)
        guard !statuses.isEmpty else { return [] }
        let span = filter.dateRange.interval(now: now, timeZone: timeZone)
        return try read { db in
            let match = try filter.subject.flatMap { try EmailQueryPlanner.selectiveSubjectMatch(db, $0) }
            let query = EmailQueryPlanner.domainBreakdownQuery(filter, span: span, statuses: statuses, subjectMatch: match)
            var counts: [(domain: String, status: EmailStatus, count: Int)] = []
            let rows = try Row.fetchCursor(db.cachedStatement(sql: query.sql), arguments: query.arguments)
            while let row = try rows.next() {
                guard let status = EmailStatus(code: row[1]) else { continue }
                // Grouped by address (the covering index holds it; an index on the generated
                // domain column cannot cover), the domain cut here as the column does.
                counts.append((AddressPattern.domain(of: row[0] ?? ""), status, row[2]))
            }
            return DomainFailures.rows(counts)
        }
    }
}

extension EmailQueryPlanner {
    /// The condition of the partial index `emails_account_failure_address` since v14 (Failed,
    /// Complained, Rejected), word for word (SQLite uses a partial index only for a query that
    /// repeats its condition). Comparisons joined by OR, not `IN (6, 7, 9)`: see
    /// ``Schema/migrateV14(_:progress:)``. (SQLite turns the OR into an IN list in a query, so
    /// the index is still read with one seek per status.)
    static let failureStatusCondition = "(status = 6 OR status = 7 OR status = 9)"

    /// Counts per status of the emails matching `filter` (a To pattern, Subject text or another
    /// zone than the roll-ups'), through the index the pattern picks or SQLite's choice.
    static func statusCountQuery(_ filter: EmailFilter, span: TimeSpan, subjectMatch: String?) -> Query {
        let parts = countingConditions(filter, span: span, statuses: filter.statuses, subjectMatch: subjectMatch)
        var sql = "SELECT status, count(*) FROM emails" + (parts.index.map { " INDEXED BY \($0)" } ?? "")
        if !parts.conditions.isEmpty { sql += " WHERE " + parts.conditions.joined(separator: " AND ") }
        sql += " GROUP BY status"
        return Query(sql: sql, arguments: parts.arguments)
    }

    /// The Failures by domain query: per (address, status) counts of the filter's failed,
    /// complained and rejected emails. Without a To pattern or Subject text it reads the
    /// failures-only covering index `emails_account_failure_address` (v9); with one, the
    /// index the pattern or text picks.
    static func domainBreakdownQuery(_ filter: EmailFilter, span: TimeSpan, statuses: Set<EmailStatus>, subjectMatch: String?) -> Query {
        var parts = countingConditions(filter, span: span, statuses: statuses, subjectMatch: subjectMatch)
        if filter.to == nil && (filter.subject ?? "").isEmpty {
            parts.index = "emails_account_failure_address"
            parts.conditions.append(failureStatusCondition)
            if filter.accountID == nil { parts.conditions.append("account_id IN (SELECT id FROM accounts)") }
        }
        var sql = "SELECT to_address, status, count(*) FROM emails" + (parts.index.map { " INDEXED BY \($0)" } ?? "")
        if !parts.conditions.isEmpty { sql += " WHERE " + parts.conditions.joined(separator: " AND ") }
        sql += " GROUP BY to_address, status"
        return Query(sql: sql, arguments: parts.arguments)
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
