import AuditCore
import AuditStore
import Foundation
import PostgresNIO

/// A page of a Subject search on PostgreSQL, found by the application in steps, since no one
/// plan suits every text: a common text is found soonest by reading the filter's emails in
/// date order, a rare one only through the subject trigram index (schema version 10), and
/// which a text is shows only in the data.
///
/// 1. **The walk**: the first ``subjectWalkRows`` emails of the filter's index ranges from the
///    page's edge (the date index, or an address, domain or raisers' index), each checked for
///    the text and the rest of the filter: one prepared statement. A text in one email of
///    twenty or more fills the page here. Every fourth row comes back too, a sample of subjects.
/// 2. **The rest**, one of two ways, whichever the walk's figures make cheaper:
///    - **by the trigram index**: the text's rarest trigrams in the sample
///      (``subjectTrigrams(of:sample:)``), read in month windows from the walk's edge (its
///      month, then 1, 2, 4 and 8 months further, then the rest: ``PostgresPageWindows``), each
///      one execution of one prepared statement whose generic plan prunes the months outside
///      the window when it runs; the index's candidates (with the raiser's or domain's key
///      beside the trigrams when the filter has one: ``rangeKeys(_:)``, schema version 11),
///      then the exact rule and the rest of the filter on them, newest first. The candidates are read with no other condition (`OFFSET
///      0`): with the account beside them a generic plan also read the whole month's date index
///      (51-72 ms for a rare text over every month), with a domain it computed the trigrams of
///      every email of the domain instead (0.9-2.6 s).
///    - **by walking on**, ``subjectWalkChunk`` emails of the index ranges at a time, or of
///      the statuses' ranges (`email_statuses`) for a rare status: when the text's candidates
///      are more than the filter's range holds (a common text beside a domain of few emails or
///      a rare status, or a text nearly every subject holds): ``SubjectPageCosts``.
///
/// A text shorter than three characters has no trigram: it is walked on.
extension PostgresAuditStore {
    /// Every this many rows of the walk come back as a sample of subjects, whatever they hold
    /// (``subjectTrigrams(of:sample:)``).
    static let subjectSampleEvery = 4
    /// The most trigrams of the text a window's index read asks for.
    static let subjectTrigramsAsked = 8
    /// The subjects sampled beside a narrow range's walk (``newestSubjects(accountID:)``).
    static let subjectSampleRows = 250
    /// The emails each statement reads when the walk goes on.
    static let subjectWalkChunk = 4_000
    /// The first walk's emails when the index can be asked for the walk's range too (a raiser,
    /// a domain: ``rangeKeys(_:)``): the index's candidates are then the text's within the
    /// range, so the walk only has to find a common text (one in five fills a page here).
    static let subjectKeyedWalkRows = 250
    /// Past the walk, the index is read in a few statements, each a span of month windows
    /// (``PostgresPageWindows/grouped(_:reaching:growth:from:older:)``): the first reaches as
    /// far as the walk's figures put this many times the rows the page still wants among the
    /// candidates, each next one ``subjectReadGrowth`` times further. Why: each statement costs
    /// ~0.1 ms a month partition it reads before its rows (and ~0.3 ms in the client), so a
    /// rare text read in the six windows of other pages (``PostgresPageWindows``) paid for its
    /// partitions twice (beside a raiser at 1,000,000 emails 5.2-6.0 ms in the server where one
    /// read of every month took 2.8-5 ms); and a common text's candidates are read no further
    /// than its page needs ("at Wright W" over all dates: 7,141 candidates in one read, 22 ms).
    static let subjectFirstReadPages = 2.0
    /// How much further each read past the first reaches than the one before.
    static let subjectReadGrowth = 4.0

    /// One page of a Subject search, in the direction of paging (`.newer`: oldest first); see
    /// ``summaries(matching:accountID:from:direction:limit:now:)``.
    func subjectPage(matching filter: EmailFilter, addresses: [String], accountID: Int64, from cursor: EmailCursor?,
                     direction: PageDirection, limit: Int, now: Date) throws -> [EmailSummary] {
        guard let text = filter.subject, !text.isEmpty else { return [] }
        let narrow = hasIndexRange(filter, addresses: addresses)
        let keys = Self.rangeKeys(filter)
        let keyed = narrow && Self.usesSubjectTrigrams(text) && !(keys.all.isEmpty && keys.anyOf.isEmpty)
        let walkRows = keyed ? min(subjectWalkRows, Self.subjectKeyedWalkRows) : subjectWalkRows
        let first = try walk(filter, addresses: addresses, accountID: accountID, from: cursor, direction: direction,
                             rows: walkRows, sampled: true, now: now)
        var found = first.found
        guard found.count < limit, var edge = first.edge else { return Array(found.prefix(limit)) }

        // What the walk tells of the rest (``SubjectPageCosts``). The subjects of a narrow range
        // (a domain's, a raiser's) are not the store's (a block's name in its residents'
        // emails), so its text's candidates are counted in the account's newest subjects.
        let subjects = try narrow ? newestSubjects(accountID: accountID) : first.sample.map { Self.foldedUTF8($0.subject) }
        // (None of a sample counts as half of one.)
        func share(_ count: Int, of total: Int) -> Double { max(0.5, Double(count)) / Double(max(1, total)) }
        func shareHolding(_ trigrams: ArraySlice<String>) -> Double {
            let asked = trigrams.map { Array($0.utf8) }
            return share(subjects.filter { subject in asked.allSatisfy { Self.bytes(subject, hold: $0) } }.count, of: subjects.count)
        }
        var trigrams = Self.subjectTrigrams(of: text, sample: subjects)
        var costs = SubjectPageCosts(
            candidates: 1,
            statuses: filter.statuses.isEmpty ? 1 : share(first.sample.filter { filter.statuses.contains($0.status) }.count, of: first.sample.count))
        let store = try storeEmails()
        if narrow {
            let span = filter.dateRange.interval(now: now, timeZone: timeZone)
            let start = cursor?.createdAt ?? (direction == .older ? min(span.end ?? now, now) : span.start ?? edge.createdAt)
            let perMonth = Double(walkRows) * Self.secondsInMonth / max(1, abs(start.timeIntervalSince(edge.createdAt)))
            costs.range = store.map { min(1, perMonth * Double($0.months) / $0.emails) } ?? 1
            costs.narrowRange = true
            costs.keyedRange = keyed
        }
        if keyed, let store, !trigrams.isEmpty {
            // Beside a key, only as many of the trigrams (in the order chosen) as pay for their reads.
            let shares = (1...trigrams.count).map { shareHolding(trigrams.prefix($0)) }
            trigrams = Array(trigrams.prefix(SubjectPageCosts.trigramsToAsk(shares: shares, months: store.months,
                                                                            rangeEmails: costs.range * store.emails)))
        }
        costs.candidates = shareHolding(trigrams[...])
        costs.statusesWalkable = !filter.statuses.isEmpty && (filter.to == nil || addresses.count > Self.maximumPrefixAddresses)
            && filter.statuses.count * max(1, filter.raisedBy.count) <= Self.maximumCombinations
        var way = costs.cheapest
        if let walkOn = subjectPagesWalkOn { way = walkOn ? (costs.statusesWalkable ? .walkByStatus : .walk) : .index }
        if !Self.usesSubjectTrigrams(text) && way == .index { way = .walk }
        if way == .index {
            // How far the first read reaches: where the candidates estimated (spread evenly over
            // the store's months) with the filter's statuses (their share of the walk's sample)
            // are twice the rows wanted.
            let reach = store.map { store in
                let perSecond = costs.candidatesOverEveryMonth(storeEmails: store.emails) * costs.statuses
                    / (Double(store.months) * Self.secondsInMonth)
                return Self.subjectFirstReadPages * Double(limit - found.count) / max(perSecond, 1e-12)
            }
            return try found + windowsPastWalk(filter, addresses: addresses, accountID: accountID, trigrams: trigrams, edge: edge,
                                               direction: direction, limit: limit, wanted: limit - found.count, reach: reach, now: now)
        }
        // By status, the first chunk is as long as the text's share of the sample says the rows
        // still wanted need (twice over), the next ones four times longer each.
        var chunk = Self.subjectWalkChunk
        if way == .walkByStatus {
            let folded = Self.foldedUTF8(text)
            let textShare = share(subjects.filter { Self.bytes($0, hold: folded) }.count, of: subjects.count)
            chunk = Self.statusWalkFirstChunk(wanted: limit - found.count, textShare: textShare)
        }
        while found.count < limit {
            let next = try walk(filter, addresses: addresses, accountID: accountID, from: edge, direction: direction,
                                rows: chunk, sampled: false, byStatus: way == .walkByStatus, now: now)
            found += next.found
            guard let last = next.edge else { break }
            edge = last
            chunk = min(Self.subjectWalkChunk, chunk * 4)
        }
        return Array(found.prefix(limit))
    }

    /// The rows of the first chunk of a walk by status: where `wanted` rows are expected twice
    /// over, given the share of subjects holding the text (`textShare`), between
    /// ``statusWalkLeastChunk`` and ``subjectWalkChunk``. Why: a chunk reads all its rows (and,
    /// before schema version 13, each row's email by key, ~4-6 µs): "for Flat" with Failed over
    /// 30 days at 1,000,000 emails read 1,387 rows (10-11 ms) where 45% of them hold the text
    /// and the page wanted 50.
    static func statusWalkFirstChunk(wanted: Int, textShare: Double) -> Int {
        let rows = 2 * Double(max(1, wanted)) / max(textShare, 1e-6)
        return Int(min(Double(subjectWalkChunk), max(Double(statusWalkLeastChunk), rows.rounded(.up))))
    }

    /// The fewest rows a walk by status reads in a chunk.
    static let statusWalkLeastChunk = 100

    /// Whether the walk reads an index range narrower than the date index (an address, a
    /// domain, a few addresses, raisers).
    private func hasIndexRange(_ filter: EmailFilter, addresses: [String]) -> Bool {
        switch filter.to {
        case .exact?, .domain?: return true
        case .some where addresses.count <= Self.maximumPrefixAddresses: return true
        default: return !filter.raisedBy.isEmpty
        }
    }

    /// The account's newest ``subjectSampleRows`` subjects, folded (``foldedUTF8(_:)``): one
    /// prepared statement on its date index, kept a minute (a sample for estimates; reading and
    /// folding 250 subjects was a fifth of a keyed page's time in the client).
    private func newestSubjects(accountID: Int64) throws -> [[UInt8]] {
        if let (account, subjects) = newestSubjectsCache.value(now: Date()), account == accountID { return subjects }
        let subjects = try newestSubjectsRead(accountID: accountID).map(Self.foldedUTF8)
        newestSubjectsCache.store((accountID, subjects), now: Date())
        return subjects
    }

    /// The subject's UTF-8 with ASCII letters folded, as `email_subject_trigrams` folds them.
    static func foldedUTF8(_ subject: String) -> [UInt8] {
        subject.utf8.map { $0 &- 65 < 26 ? $0 + 32 : $0 }
    }

    private func newestSubjectsRead(accountID: Int64) throws -> [String] {
        var statement = PostgresStatement(typedPlaceholders: preparesPages)
        let account = statement.bind(accountID)
        let count = preparesPages ? String(Self.subjectSampleRows) : statement.bind(Int64(Self.subjectSampleRows))
        let page = PostgresPageStatement(query: statement.query(
            "SELECT e.subject FROM emails e WHERE e.account_id = \(account) ORDER BY e.created_at DESC, e.id DESC LIMIT \(count)"),
            arguments: statement.literals, prepared: preparesPages)
        return try pageRows(page) { try $0[0].decode(String.self) }
    }

    /// A month's seconds on average (the store's months are counted by their partitions).
    static let secondsInMonth = 30.44 * 86_400

    /// The store's emails and the months that hold them, from the planner's statistics of the
    /// month partitions (nil before any is analysed): every account's, as the search index
    /// holds every account's.
    private func storeEmails() throws -> (emails: Double, months: Int)? {
        if let cached = storeEmailsCache.value(now: Date()) { return cached }
        let row = try rows(PostgresQuery(unsafeSQL: """
            SELECT coalesce(sum(c.reltuples) FILTER (WHERE c.reltuples > 0), 0)::float8, count(*) FILTER (WHERE c.reltuples > 0)
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass('emails')
            """)) { (try $0[0].decode(Double.self), try $0[1].decode(Int64.self)) }.first
        guard let (emails, months) = row, months > 0, emails > 0 else { return nil }
        storeEmailsCache.store((emails, Int(months)), now: Date())
        return (emails, Int(months))
    }

    /// One walk statement (``pageStatement(matching:addresses:accountID:from:direction:limit:now:window:walkRows:sampled:)``):
    /// the rows that match, the edge to go on from (nil: the ranges hold no more) and the
    /// sample's subjects.
    private func walk(_ filter: EmailFilter, addresses: [String], accountID: Int64, from cursor: EmailCursor?,
                      direction: PageDirection, rows count: Int, sampled: Bool, byStatus: Bool = false,
                      now: Date) throws -> (found: [EmailSummary], edge: EmailCursor?, sample: [EmailSummary]) {
        guard let statement = try pageStatement(matching: filter, addresses: addresses, accountID: accountID, from: cursor,
                                                direction: direction, limit: count, now: now, walkRows: count, sampled: sampled,
                                                walkByStatus: byStatus)
        else { return ([], nil, []) }
        let walked = try pageRows(statement, Self.walkedRow(from:))
        let edge = walked.first { $0.place == count }.map { EmailCursor(createdAt: $0.summary.createdAt, id: $0.summary.id) }
        let sample = sampled ? walked.filter { $0.place % Self.subjectSampleEvery == 0 }.map(\.summary) : []
        return (walked.filter(\.matches).map(\.summary), edge, sample)
    }

    /// The trigrams of `text` (ASCII letters folded, as `email_subject_trigrams` cuts them) a
    /// window's index read asks for, chosen with the subjects of `sample` (UTF-8, folded the
    /// same way): one at a time, the one that covers most characters of the text not yet
    /// covered, the one the fewest subjects hold among equals; after the first, only those that
    /// at most a quarter of the sample holds; at most ``subjectTrigramsAsked``; in the order chosen.
    ///
    /// Why: every candidate the index finds is a heap row read and checked (~3-5 µs), and
    /// trigrams of one word ("cam", "amp", "mpb") find the same subjects, so trigrams spread over
    /// the text rule out the most ("4, Campbell" beside a raiser over every month: the trigrams
    /// of "Campbell" alone found every Campbell, ten times the matches, ~45 ms; with "4, " 5 ms);
    /// a trigram nearly every subject holds ("fla", "at ") rules out little and is the dearest
    /// to read from the index ("Flat 13, B" with all eight of its trigrams 14 ms, with two 2.4 ms).
    static func subjectTrigrams(of text: String, sample: [[UInt8]]) -> [String] {
        let scalars = Array(EmailFilter.asciiLowercased(text).unicodeScalars)
        guard scalars.count >= 3 else { return [] }
        var counted: [(trigram: String, place: Int, count: Int)] = []
        for place in 0...(scalars.count - 3) {
            let trigram = String(String.UnicodeScalarView(scalars[place..<(place + 3)]))
            guard !counted.contains(where: { $0.trigram == trigram }) else { continue }
            let bytes = Array(trigram.utf8)
            counted.append((trigram, place, sample.reduce(0) { $0 + (Self.bytes($1, hold: bytes) ? 1 : 0) }))
        }
        var covered = Set<Int>(), chosen: [(trigram: String, place: Int, count: Int)] = []
        while chosen.count < subjectTrigramsAsked {
            let eligible = counted.filter { candidate in
                !chosen.contains { $0.trigram == candidate.trigram } && (chosen.isEmpty || candidate.count * 4 <= sample.count)
            }
            func added(_ candidate: (trigram: String, place: Int, count: Int)) -> Int {
                (candidate.place..<(candidate.place + 3)).filter { !covered.contains($0) }.count
            }
            guard let best = eligible.min(by: { (-added($0), $0.count, $0.place) < (-added($1), $1.count, $1.place) }),
                  added(best) > 0 else { break }
            chosen.append(best)
            covered.formUnion(best.place..<(best.place + 3))
        }
        return chosen.map(\.trigram)
    }

    /// Whether `bytes` hold `part` (UTF-8: a match is always on whole characters).
    static func bytes(_ bytes: [UInt8], hold part: [UInt8]) -> Bool {
        guard let first = part.first, part.count <= bytes.count else { return part.isEmpty }
        var start = 0
        while start + part.count <= bytes.count {
            if bytes[start] == first {
                var same = true
                for offset in 1..<part.count where bytes[start + offset] != part[offset] {
                    same = false
                    break
                }
                if same { return true }
            }
            start += 1
        }
        return false
    }

    /// The `wanted` rows past the walk's `edge`, read through the search index in spans of
    /// windows, the first reaching `reach` seconds past the edge (``subjectFirstReadPages``), or
    /// window by window with no estimate (a store never analysed). Each statement asks for the page's
    /// `limit` (not the rows still wanted: a statement text per count left after the walk made
    /// a prepared statement, and its ~20 ms generic plan over every month, per count).
    private func windowsPastWalk(_ filter: EmailFilter, addresses: [String], accountID: Int64, trigrams: [String],
                                 edge: EmailCursor, direction: PageDirection, limit: Int, wanted: Int, reach: TimeInterval?,
                                 now: Date) throws -> [EmailSummary] {
        let older = direction == .older
        let span = filter.dateRange.interval(now: now, timeZone: timeZone)
        var found: [EmailSummary] = []
        var windows = PostgresPageWindows.windows(span: span, cursor: edge, older: older, now: now, timeZone: timeZone)
        if let reach {
            windows = PostgresPageWindows.grouped(windows, reaching: reach, growth: Self.subjectReadGrowth, from: edge.createdAt, older: older)
        }
        for window in windows {
            let statement = subjectWindowStatement(filter, addresses: addresses, accountID: accountID, trigrams: trigrams,
                                                   window: window, span: span, edge: edge, older: older, limit: limit)
            let rows = try pageRows(statement, Self.summary(from:))
            found += rows.prefix(wanted - found.count)
            if found.count >= wanted { break }
        }
        return found
    }

    /// The statement of one window (see the type's comment): the same text for every window of
    /// a filter's shape, so prepared once per connection.
    private func subjectWindowStatement(_ filter: EmailFilter, addresses: [String], accountID: Int64, trigrams: [String],
                                        window: PostgresPageWindow, span: TimeSpan, edge: EmailCursor, older: Bool,
                                        limit: Int) -> PostgresPageStatement {
        var statement = PostgresStatement(typedPlaceholders: preparesPages)
        let keys = Self.rangeKeys(filter)
        let index = PostgresSearchKeys.expression(alias: "e")
        var read = ["\(index) @> \(statement.bind(trigrams + keys.all))"]
        if !keys.anyOf.isEmpty { read.append("\(index) && \(statement.bind(keys.anyOf))") }
        // Both bounds, always (an open end as a far date): one statement text for every window.
        let low = statement.time(window.low ?? .distantPast), high = statement.time(window.high ?? .distantFuture)
        var checks = ["c.account_id = \(statement.bind(accountID))",
                      Self.subjectHolds(column: "c.subject", boundText: statement.bind(EmailFilter.asciiLowercased(filter.subject ?? "")))]
        if let equality = addressEquality(filter.to, alias: "c", &statement) { checks.append(equality) }
        switch filter.to {
        case .exact?, .domain?:
            break
        case let pattern?:
            if addresses.count <= Self.maximumPrefixAddresses {
                checks.append("c.to_address = ANY(\(statement.bind(addresses)))")
            } else {
                checks.append(Self.addressCheck(pattern, boundText: statement.bind(SearchPattern.storedForm(pattern)), column: "c.to_address"))
            }
        case nil:
            break
        }
        if !filter.statuses.isEmpty { checks.append(statusCondition(filter.statuses, &statement, column: "c.status")) }
        if !filter.raisedBy.isEmpty { checks.append(raiserCondition(filter.raisedBy, &statement, column: "c.raised_by_id")) }
        checks += spanBounds(span, &statement).map { $0("c.created_at") }
        let at = statement.time(edge.createdAt), id = statement.bind(edge.id)
        checks.append(older ? "(c.created_at, c.id) < (\(at), \(id))" : "(c.created_at, c.id) > (\(at), \(id))")
        let order = older ? "DESC" : "ASC"
        // Prepared: the LIMIT in the text, so the generic plan is made for it.
        let count = preparesPages ? String(limit) : statement.bind(Int64(limit))
        let sql = """
            SELECT \(Self.summaryColumns) FROM (
                SELECT * FROM (SELECT e.account_id, e.id, e.created_at, e.to_address, e.to_domain, e.subject, e.raised_by_id,
                                      e.status, e.activity
                               FROM emails e
                               WHERE \(read.joined(separator: " AND ")) AND e.created_at >= \(low) AND e.created_at < \(high)
                               OFFSET 0) c
                WHERE \(checks.joined(separator: " AND "))) p
            LEFT JOIN staff s ON s.account_id = p.account_id AND s.id = p.raised_by_id
            ORDER BY p.created_at \(order), p.id \(order) LIMIT \(count)
            """
        return PostgresPageStatement(query: statement.query(sql), arguments: statement.literals, prepared: preparesPages)
    }

    /// The search index's keys of the filter's range (``PostgresSearchKeys``) a window's read
    /// asks for beside the text's trigrams: `all` every one of them (one raiser, a domain),
    /// `anyOf` one of them (several raisers).
    static func rangeKeys(_ filter: EmailFilter) -> (all: [String], anyOf: [String]) {
        var all: [String] = [], anyOf: [String] = []
        let raisers = filter.raisedBy.sorted()
        if raisers.count == 1 { all.append(PostgresSearchKeys.raiser(raisers[0])) } else { anyOf = raisers.map(PostgresSearchKeys.raiser) }
        if let pattern = filter.to, case .domain = pattern { all.append(PostgresSearchKeys.domain(SearchPattern.storedForm(pattern))) }
        return (all, anyOf)
    }

    /// A row of the walk: the summary, whether it matches the filter, its place in the walk.
    private static func walkedRow(from row: PostgresRandomAccessRow) throws -> (summary: EmailSummary, matches: Bool, place: Int) {
        (try summary(from: row), try row[7].decode(Bool.self), Int(try row[8].decode(Int64.self)))
    }
}
