import AuditCore
import Foundation
import GRDB

/// When a To `prefix*` or `*part*` page is read in time windows (``ToAddressWalk``) rather than
/// one index range per matching address or rows checked on the date index.
struct ToAddressWalkLimits: Equatable {
    /// At most this many matching addresses are answered one index range each (each range reads
    /// up to a page of rows; a few ranges cost less than the walk's first window).
    var perAddress = 8
    /// Past this many matching addresses the pattern is dense (a 1- or 2-letter stem, a common
    /// part): rows are checked on the date index.
    var maximumAddresses = 4_000
    /// The walk is taken when it costs less (a seek per address per window, plus the window's
    /// rows) than checking rows on the date index (a page over the addresses' share of the
    /// store, read in date order). Measured at 10,000,000 emails: a seek into a cold part of
    /// `emails_to_created` costs about 40 date-ordered row checks, a row read by rowid about 10.
    var walk = true
    /// See ``walk``.
    var rowChecksPerSeek = 40.0
    /// See ``walk``.
    var rowChecksPerRowRead = 10.0
    /// A prefix of at most ``Schema/indexedAddressPrefixLength`` characters is checked on the
    /// date index from its entries alone (schema version 17): an entry check costs about this
    /// fraction of a row check (0.13–0.26 µs against 0.6–0.8 µs at 5,000,000 emails).
    var entryCheckShare = 0.25
    /// Always walk (tests force the path).
    var alwaysWalk = false
    /// The first window is sized to hold about this many pages of the addresses' emails.
    var windowPages = 2.0

    static let standard = ToAddressWalkLimits()
}

/// A To `prefix*` or `*part*` page read newest first (or oldest first) in time windows over the
/// matching addresses' index ranges: each window is one statement, `to_address IN (the addresses)` on
/// `emails_to_created` bounded by `created_at`, so SQLite seeks once per address and reads
/// only the window's rows, sorted. The first window is sized from the addresses' emails (the
/// recipients table counts them) over the store's time span to hold a page or two; each next
/// one is twice as wide, and the last reaches the end of the range. Windows are disjoint and
/// read in order, so the first `limit` rows found are the page.
///
/// With 30 addresses (a page's worth of emails each) this is 30 index seeks and ~100 row reads
/// where merging a range per address reads a page per address (1,500 rows, 13 ms at 10,000,000
/// emails); with 948 addresses for "rob" (258,000 of 10,000,000 emails) the seeks cost more
/// than checking ~2,000 rows on the date index, which is taken instead. A `*part*` such as
/// "etaylor" (49 addresses, 6,188 of 5,000,000 emails) checked ~38,000 rows on the date index
/// for a page (24 ms in sqlite3); its walk is 49 seeks and a page or two of rows.
struct ToAddressWalk {
    let filter: EmailFilter
    let addresses: [String]
    let cursor: EmailCursor?
    let ascending: Bool
    let limit: Int
    let span: TimeSpan
    let summaryColumns: String
    /// The first window's width in milliseconds.
    let width: Int64
    /// The oldest and newest `created_at` in the store.
    let oldest: Int64
    let newest: Int64

    /// The page, in the direction of paging (newest first when older).
    func page(_ db: Database) throws -> [SummaryRecord] {
        let addressJSON = StorageEncoding.jsonArray(addresses)
        let cursorAt = cursor.map { StorageEncoding.milliseconds($0.createdAt) }
        var rows: [SummaryRecord] = []
        var width = max(1, width)
        if ascending {
            var lower = max(cursorAt ?? Int64.min, span.start.map(StorageEncoding.milliseconds) ?? Int64.min, oldest)
            let end = min(span.end.map(StorageEncoding.milliseconds) ?? Int64.max, newest + 1)
            while rows.count < limit {
                let upper = lower.addingReportingOverflow(width).overflow ? Int64.max : lower + width
                let last = upper >= end
                rows += try window(db, addressJSON, from: lower, before: last ? nil : upper, need: limit - rows.count)
                if last { break }
                lower = upper
                width = width > Int64.max / 4 ? Int64.max / 2 : width * 2
            }
        } else {
            var upper = min(cursorAt.map { $0 + 1 } ?? Int64.max, span.end.map(StorageEncoding.milliseconds) ?? Int64.max, newest + 1)
            let start = max(span.start.map(StorageEncoding.milliseconds) ?? Int64.min, oldest)
            while rows.count < limit {
                let lower = upper.subtractingReportingOverflow(width).overflow ? Int64.min : upper - width
                let last = lower <= start
                rows += try window(db, addressJSON, from: last ? nil : lower, before: upper, need: limit - rows.count)
                if last { break }
                upper = lower
                width = width > Int64.max / 4 ? Int64.max / 2 : width * 2
            }
        }
        return rows
    }

    /// The rows of one window `[from, before)` (nil: open), in the direction of paging.
    private func window(_ db: Database, _ addressJSON: String, from: Int64?, before: Int64?, need: Int) throws -> [SummaryRecord] {
        var conditions = ["to_address IN (SELECT value FROM json_each(?))"]
        var arguments: StatementArguments = [addressJSON]
        if let from { conditions.append("created_at >= ?"); arguments += [from] }
        if let before { conditions.append("created_at < ?"); arguments += [before] }
        FilterConditions.account(filter.accountID, &conditions, &arguments)
        FilterConditions.statuses(filter.statuses, &conditions, &arguments)
        FilterConditions.raisedBy(filter.raisedBy, &conditions, &arguments)
        FilterConditions.createdAt(span, &conditions, &arguments)
        FilterConditions.keyset(cursor, older: !ascending, &conditions, &arguments)
        let order = ascending ? "ASC" : "DESC"
        arguments += [need]
        return try SummaryRecord.fetchAll(db.cachedStatement(sql: """
            SELECT \(summaryColumns) FROM emails e INDEXED BY emails_to_created WHERE \(conditions.joined(separator: " AND "))
            ORDER BY created_at \(order), id \(order) LIMIT ?
            """), arguments: arguments)
    }
}

extension EmailQueryPlanner {
    /// The time-window walk (``ToAddressWalk``) for a page of `filter`, or nil when another plan
    /// answers it: no To `prefix*` or `*part*`, a Subject text (its own plans), a status or raiser (their
    /// own index ranges), a few matching addresses (a range each), very many (a dense pattern,
    /// rows checked on the date index), or a share of the store so large that checking rows on
    /// the date index reads fewer rows than the walk's seeks.
    static func toAddressWalk(_ db: Database, filter: EmailFilter, cursor: EmailCursor?, direction: PageDirection,
                              limit: Int, span: TimeSpan, summaryColumns: String, limits: ToAddressWalkLimits) throws -> ToAddressWalk? {
        guard limits.walk || limits.alwaysWalk, let pattern = filter.to, filter.subject == nil,
              filter.statuses.isEmpty, filter.raisedBy.isEmpty else { return nil }
        guard let matches = try matchingRecipients(db, pattern, limit: limits.maximumAddresses + 1) else { return nil }
        guard !matches.isEmpty, matches.count <= limits.maximumAddresses else { return nil }
        guard let bounds = try Row.fetchOne(db.cachedStatement(sql: """
            SELECT min(first), max(last) FROM (SELECT
                (SELECT min(created_at) FROM emails INDEXED BY emails_account_created WHERE account_id = a.id) AS first,
                (SELECT max(created_at) FROM emails INDEXED BY emails_account_created WHERE account_id = a.id) AS last
            FROM accounts a)
            """)), let oldest = bounds[0] as Int64?, let newest = bounds[1] as Int64? else { return nil }
        let held = matches.reduce(0.0) { $0 + Double($1.emails) }
        if !limits.alwaysWalk {
            guard matches.count > limits.perAddress else { return nil }
            // Rows (or, for a short prefix, index entries) the date index's row check reads for a
            // page, against the walk's seeks and rows.
            let stored = Double(try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(id) FROM emails")) ?? 0)
            let checks = Double(limit) * stored / max(held, 1)
            let rowCheck = indexedStem(pattern)?.isWhole == true ? checks * limits.entryCheckShare : checks
            let walk = limits.rowChecksPerSeek * Double(matches.count) + limits.rowChecksPerRowRead * limits.windowPages * Double(limit)
            if matches.count > maximumPrefixAddresses && rowCheck <= walk { return nil }
        }
        let rate = max(held, 1) / Double(max(newest - oldest, 1))
        let width = Int64(min(Double(Int64.max / 4), max(1, limits.windowPages * Double(limit) / rate)))
        return ToAddressWalk(filter: filter, addresses: matches.map(\.address), cursor: cursor,
                             ascending: direction == .newer, limit: limit, span: span, summaryColumns: summaryColumns,
                             width: width, oldest: oldest, newest: newest)
    }
}
