import AuditCore
import Foundation
import GRDB

/// Builds the keyset queries behind the Email Audit list.
///
/// Every query is one index range ending in `created_at` (SQLite appends the rowid `id`), read
/// in (created_at, id) order from the cursor with a LIMIT — never OFFSET. A filter with several
/// statuses and/or several raised-by ids becomes one such range per value combination; their
/// sorted results are merged in Swift, so even a rare status at a million rows is a short scan.
enum EmailQueryPlanner {
    /// Above this many (status x raised-by) combinations, only raised-by is split and the
    /// statuses become a residual condition.
    static let maximumCombinations = 64
    /// A To prefix or part matching at most this many addresses (and not walked, ``ToAddressWalk``) is answered address by address.
    static let maximumPrefixAddresses = 48

    struct Query {
        var sql: String
        var arguments: StatementArguments
    }

    /// The To condition as an index range (a prefix is `stem <= to < stem + U+10FFFF`, not LIKE).
    static func addressConditions(_ pattern: AddressPattern, arguments: inout StatementArguments) -> [String] {
        switch pattern {
        case .exact(let address):
            arguments += [address.lowercased()]
            return ["to_address = ?"]
        case .prefix:
            let lower = SearchPattern.storedForm(pattern)
            arguments += [lower, SearchPattern.prefixUpperBound(lower)]
            return ["to_address >= ?", "to_address < ?"]
        case .domain(let domain):
            arguments += [domain.lowercased()]
            return ["to_domain = ?"]
        case .contains(let part):
            arguments += [part.lowercased()]
            return ["instr(to_address, ?) > 0"]
        }
    }

    /// The To condition for rows read on the date index `emails_account_created`: a prefix is
    /// compared first with the address's first characters held in the index entry
    /// (``Schema/indexedAddressPrefix``, schema version 17), so that a row is read only when
    /// they match; a stem longer than them is then compared with the whole address. Other
    /// patterns as ``addressConditions(_:arguments:)``.
    static func dateIndexAddressConditions(_ pattern: AddressPattern, arguments: inout StatementArguments) -> [String] {
        guard let stem = indexedStem(pattern) else { return addressConditions(pattern, arguments: &arguments) }
        arguments += [stem.characters, SearchPattern.prefixUpperBound(stem.characters)]
        let conditions = ["\(Schema.indexedAddressPrefix) >= ?", "\(Schema.indexedAddressPrefix) < ?"]
        return stem.isWhole ? conditions : conditions + addressConditions(pattern, arguments: &arguments)
    }

    /// The characters of a To prefix that the date index's entries hold (its first
    /// ``Schema/indexedAddressPrefixLength``; SQLite's `substr` counts code points, so scalars),
    /// and whether they are the whole stem. Nil for any other pattern.
    static func indexedStem(_ pattern: AddressPattern) -> (characters: String, isWhole: Bool)? {
        guard case .prefix = pattern else { return nil }
        let stem = SearchPattern.storedForm(pattern)
        let characters = String(String.UnicodeScalarView(stem.unicodeScalars.prefix(Schema.indexedAddressPrefixLength)))
        return (characters, characters == stem)
    }

    /// The Subject condition checked row by row: LIKE with `%` `_` `\\` escaped.
    static func subjectCondition(_ text: String, arguments: inout StatementArguments) -> String {
        arguments += [SearchText.likePattern(containing: text)]
        return "subject LIKE ? ESCAPE '\\'"
    }

    /// The queries for one page. A filter with no account, no raiser and no To pattern has no
    /// index (v9 dropped the account-less ones): ``plan`` gives it one account at a time.
    /// `residualTo` is a To pattern checked row by row on a date
    /// index (used when a prefix matches so many addresses that its emails are dense).
    static func queries(filter: EmailFilter, cursor: EmailCursor?, direction: PageDirection, limit: Int,
                        span: TimeSpan, summaryColumns: String, residualTo: AddressPattern? = nil,
                        subjectIDs: [Int64]? = nil, subjectSet: [Int64]? = nil) -> [Query] {
        let subjectSetJSON = subjectSet.map { StorageEncoding.jsonArray($0) }
        let ascending = direction == .newer

        // Conditions common to every query: date range and cursor on created_at, then id.
        func common(_ conditions: inout [String], _ arguments: inout StatementArguments) {
            if let residualTo { conditions += dateIndexAddressConditions(residualTo, arguments: &arguments) }
            if let subjectSetJSON {
                // Checked from the index entry (its rowid) before the row is read; only rows
                // whose subject matched reach the LIKE below.
                conditions.append("id IN (SELECT value FROM json_each(?))"); arguments += [subjectSetJSON]
            }
            if let subject = filter.subject { conditions.append(subjectCondition(subject, arguments: &arguments)) }
            FilterConditions.createdAt(span, &conditions, &arguments)
            FilterConditions.keyset(cursor, older: !ascending, &conditions, &arguments)
        }
        func finish(index: String, _ conditions: [String], _ arguments: StatementArguments) -> Query {
            let order = ascending ? "ASC" : "DESC"
            var sql = "SELECT \(summaryColumns) FROM emails e \(index.isEmpty ? "NOT INDEXED" : "INDEXED BY " + index)"
            if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
            sql += " ORDER BY created_at \(order), id \(order) LIMIT ?"
            var args = arguments
            args += [limit]
            return Query(sql: sql, arguments: args)
        }

        // The few emails whose subject matches drive: rowid lookups, the rest checked per row.
        if let subjectIDs {
            var conditions = ["id IN (SELECT value FROM json_each(?))"], arguments: StatementArguments = [StorageEncoding.jsonArray(subjectIDs)]
            if let pattern = filter.to { conditions += addressConditions(pattern, arguments: &arguments) }
            FilterConditions.account(filter.accountID, &conditions, &arguments)
            FilterConditions.statuses(filter.statuses, &conditions, &arguments)
            FilterConditions.raisedBy(filter.raisedBy, &conditions, &arguments)
            common(&conditions, &arguments)
            return [finish(index: "", conditions, arguments)]
        }

        if let pattern = filter.to {
            var conditions: [String] = [], arguments: StatementArguments = []
            let index: String
            if case .domain(let domain) = pattern, let account = filter.accountID {
                // One (account, domain) range, already in created_at order.
                index = "emails_account_domain_created"
                conditions += ["account_id = ?", "to_domain = ?"]; arguments += [account, domain.lowercased()]
            } else {
                index = "emails_to_created"
                conditions += addressConditions(pattern, arguments: &arguments)
                FilterConditions.account(filter.accountID, &conditions, &arguments)
            }
            FilterConditions.statuses(filter.statuses, &conditions, &arguments)
            FilterConditions.raisedBy(filter.raisedBy, &conditions, &arguments)
            common(&conditions, &arguments)
            return [finish(index: index, conditions, arguments)]
        }

        let statuses: [EmailStatus?] = filter.statuses.isEmpty ? [nil] : filter.statuses.sorted()
        let raisers: [Int64?] = filter.raisedBy.isEmpty ? [nil] : filter.raisedBy.sorted()
        let splitStatuses = statuses.count * raisers.count <= maximumCombinations || filter.raisedBy.isEmpty
        var result: [Query] = []
        for raiser in raisers {
            for status in splitStatuses ? statuses : [nil] {
                var conditions: [String] = [], arguments: StatementArguments = []
                let index: String
                switch (raiser, status) {
                case let (r?, s?):
                    index = "emails_raised_status_created"
                    conditions += ["raised_by_id = ?", "status = ?"]; arguments += [r, s.code]
                case let (r?, nil):
                    index = "emails_raised_created"
                    conditions.append("raised_by_id = ?"); arguments += [r]
                    FilterConditions.statuses(filter.statuses, &conditions, &arguments)
                case let (nil, s?):
                    if let account = filter.accountID {
                        index = "emails_account_status_created"
                        conditions += ["account_id = ?", "status = ?"]; arguments += [account, s.code]
                    } else {
                        // No account-less index (v9): ``plan`` asks per account instead.
                        index = ""
                        conditions.append("status = ?"); arguments += [s.code]
                    }
                case (nil, nil):
                    if let account = filter.accountID {
                        index = "emails_account_created"
                        conditions.append("account_id = ?"); arguments += [account]
                    } else {
                        index = ""
                    }
                }
                if raiser != nil { FilterConditions.account(filter.accountID, &conditions, &arguments) }
                common(&conditions, &arguments)
                result.append(finish(index: index, conditions, arguments))
            }
        }
        return result
    }
}

/// The Email Audit list and the View pop-up.
extension AuditDatabase {
    /// The SELECT list of a page of summaries (``SummaryRecord``).
    static let summaryColumns = SummaryRecord.selection

    /// One page of summaries matching `filter`, newest first.
    ///
    /// `.older` returns the rows strictly after `cursor` in the newest-first list (from the
    /// newest when nil); `.newer` the rows strictly before it (from the oldest when nil),
    /// still returned newest first. The date range is `filter.dateRange` in the store's zone.
    package func summaries(matching filter: EmailFilter, from cursor: EmailCursor?, direction: PageDirection,
                          limit: Int, now: Date) throws -> [EmailSummary] {
        try summaries(matching: filter, from: cursor, direction: direction, limit: limit, now: now, subjectLimits: .standard)
    }

    /// ``summaries(matching:from:direction:limit:now:)`` with the Subject search's plan limits
    /// given (tests choose each plan on a small store).
    /// (and the To address walk's, ``ToAddressWalkLimits``).
    func summaries(matching filter: EmailFilter, from cursor: EmailCursor?, direction: PageDirection,
                   limit: Int, now: Date, subjectLimits: SubjectSearchLimits,
                   addressWalkLimits: ToAddressWalkLimits = .standard) throws -> [EmailSummary] {
        guard limit > 0 else { return [] }
        let span = filter.dateRange.interval(now: now, timeZone: timeZone)
        let ascending = direction == .newer
        return try read { db in
            if let walk = try EmailQueryPlanner.toAddressWalk(db, filter: filter, cursor: cursor, direction: direction, limit: limit,
                                                              span: span, summaryColumns: Self.summaryColumns, limits: addressWalkLimits) {
                let rows = try walk.page(db).map(\.summary)
                return ascending ? rows.reversed() : rows
            }
            if let walk = try EmailQueryPlanner.subjectRangeWalk(db, filter: filter, cursor: cursor, direction: direction, limit: limit,
                                                                 span: span, summaryColumns: Self.summaryColumns, limits: subjectLimits) {
                let rows = try walk.page(db).map(\.summary)
                return ascending ? rows.reversed() : rows
            }
            if let walk = try EmailQueryPlanner.subjectWalk(db, filter: filter, cursor: cursor, direction: direction, limit: limit,
                                                            span: span, summaryColumns: Self.summaryColumns, limits: subjectLimits) {
                let rows = try walk.page(db).map(\.summary)
                return ascending ? rows.reversed() : rows
            }
            let queries = try EmailQueryPlanner.plan(db, filter: filter, cursor: cursor, direction: direction, limit: limit,
                                                     span: span, summaryColumns: Self.summaryColumns, subjectLimits: subjectLimits)
            var rows: [(ms: Int64, summary: EmailSummary)] = []
            for query in queries {
                let cursor = try SummaryRecord.fetchCursor(db.cachedStatement(sql: query.sql), arguments: query.arguments)
                while let record = try cursor.next() {
                    rows.append((record.createdAtMilliseconds, record.summary))
                }
            }
            if queries.count > 1 {
                rows.sort { a, b in
                    if a.ms != b.ms { return ascending ? a.ms < b.ms : a.ms > b.ms }
                    return ascending ? a.summary.id < b.summary.id : a.summary.id > b.summary.id
                }
            }
            let page = rows.prefix(limit).map(\.summary)
            return ascending ? page.reversed() : Array(page)
        }
    }

    /// The whole email with every event (oldest first) and the Unit Search rows for its To
    /// address within its account; nil when there is no such email in `accountID` (any account when nil).
    package func detail(emailID: Int64, accountID: Int64? = nil) throws -> EmailDetail? {
        try read { db in
            guard let email = try readingCompactText({
                try EmailRecord.fetchOne(db, sql: "SELECT \(EmailRecord.selection) FROM emails e WHERE e.id = ? AND (? IS NULL OR e.account_id = ?)",
                                         arguments: [emailID, accountID, accountID])?.email
            }) else { return nil }
            let events = try EventRecord.fetchAll(db, sql: "SELECT \(EventRecord.selection) FROM events WHERE email_id = ? ORDER BY occurred_at, id",
                                                  arguments: [emailID]).map(\.event)
            let units = try Self.unitRows(db, address: email.to, accountID: email.accountID)
            return EmailDetail(email: email, events: events, units: units)
        }
    }

    /// The ids of the emails with a provider message id (with or without its angle brackets,
    /// one per recipient) in `accountID` (any account when nil), ascending.
    package func emailIDs(messageID: String, accountID: Int64? = nil) throws -> [Int64] {
        try read { db in
            let bare = StorageEncoding.bareMessageID(messageID)
            return try Int64.fetchAll(db, sql: """
                SELECT id FROM emails WHERE message_hash = ?3 AND provider_message_id = ?1 AND (?2 IS NULL OR account_id = ?2) ORDER BY id
                """, arguments: [bare, accountID, MessageIDHash.of(bare)])
        }
    }

    /// The raw provider JSON of every event of an email in `accountID` (any account when nil),
    /// oldest first, exactly as the provider sent it (decompressed; ``CompactText``).
    package func rawEvents(emailID: Int64, accountID: Int64? = nil) throws -> [String] {
        try read { db in
            let decompressor = CompactText.Decompressor()
            let rows = try Row.fetchCursor(db, sql: """
                SELECT v.raw_json, v.provider_event_id, v.occurred_at, v.kind, v.event_key, v.mx_host
                FROM events v JOIN emails e ON e.id = v.email_id
                WHERE v.email_id = ?1 AND (?2 IS NULL OR e.account_id = ?2) ORDER BY v.occurred_at, v.id
                """, arguments: [emailID, accountID])
            var texts: [String] = []
            while let row = try rows.next() {
                let tokens = EventJSONTokens(providerEventID: row[1], kind: row[3], storedKey: row[4],
                                             occurredAtMicroseconds: row[2], mxHost: row[5])
                texts.append(try storedText(row[0], decompressor: decompressor, tokens: tokens))
            }
            return texts
        }
    }

    /// The text of a stored ``CompactText`` value (TEXT as it is, a BLOB inflated; an event's
    /// format-3 value with the `tokens` of its row).
    func storedText(_ value: DatabaseValue, decompressor: CompactText.Decompressor,
                    tokens: EventJSONTokens? = nil) throws -> String {
        switch value.storage {
        case .string(let text): return text
        case .blob(let data):
            do {
                return try data.withUnsafeBytes { try decompressor.decode($0, tokens: tokens) }
            } catch let error as CompactText.DecodingError {
                throw StoreError.corrupt(path: path, underlying: error.description)
            }
        default: throw StoreError.corrupt(path: path, underlying: "a stored text that is neither TEXT nor BLOB")
        }
    }

    /// The units an email was recorded against.
    package func linkedUnitIDs(emailID: Int64) throws -> [Int64] {
        try read { db in
            try Int64.fetchAll(db, sql: "SELECT unit_id FROM email_units WHERE email_id = ? ORDER BY unit_id", arguments: [emailID])
        }
    }
}
