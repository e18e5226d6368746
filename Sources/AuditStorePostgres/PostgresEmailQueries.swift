import AuditCore
import AuditStore
import Foundation
import PostgresNIO

/// The Email Audit list, its counts and Failures by domain on PostgreSQL, for one account.
///
/// A page is keyset-paged on (created_at, id) — never OFFSET — from one of the indexes that
/// lead with `account_id` and end in `(created_at, id)`, chosen by the filter as the SQLite
/// store chooses: an exact To reads `emails_to_created`, a `*@domain` `emails_account_domain_created`;
/// otherwise one range per (raiser × status) combination (`email_statuses_raised_status_created`,
/// `emails_raised_created`, `email_statuses_status_created`, `emails_account_created`), each
/// read newest first with the page's LIMIT and merged in one `UNION ALL`, so even a rare status
/// is a short read. A range of one status reads `email_statuses` (schema version 9: the status
/// is in none of `emails`' indexes, so that the ingest's status updates are HOT) and joins each
/// of its rows to its email by key; with Subject text the status is checked per row instead. A To prefix or part becomes the account's matching addresses (from
/// `recipients` and its trigram index): up to ``maximumPrefixAddresses`` are one exact-address
/// range each; more are checked row by row. Subject text is `ILIKE` (which the `pg_trgm` index
/// on `emails.subject` answers when the planner finds the text rare) and an exact check with
/// ASCII letters folded, the SQLite store's LIKE rule (``EmailFilter/subjectMatches(_:)``).
extension PostgresAuditStore {
    /// Above this many (status × raiser) combinations, only raisers are split and the statuses
    /// become a condition checked per row (as SQLite's planner).
    static let maximumCombinations = 64
    /// A To prefix or part matching at most this many addresses is read address by address.
    static let maximumPrefixAddresses = 48

    /// The SELECT list of a summary page (``summary(from:)``).
    static let summaryColumns = """
        p.id, (extract(epoch FROM p.created_at) * 1000000)::bigint, p.to_address, p.subject, coalesce(s.name, ''), p.status, p.activity
        """

    /// One page of the account's summaries matching `filter` (its own account is ignored),
    /// newest first; see ``AuditReader/summaries(matching:from:direction:limit:now:)``.
    ///
    /// A prepared page of a To prefix or part over a few addresses is read in month windows
    /// (``PostgresPageWindows``: the cursor's month, then 1, 2, 4 and 8 months further, then the
    /// rest), each one statement, until the page is full: the windows are disjoint and read in
    /// order, so the rows found first are the page.
    func summaries(matching filter: EmailFilter, accountID: Int64, from cursor: EmailCursor?, direction: PageDirection,
                   limit: Int, now: Date) throws -> [EmailSummary] {
        guard limit > 0, let addresses = try prefixAddresses(filter, accountID: accountID) else { return [] }
        if let text = filter.subject, !text.isEmpty {
            let found = try subjectPage(matching: filter, addresses: addresses, accountID: accountID, from: cursor,
                                        direction: direction, limit: limit, now: now)
            return direction == .older ? found : found.reversed()
        }
        guard let windows = pageWindows(filter, addresses: addresses, from: cursor, direction: direction, now: now) else {
            guard let page = try pageStatement(matching: filter, addresses: addresses, accountID: accountID, from: cursor,
                                               direction: direction, limit: limit, now: now) else { return [] }
            let found = try pageRows(page, Self.summary(from:))
            return direction == .older ? found : found.reversed()
        }
        var found: [EmailSummary] = []
        for window in windows {
            // The whole page's LIMIT in each window (one statement text for all), the surplus dropped.
            guard let page = try pageStatement(matching: filter, addresses: addresses, accountID: accountID, from: cursor,
                                               direction: direction, limit: limit, now: now, window: window) else { return [] }
            found += try preparedRows(page, Self.summary(from:)).prefix(limit - found.count)
            if found.count >= limit { break }
        }
        return direction == .older ? found : found.reversed()
    }

    /// The statement of a page (of its first window, when read in windows; nil when the To
    /// pattern matches no address of the account): its rows are in the direction of paging
    /// (`.newer`: oldest first). For `EXPLAIN` (the benchmark, the plan tests).
    func summaryQuery(matching filter: EmailFilter, accountID: Int64, from cursor: EmailCursor?, direction: PageDirection,
                      limit: Int, now: Date) throws -> PostgresQuery? {
        guard let addresses = try prefixAddresses(filter, accountID: accountID) else { return nil }
        let window = pageWindows(filter, addresses: addresses, from: cursor, direction: direction, now: now)?.first
        return try pageStatement(matching: filter, addresses: addresses, accountID: accountID, from: cursor, direction: direction,
                                 limit: limit, now: now, window: window)?.query
    }

    /// Whether a page of `filter` is read by a prepared statement with a generic plan
    /// (``preparesPages``, and no Subject text: whether the trigram index or the date index
    /// reads a Subject text best depends on the text, which only a plan made for the value sees).
    func preparesPage(of filter: EmailFilter) -> Bool {
        preparesPages && (filter.subject ?? "").isEmpty
    }

    /// The account's addresses a To prefix or part matches, at most
    /// ``maximumPrefixAddresses`` + 1 (more: the pattern is checked per row); `[]` for no To
    /// pattern or an exact or domain one; nil when a prefix or part matches none (no rows).
    private func prefixAddresses(_ filter: EmailFilter, accountID: Int64) throws -> [String]? {
        switch filter.to {
        case nil, .exact?, .domain?:
            return []
        case let pattern?:
            let addresses = try matchingAddresses(pattern, accountID: accountID, limit: Self.maximumPrefixAddresses + 1)
            return addresses.isEmpty ? nil : addresses
        }
    }

    /// The month windows a page is read in (nil: one statement over its whole span): for a
    /// prepared page of a To prefix or part over at most ``maximumPrefixAddresses`` addresses.
    ///
    /// Why only those: their one range `to_address = ANY(addresses)` returns rows in address
    /// order, so a statement over every month reads and sorts every row of the addresses (an
    /// address holds about 240 emails over three years at 1,000,000), while a window stops at
    /// the months that fill the page. The other filters read an index in date order and stop
    /// at the page's last row in one statement; windows only added statements for sparse ones
    /// (exact To, a rare status: branch pg-reader-speed's figures).
    func pageWindows(_ filter: EmailFilter, addresses: [String], from cursor: EmailCursor?, direction: PageDirection,
                     now: Date) -> [PostgresPageWindow]? {
        guard preparesPage(of: filter), !addresses.isEmpty, addresses.count <= Self.maximumPrefixAddresses else { return nil }
        return PostgresPageWindows.windows(span: filter.dateRange.interval(now: now, timeZone: timeZone), cursor: cursor,
                                           older: direction == .older, now: now, timeZone: timeZone)
    }

    /// The statement of a page or of one of its windows, prepared or not (``preparesPage(of:)``);
    /// `addresses` from ``prefixAddresses(_:accountID:)``.
    ///
    /// With `walkRows`, the walk of a Subject page instead: the first `walkRows` rows of the
    /// filter's index ranges, prepared, each with whether it matches the whole filter and its
    /// place in the walk (columns 7 and 8): only the rows that match, the walk's last row and
    /// (when `sampled`) every ``subjectSampleEvery``th row (a sample of subjects) are returned;
    /// `walkByStatus` walks the filter's statuses' ranges (`email_statuses`) instead of
    /// checking the statuses on each row
    /// (``subjectPage(matching:addresses:accountID:from:direction:limit:now:)``).
    func pageStatement(matching filter: EmailFilter, addresses: [String], accountID: Int64, from cursor: EmailCursor?,
                       direction: PageDirection, limit: Int, now: Date, window: PostgresPageWindow? = nil,
                       walkRows: Int? = nil, sampled: Bool = true, walkByStatus: Bool = false) throws -> PostgresPageStatement? {
        let prepared = walkRows == nil ? preparesPage(of: filter) : preparesPages
        let limit = walkRows ?? limit
        let older = direction == .older
        var statement = PostgresStatement(typedPlaceholders: prepared)
        let account = statement.bind(accountID)
        let span = filter.dateRange.interval(now: now, timeZone: timeZone)

        // Conditions every range shares: subject, then the dates and the cursor, on the
        // (created_at, id) of the table a range reads (`e`, or `x` for `email_statuses`).
        let subject = walkRows == nil ? subjectConditions(filter, &statement) : []
        var times: [(String) -> String] = []
        let bounds = spanBounds(span, &statement)
        times += bounds.map { condition in { alias in condition(alias + ".created_at") } }
        // Month boundaries: a generic plan prunes the partitions outside them when it runs.
        // Both, always (an open end as a far date), so that every window of a filter is one
        // statement text, prepared once per connection rather than once per shape of window.
        if let window {
            let low = statement.time(window.low ?? .distantPast), high = statement.time(window.high ?? .distantFuture)
            times.append { "\($0).created_at >= \(low)" }
            times.append { "\($0).created_at < \(high)" }
        }
        if let cursor {
            let at = statement.time(cursor.createdAt), id = statement.bind(cursor.id)
            // The first bounds the index range (and the partitions read); the second skips the
            // cursor's own row and its ties on the near side.
            times.append { older ? "\($0).created_at <= \(at)" : "\($0).created_at >= \(at)" }
            times.append { older ? "(\($0).created_at, \($0).id) < (\(at), \(id))" : "(\($0).created_at, \($0).id) > (\(at), \(id))" }
        }

        // The ranges: each a list of conditions after the account, on `e` (`emails`) or, for the
        // ranges in `statusRanges`, on `x` (`email_statuses`).
        var ranges: [[String]] = []
        var statusRanges: Set<Int> = []
        var residualTo: ((String) -> String)?
        if let equality = addressEquality(filter.to, alias: "e", &statement) { ranges = [[equality]] }
        switch filter.to {
        case .exact?, .domain?:
            break
        case let pattern?:
            if addresses.isEmpty { return nil }
            if addresses.count <= Self.maximumPrefixAddresses {
                if prepared {
                    // One range over every address, read window by window (``pageWindows``):
                    // one statement text whatever the number of addresses.
                    ranges = [["e.to_address = ANY(\(statement.bind(addresses)))"]]
                } else {
                    ranges = addresses.map { ["e.to_address = \(statement.bind($0))"] }
                }
            } else {
                let text = statement.bind(SearchPattern.storedForm(pattern))
                residualTo = { Self.addressCheck(pattern, boundText: text, column: "\($0).to_address") }
            }
        case nil:
            break
        }
        // A walk reads index ranges only (so that its LIMIT bounds the rows it reads): statuses
        // (unless walked by status), a To pattern checked row by row, and raisers beside an
        // address range are checked on its rows, with the Subject text.
        // (By status only where the statuses are ranges of their own: no address range, and
        // few enough raiser × status combinations to split.)
        let byStatus = walkByStatus && ranges.isEmpty && !filter.statuses.isEmpty
            && filter.statuses.count * max(1, filter.raisedBy.count) <= Self.maximumCombinations
        let walking = walkRows != nil && !byStatus
        var walkChecks: [String] = []
        if walkRows != nil {
            if !filter.statuses.isEmpty && walking { walkChecks.append(statusCondition(filter.statuses, &statement, column: "q.status")) }
            if let residualTo { walkChecks.append(residualTo("q")) }
            // (Walked by status: the ranges hold only the filter's statuses.)
            if !ranges.isEmpty && !filter.raisedBy.isEmpty { walkChecks.append(raiserCondition(filter.raisedBy, &statement, column: "q.raised_by_id")) }
        }
        if ranges.isEmpty {
            let statuses: [EmailStatus?] = filter.statuses.isEmpty || walking ? [nil] : filter.statuses.sorted()
            let raisers: [Int64?] = filter.raisedBy.isEmpty ? [nil] : filter.raisedBy.sorted()
            let split = statuses.count * raisers.count <= Self.maximumCombinations || filter.raisedBy.isEmpty
            for raiser in raisers {
                for status in split ? statuses : [nil] {
                    // One status without Subject text: `email_statuses` (the status is in none
                    // of `emails`' indexes, schema version 9), then each row's email by key.
                    let fromStatuses = status != nil && subject.isEmpty
                    let alias = fromStatuses ? "x" : "e"
                    var range: [String] = []
                    if let raiser { range.append("\(alias).raised_by_id = \(statement.bind(raiser))") }
                    if let status {
                        range.append("\(alias).status = \(statement.bind(Int16(status.code)))")
                    } else if !filter.statuses.isEmpty && !walking {
                        range.append(statusCondition(filter.statuses, &statement))
                    }
                    if let residualTo, walkRows == nil { range.append(residualTo(alias)) }
                    if fromStatuses { statusRanges.insert(ranges.count) }
                    ranges.append(range)
                }
            }
        } else if walkRows == nil {
            // An address range: statuses and raisers are checked per row.
            let rest = [filter.statuses.isEmpty ? nil : statusCondition(filter.statuses, &statement),
                        filter.raisedBy.isEmpty ? nil : raiserCondition(filter.raisedBy, &statement)].compactMap { $0 }
            ranges = ranges.map { $0 + rest }
        }

        let order = older ? "DESC" : "ASC"
        // Prepared: the LIMIT in the text (a number, not a value from outside), so the generic
        // plan is made for it (with a LIMIT parameter the planner assumes a tenth of the rows).
        // A walk by status binds it: its plan is the statuses' index in order and a key probe
        // per row holding the text whatever the count, and its chunks are sized by the text (``subjectPage``),
        // so a count in the text would make a statement, and a ~20 ms plan, per size.
        let count = prepared && !byStatus ? String(limit) : statement.bind(Int64(limit))
        let columns = "e.account_id, e.id, e.created_at, e.to_address, e.subject, e.raised_by_id, e.status, e.activity"
        // A status range's conditions, all on `email_statuses` (`x`).
        let statusConditions = { (range: [String]) in ["x.account_id = \(account)"] + range + times.map { $0("x") } }
        let parts = ranges.enumerated().map { index, range in
            guard statusRanges.contains(index) else {
                let conditions = ["e.account_id = \(account)"] + range + subject + times.map { $0("e") }
                return """
                (SELECT \(columns) FROM emails e
                 WHERE \(conditions.joined(separator: " AND "))
                 ORDER BY e.created_at \(order), e.id \(order) LIMIT \(count))
                """
            }
            // Every condition is on `email_statuses` (one row per email), so its page comes
            // first and then each row's email, one key probe each (LATERAL, `OFFSET 0`: as a
            // join, the generic plan hashed both tables whole, ~500 ms at 1,000,000 emails).
            let conditions = statusConditions(range)
            return """
            (SELECT \(columns)
             FROM (SELECT x.account_id, x.id, x.created_at FROM email_statuses x
                   WHERE \(conditions.joined(separator: " AND "))
                   ORDER BY x.created_at \(order), x.id \(order) LIMIT \(count)) x
             CROSS JOIN LATERAL (SELECT \(columns) FROM emails e
                                 WHERE e.account_id = x.account_id AND e.id = x.id AND e.created_at = x.created_at OFFSET 0) e)
            """
        }
        var sql = """
            SELECT \(Self.summaryColumns) FROM (\(parts.joined(separator: " UNION ALL "))) p
            LEFT JOIN staff s ON s.account_id = p.account_id AND s.id = p.raised_by_id
            ORDER BY p.created_at \(order), p.id \(order) LIMIT \(count)
            """
        if walkRows != nil && byStatus && statusRanges.count == parts.count {
            // Walked by status: the rows are numbered and the text checked on `email_statuses`'
            // own rows (schema version 13 keeps the subject there), and only those that hold it
            // (and the chunk's last row) have their email read by key.
            let text = statement.bind(EmailFilter.asciiLowercased(filter.subject ?? ""))
            let statusParts = ranges.map { range in
                let conditions = statusConditions(range)
                return """
                    (SELECT x.account_id, x.id, x.created_at, x.subject, x.to_address FROM email_statuses x
                     WHERE \(conditions.joined(separator: " AND "))
                     ORDER BY x.created_at \(order), x.id \(order) LIMIT \(count))
                    """
            }
            sql = """
                SELECT \(Self.summaryColumns), p.hit, p.n FROM (
                    SELECT e.*, w.hit, w.n
                    FROM (SELECT * FROM (
                              SELECT q.account_id, q.id, q.created_at,
                                     \(([Self.subjectHolds(column: "q.subject", boundText: text)] + walkChecks).joined(separator: " AND ")) AS hit,
                                     row_number() OVER (ORDER BY q.created_at \(order), q.id \(order)) AS n
                              FROM (SELECT * FROM (\(statusParts.joined(separator: " UNION ALL "))) u
                                    ORDER BY u.created_at \(order), u.id \(order) LIMIT \(count)) q) v
                          WHERE v.hit OR v.n = \(count)) w
                    CROSS JOIN LATERAL (SELECT \(columns) FROM emails e
                                        WHERE e.account_id = w.account_id AND e.id = w.id AND e.created_at = w.created_at OFFSET 0) e) p
                LEFT JOIN staff s ON s.account_id = p.account_id AND s.id = p.raised_by_id
                ORDER BY p.n
                """
        } else if walkRows != nil {
            let text = statement.bind(EmailFilter.asciiLowercased(filter.subject ?? ""))
            sql = """
                SELECT \(Self.summaryColumns), p.hit, p.n FROM (
                    SELECT q.*, \(([Self.subjectHolds(column: "q.subject", boundText: text)] + walkChecks).joined(separator: " AND ")) AS hit,
                           row_number() OVER (ORDER BY q.created_at \(order), q.id \(order)) AS n
                    FROM (SELECT * FROM (\(parts.joined(separator: " UNION ALL "))) u
                          ORDER BY u.created_at \(order), u.id \(order) LIMIT \(count)) q) p
                LEFT JOIN staff s ON s.account_id = p.account_id AND s.id = p.raised_by_id
                WHERE p.hit OR p.n = \(count)\(sampled ? " OR p.n % \(Self.subjectSampleEvery) = 0" : "")
                ORDER BY p.n
                """
        }
        return PostgresPageStatement(query: statement.query(sql), arguments: statement.literals, prepared: prepared)
    }

    /// Counts per status for the account's emails matching `filter` (its own account ignored).
    ///
    /// Without a To pattern or Subject text the answer comes from the roll-ups alone, composed
    /// as the SQLite store composes it (``RollupPlan``: whole years, whole months at either
    /// end, days left over), by the store's local days; with one, the matching emails are
    /// counted through the index the pattern picks.
    func statusCounts(matching filter: EmailFilter, accountID: Int64, now: Date) throws -> StatusCounts {
        var statement = PostgresStatement()
        let account = statement.bind(accountID)
        let sql: String
        if filter.to == nil && (filter.subject ?? "").isEmpty {
            var rest: [String] = []
            if !filter.statuses.isEmpty { rest.append(statusCondition(filter.statuses, &statement, column: "status")) }
            if !filter.raisedBy.isEmpty { rest.append(raiserCondition(filter.raisedBy, &statement, column: "raised_by_id")) }
            let plan = RollupPlan.covering(filter.dateRange, now: now, timeZone: timeZone)
            var parts: [String] = []
            func add(_ table: String, _ column: String, _ range: RollupPlan.Range) {
                var conditions = ["account_id = \(account)"] + rest
                if let low = range.low { conditions.append("\(column) >= \(statement.bind(Int32(clamping: low)))") }
                if let high = range.high { conditions.append("\(column) <= \(statement.bind(Int32(clamping: high)))") }
                parts.append("SELECT status, count FROM \(table) WHERE \(conditions.joined(separator: " AND "))")
            }
            if let years = plan.years { add("rollups_yearly", "year", years) }
            for range in plan.months { add("rollups_monthly", "month", range) }
            for range in plan.days { add("rollups", "day", range) }
            guard !parts.isEmpty else { return StatusCounts() }
            sql = "SELECT status, sum(count)::bigint FROM (\(parts.joined(separator: " UNION ALL "))) r GROUP BY status"
        } else {
            let conditions = try countingConditions(filter, accountID: accountID, account: account, statuses: filter.statuses,
                                                    now: now, &statement)
            guard let conditions else { return StatusCounts() }
            sql = "SELECT e.status, count(*) FROM emails e WHERE \(conditions.joined(separator: " AND ")) GROUP BY e.status"
        }
        var counts: [EmailStatus: Int] = [:]
        for (code, count) in try rows(statement.query(sql), { (try $0[0].decode(Int16.self), try $0[1].decode(Int64.self)) }) {
            if count != 0, let status = EmailStatus(code: Int(code)) { counts[status, default: 0] += Int(count) }
        }
        return StatusCounts(byStatus: counts)
    }

    /// Failed, Complained and Rejected emails of the filter in the account per recipient domain,
    /// most first (the filter's own statuses narrow the three).
    func domainBreakdown(matching filter: EmailFilter, accountID: Int64, now: Date) throws -> [DomainFailures] {
        let statuses = DomainFailures.statuses(for: filter)
        guard !statuses.isEmpty else { return [] }
        var statement = PostgresStatement()
        let account = statement.bind(accountID)
        guard var conditions = try countingConditions(filter, accountID: accountID, account: account, statuses: statuses,
                                                      now: now, &statement) else { return [] }
        // Word for word the predicate of the partial index email_statuses_failure_address, which
        // answers every filter but Subject text and a `*@domain` (their columns are in `emails`
        // only, read through their own indexes).
        conditions.append("e.status IN (\(DomainFailures.statuses.map { String($0.code) }.sorted().joined(separator: ", ")))")
        var table = "email_statuses"
        if case .domain? = filter.to { table = "emails" }
        if !(filter.subject ?? "").isEmpty { table = "emails" }
        let sql = "SELECT e.to_address, e.status, count(*) FROM \(table) e WHERE \(conditions.joined(separator: " AND ")) GROUP BY 1, 2"
        let counts = try rows(statement.query(sql)) { row -> (domain: String, status: EmailStatus, count: Int)? in
            guard let status = EmailStatus(code: Int(try row[1].decode(Int16.self))) else { return nil }
            // Grouped by address (the partial index holds it), the domain cut as the column does.
            return (AddressPattern.domain(of: try row[0].decode(String.self)), status, Int(try row[2].decode(Int64.self)))
        }
        return DomainFailures.rows(counts.compactMap { $0 })
    }

    // MARK: Conditions

    /// Every condition of `filter` for a counting query over `emails e` in the account (nil:
    /// the To pattern matches no address, so nothing).
    private func countingConditions(_ filter: EmailFilter, accountID: Int64, account: String, statuses: Set<EmailStatus>,
                                    now: Date, _ statement: inout PostgresStatement) throws -> [String]? {
        var conditions = ["e.account_id = \(account)"]
        if let equality = addressEquality(filter.to, alias: "e", &statement) { conditions.append(equality) }
        switch filter.to {
        case .exact?, .domain?:
            break
        case let pattern?:
            // The account's matching addresses, each an index range; the exact check after.
            conditions.append("""
                e.to_address = ANY(ARRAY(SELECT r.address FROM recipients r WHERE r.account_id = \(account) AND r.emails > 0
                                         AND r.address LIKE \(statement.bind(likePattern(pattern)))))
                """)
            conditions.append(addressCheck(pattern, &statement))
        case nil:
            break
        }
        conditions += subjectConditions(filter, &statement)
        conditions += spanConditions(filter.dateRange.interval(now: now, timeZone: timeZone), &statement)
        if !statuses.isEmpty { conditions.append(statusCondition(statuses, &statement)) }
        if !filter.raisedBy.isEmpty { conditions.append(raiserCondition(filter.raisedBy, &statement)) }
        return conditions
    }

    /// The condition of an exact To or a `*@domain` on `alias`'s columns (nil for any other pattern).
    func addressEquality(_ pattern: AddressPattern?, alias: String, _ statement: inout PostgresStatement) -> String? {
        switch pattern {
        case .exact(let address)?: return "\(alias).to_address = \(statement.bind(SearchPattern.storedForm(.exact(address))))"
        case .domain(let domain)?: return "\(alias).to_domain = \(statement.bind(SearchPattern.storedForm(.domain(domain))))"
        default: return nil
        }
    }

    /// The account's addresses (with emails) that a prefix or part pattern matches, at most
    /// `limit`, in byte order.
    private func matchingAddresses(_ pattern: AddressPattern, accountID: Int64, limit: Int) throws -> [String] {
        var statement = PostgresStatement()
        let account = statement.bind(accountID)
        let like = statement.bind(likePattern(pattern))
        let check = addressCheck(pattern, &statement, column: "r.address")
        let sql = """
            SELECT r.address FROM recipients r WHERE r.account_id = \(account) AND r.emails > 0 AND r.address LIKE \(like) AND \(check)
            ORDER BY r.address COLLATE "C" LIMIT \(statement.bind(Int64(limit)))
            """
        return try rows(statement.query(sql)) { try $0[0].decode(String.self) }
    }

    /// The LIKE pattern of a prefix (`stem%`) or part (`%part%`), which the trigram index answers.
    private func likePattern(_ pattern: AddressPattern) -> String {
        let text = SearchPattern.storedForm(pattern)
        if case .prefix = pattern { return SearchPattern.likePrefix(text) }
        return SearchPattern.likeContaining(text)
    }

    /// The exact To check of a prefix or part, byte for byte whatever the database's collation
    /// (SQLite: `stem <= to < stem + U+10FFFF`, `instr(to, part) > 0`).
    private func addressCheck(_ pattern: AddressPattern, _ statement: inout PostgresStatement,
                              column: String = "e.to_address") -> String {
        Self.addressCheck(pattern, boundText: statement.bind(SearchPattern.storedForm(pattern)), column: column)
    }

    /// ``addressCheck(_:_:column:)`` with the pattern's stored form already bound as `boundText`.
    static func addressCheck(_ pattern: AddressPattern, boundText text: String, column: String) -> String {
        if case .prefix = pattern { return "starts_with(\(column), \(text))" }
        return "strpos(\(column), \(text)) > 0"
    }

    /// The Subject conditions (none for no text): the subject trigram index's (for a text of
    /// three characters or more), then the exact rule.
    private func subjectConditions(_ filter: EmailFilter, _ statement: inout PostgresStatement) -> [String] {
        guard let subject = filter.subject, !subject.isEmpty else { return [] }
        let text = statement.bind(EmailFilter.asciiLowercased(subject))
        let holds = Self.subjectHolds(column: "e.subject", boundText: text)
        guard Self.usesSubjectTrigrams(subject) else { return [holds] }
        return [Self.subjectTrigramCondition(alias: "e", boundText: text), holds]
    }

    /// The exact Subject rule: the subject holds the text (bound ASCII-lowercased), ASCII letters
    /// folded and nothing else, as the SQLite store's LIKE (`lower` with the "C" collation folds
    /// ASCII letters only; `translate` did the same 12 times slower).
    static func subjectHolds(column: String, boundText text: String) -> String {
        "strpos(lower(\(column) COLLATE \"C\"), \(text)) > 0"
    }

    /// The condition the search index answers (schema version 11, ``PostgresSearchKeys``): the
    /// subject of the emails aliased `alias` holds every three-character run of the text, a
    /// superset of the rows that hold the text.
    static func subjectTrigramCondition(alias: String, boundText text: String) -> String {
        "\(PostgresSearchKeys.expression(alias: alias)) @> email_subject_trigrams(\(text))"
    }

    /// Whether a Subject text has a trigram (three characters, as PostgreSQL counts them: code
    /// points); a shorter one is checked row by row.
    static func usesSubjectTrigrams(_ text: String) -> Bool {
        text.unicodeScalars.count >= 3
    }

    /// `created_at` within the span (start included, end excluded).
    private func spanConditions(_ span: TimeSpan, _ statement: inout PostgresStatement) -> [String] {
        spanBounds(span, &statement).map { $0("e.created_at") }
    }

    /// The span's conditions on any column (the values bound once): start included, end excluded.
    func spanBounds(_ span: TimeSpan, _ statement: inout PostgresStatement) -> [(String) -> String] {
        var conditions: [(String) -> String] = []
        if let start = span.start.map({ statement.time($0) }) { conditions.append { "\($0) >= \(start)" } }
        if let end = span.end.map({ statement.time($0) }) { conditions.append { "\($0) < \(end)" } }
        return conditions
    }

    func statusCondition(_ statuses: Set<EmailStatus>, _ statement: inout PostgresStatement,
                                 column: String = "e.status") -> String {
        "\(column) = ANY(\(statement.bind(statuses.map { Int16($0.code) }.sorted())))"
    }

    func raiserCondition(_ ids: Set<Int64>, _ statement: inout PostgresStatement, column: String = "e.raised_by_id") -> String {
        "\(column) = ANY(\(statement.bind(ids.sorted())))"
    }

    /// The rows of a page statement decoded with `body`: prepared (``preparedRows(_:_:)``) or
    /// planned afresh (``rows(_:on:_:)``), as the statement says.
    func pageRows<T>(_ page: PostgresPageStatement, _ body: (PostgresRandomAccessRow) throws -> T) throws -> [T] {
        page.prepared ? try preparedRows(page, body) : try rows(page.query, body)
    }

    /// The rows of a prepared page statement decoded with `body` (as ``rows(_:on:_:)``).
    func preparedRows<T>(_ page: PostgresPageStatement, _ body: (PostgresRandomAccessRow) throws -> T) throws -> [T] {
        let rows = try connection.preparedRows(page.query.sql, arguments: page.arguments)
        do {
            return try rows.map { try body($0.makeRandomAccess()) }
        } catch {
            throw PostgresStoreError.server(location: location, sqlState: "XX000",
                                            message: "unexpected column type (\(PostgresStoreError.oneLine(String(describing: error))))")
        }
    }

    /// A summary from a row selecting ``summaryColumns``.
    static func summary(from row: PostgresRandomAccessRow) throws -> EmailSummary {
        EmailSummary(id: try row[0].decode(Int64.self), createdAt: StoredEventCoding.date(microseconds: try row[1].decode(Int64.self)),
                     to: try row[2].decode(String.self), subject: try row[3].decode(String.self), raisedByName: try row[4].decode(String.self),
                     status: EmailStatus(code: Int(try row[5].decode(Int16.self))) ?? .pending,
                     activity: Activity(rawValue: try row[6].decode(String.self)) ?? .external)
    }
}

/// A page's statement, and whether it runs prepared (then with typed placeholders and its
/// values as SQL expressions; see ``BlockingPostgresConnection/preparedRows(_:arguments:)``).
struct PostgresPageStatement {
    let query: PostgresQuery
    let arguments: [String]
    let prepared: Bool
}
