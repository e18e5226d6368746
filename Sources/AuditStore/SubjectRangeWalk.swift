import AuditCore
import Foundation
import GRDB

/// A page of a Subject search combined with a status, a raiser or a To `*@domain`, found by
/// walking the other condition's own index range in page order (newest first for `.older`),
/// a chunk of entries at a time, index only (each entry's id), and reading only the rows that
/// are also subject candidates.
///
/// Each chunk's candidates are read from the subject trigram index between the chunk's lowest
/// and highest id (every candidate among the chunk's entries lies there, whatever the order
/// of ids and dates), so a chunk costs its entries, the candidates of its id span, and the rows
/// of both; when the id span holds many more candidates than entries (a common text beside a
/// sparse range) the chunk's rows are checked by LIKE instead. The chunks come in page order,
/// so the matches of the chunks read are exactly the first of the range: the walk stops after
/// the chunk that fills the page. Several ranges (several statuses or raisers) are each walked
/// to a page and merged. A text with few candidates reads their rows instead (no range).
struct SubjectRangeWalk {
    /// A key value of a range's equality prefix.
    enum Key: Equatable {
        case integer(Int64)
        case text(String)
    }

    /// One index range: the index and its equality prefix (columns before `created_at`).
    struct Range: Equatable {
        let index: String
        let columns: [String]
        let keys: [Key]
    }

    let filter: EmailFilter
    let accountID: Int64
    let cursor: EmailCursor?
    let direction: PageDirection
    let limit: Int
    let span: TimeSpan
    let summaryColumns: String
    /// The samples of the text's trigrams (``SubjectTrigramSample/sampling(_:_:size:)``): each
    /// chunk's id span matches those that pay in it (``spanMatch(entriesPerID:)``).
    let samples: [SubjectTrigramSample]
    /// The store's highest email id (the trigrams' shares are of the ids up to it).
    let highestID: Int64
    /// A row read costs as much as this many entries of a trigram's list in an FTS5 match
    /// (``SubjectSearchLimits/rangeRowPerSpanEntry``).
    let rowPerSpanEntry: Double
    /// The FTS5 query for all the candidates of a rare text (narrower, more trigrams).
    let exactMatch: String
    /// ``exactMatch`` with the search index's key of the page's domain or single raiser
    /// (``SubjectSearchKeys``) when it pays: what reads every candidate when the plan chosen by
    /// ``exactMatch``'s estimate holds them all (only the range's candidates, so fewer rows). Nil: none.
    var keyedExactMatch: String?
    /// The estimated share of the emails that are candidates (per id of a span).
    let share: Double
    let ranges: [Range]
    /// A text with at most this many candidates reads their rows (``SubjectSearchLimits/rowids``).
    let fewCandidates: Int
    /// Entries read in the first chunk; each next chunk doubles, to ``maximumChunk``.
    let firstChunk: Int
    let maximumChunk: Int
    /// A chunk whose id span is estimated to hold more than this many candidates per entry has
    /// its rows checked by LIKE (``SubjectSearchLimits/rangeCandidatesPerEntry``).
    let candidatesPerEntry: Double
    /// A text with at most this many candidates has them held while the ranges are read
    /// (``SubjectSearchLimits/rangeHeldCandidates``).
    var heldCandidates = 0
    /// A row read costs about as much as this many range entries
    /// (``SubjectSearchLimits/domainEntriesPerCandidate``).
    var entriesPerRow = 64.0
    /// The estimated share of the ids that are candidates of ``exactMatch``
    /// (``SubjectTrigramChoice``); 1 when unknown.
    var exactShare = 1.0
    /// Every entry of the ranges within the page's dates, when they are few
    /// (``SubjectSearchLimits/rangeSmall``): their rows are checked and nothing else is read.
    var smallRangeIDs: [Int64]?

    private var older: Bool { direction == .older }

    /// The FTS5 query for the candidates of a chunk's id span (a superset, checked by LIKE) whose
    /// range entries are `entriesPerID` of its ids: the rarest trigram, and each further one whose
    /// list in the span costs less than the candidate rows it is seen to remove, counting only
    /// candidates that are range entries (``SubjectTrigramChoice``). At most
    /// ``EmailQueryPlanner/maximumMatchedTrigrams`` + 1.
    func spanMatch(entriesPerID: Double) -> String {
        SubjectTrigramChoice.match(SubjectTrigramChoice.choose(
            samples, highestID: highestID, rowPerEntry: rowPerSpanEntry, entriesPerID: entriesPerID,
            maximum: EmailQueryPlanner.maximumMatchedTrigrams + 1).trigrams)
    }

    /// Every condition a row of the page meets.
    private func rowConditions() -> (conditions: [String], arguments: StatementArguments) {
        FilterConditions.subjectPageRow(filter: filter, accountID: accountID, span: span, cursor: cursor, older: older)
    }

    /// Whether `a` comes before `b` on the page.
    private func precedes(_ a: (ms: Int64, summary: EmailSummary), _ b: (ms: Int64, summary: EmailSummary)) -> Bool {
        if a.ms != b.ms { return older ? a.ms > b.ms : a.ms < b.ms }
        return older ? a.summary.id > b.summary.id : a.summary.id < b.summary.id
    }

    /// The page in page order (newest first for `.older`, oldest first for `.newer`) with each
    /// row's `created_at` in milliseconds.
    func page(_ db: Database) throws -> [(ms: Int64, summary: EmailSummary)] {
        let (conditions, arguments) = rowConditions()
        let verify = try db.cachedStatement(sql: """
            SELECT \(summaryColumns) FROM emails e NOT INDEXED
            WHERE id IN (SELECT value FROM json_each(?)) AND \(conditions.joined(separator: " AND "))
            """)
        var found: [(ms: Int64, summary: EmailSummary)] = []
        func check(_ ids: [Int64]) throws {
            guard !ids.isEmpty else { return }
            var all: StatementArguments = [StorageEncoding.jsonArray(ids)]
            all += arguments
            let rows = try SummaryRecord.fetchCursor(verify, arguments: all)
            while let record = try rows.next() { found.append((record.createdAtMilliseconds, record.summary)) }
        }
        if let smallRangeIDs {
            try check(smallRangeIDs.sorted())
            return Array(found.sorted(by: precedes).prefix(limit))
        }
        // A text estimated (from its rarest trigram's share) to have far more candidates than
        // ``fewCandidates`` and ``heldCandidates`` is not counted.
        var candidates: [Int64] = []
        // Held candidates pay only when the page's ids could hold more range entries than their
        // rows cost; then they are counted when estimated to be few enough.
        let ids = try spanIDs(db)
        let heldPays = exactShare * Double(highestID) <= Double(heldCandidates) * 2
            && Double(ids.upperBound - ids.lowerBound) > exactShare * Double(highestID) * entriesPerRow
        let counted = heldPays ? max(fewCandidates, heldCandidates) : fewCandidates
        let read = share * Double(highestID) <= Double(fewCandidates) * 16 || heldPays
        if read {
            let few = try RawStatement(db, sql: "SELECT rowid FROM emails_subject_trigram WHERE emails_subject_trigram MATCH ? LIMIT ?")
            // The key narrows only a read of every candidate the text is estimated to have (held):
            // a read that stops at `fewCandidates` for the chunks to take over ends sooner without it.
            few.bind(1, heldPays ? keyedExactMatch ?? exactMatch : exactMatch); few.bind(2, counted + 1)
            while try few.step() { candidates.append(few.int64(0)) }
            few.reset()
        } else {
            candidates = Array(repeating: 0, count: counted + 1)
        }
        func everyCandidate() throws -> [(ms: Int64, summary: EmailSummary)] {
            found = []
            for start in stride(from: 0, to: candidates.count, by: 2_048) {
                try check(Array(candidates[start..<min(start + 2_048, candidates.count)]))
            }
            found.sort(by: precedes)
            return Array(found.prefix(limit))
        }
        // Few candidates: their rows, all of them.
        if candidates.count <= fewCandidates { return try everyCandidate() }
        var merged: [(ms: Int64, summary: EmailSummary)] = []
        if read && heldPays && candidates.count <= heldCandidates {
            // Held: each range's entries in page order, those that are candidates checked, unless
            // the range holds the text too rarely (then every candidate's row).
            let held = candidates.sorted()
            for range in ranges {
                found = []
                guard try heldWalk(db, range, candidates: held, ids: ids, check: check, found: { found.count }) else {
                    return try everyCandidate()
                }
                merged += found.sorted(by: precedes).prefix(limit)
            }
        } else {
            for range in ranges {
                found = []
                try walk(db, range, check: check, found: { found.count })
                merged += found.sorted(by: precedes).prefix(limit)
            }
        }
        merged.sort(by: precedes)
        return Array(merged.prefix(limit))
    }

    /// The statement reading `range`'s entries (their ids) in page order within the span and
    /// past the cursor, bound (reset it after use).
    private func entryStatement(_ db: Database, _ range: Range) throws -> RawStatement {
        var conditions = range.columns.map { "\($0) = ?" }
        conditions += ["created_at >= ?", "created_at < ?"]
        if cursor != nil { conditions += FilterConditions.keysetConditions(older: older) }
        let order = older ? "DESC" : "ASC"
        let entries = try RawStatement(db, sql: """
            SELECT id FROM emails INDEXED BY \(range.index) WHERE \(conditions.joined(separator: " AND "))
            ORDER BY created_at \(order), id \(order)
            """)
        var position: Int32 = 1
        for key in range.keys {
            switch key {
            case .integer(let value): entries.bind(position, value)
            case .text(let value): entries.bind(position, value)
            }
            position += 1
        }
        entries.bind(position, span.start.map { StorageEncoding.milliseconds($0) } ?? Int64.min)
        entries.bind(position + 1, span.end.map { StorageEncoding.milliseconds($0) } ?? Int64.max)
        if let cursor {
            let at = StorageEncoding.milliseconds(cursor.createdAt)
            entries.bind(position + 2, at); entries.bind(position + 3, at); entries.bind(position + 4, cursor.id)
        }
        return entries
    }

    /// Every entry of the ranges within the page's dates and past its cursor, or nil when they
    /// hold more than `maximum` in all (reading stops there).
    func entries(_ db: Database, atMost maximum: Int) throws -> [Int64]? {
        var ids: [Int64] = []
        for range in ranges {
            let entries = try entryStatement(db, range)
            defer { entries.reset() }
            while try entries.step() {
                guard ids.count < maximum else { return nil }
                ids.append(entries.int64(0))
            }
        }
        return ids
    }

    /// The ids the page's entries lie between (estimated: ids mostly follow `created_at`): from
    /// the cursor's, or the last email (first for `.newer`) of the account inside the span, to
    /// the first (last) one inside it; the whole store when the span is open at that end.
    private func spanIDs(_ db: Database) throws -> ClosedRange<Int64> {
        func edge(_ condition: String, _ at: Date, ascending: Bool) throws -> Int64? {
            let order = ascending ? "ASC" : "DESC"
            return try Int64.fetchOne(db.cachedStatement(sql: """
                SELECT id FROM emails INDEXED BY emails_account_created WHERE account_id = ? AND created_at \(condition) ?
                ORDER BY created_at \(order), id \(order) LIMIT 1
                """), arguments: [accountID, StorageEncoding.milliseconds(at)])
        }
        var low: Int64 = 0, high = highestID
        if let start = span.start { low = try edge(">=", start, ascending: true) ?? highestID }
        if let end = span.end { high = try edge("<", end, ascending: false) ?? 0 }
        if let cursor {
            if older { high = min(high, cursor.id) } else { low = max(low, cursor.id) }
        }
        return min(low, high)...max(low, high)
    }

    /// Reads `range`'s entries in page order and checks the rows of those in `candidates` (all
    /// the text's candidates, ascending) until `found()` reaches the page or the range ends:
    /// exact whatever the order of ids, since the entries come in the page's order. Returns false
    /// (having stopped) once the entries still to read, projected from the matches found so far
    /// (the page's missing matches × entries read per match found, plus one), would cost more than
    /// reading every candidate's row (``entriesPerRow`` entries a row): a text that the range
    /// hardly holds ("Kingfisher", 2,169 emails, 20 of them in gmail.com's 1.7 million).
    private func heldWalk(_ db: Database, _ range: Range, candidates: [Int64], ids: ClosedRange<Int64>,
                          check: ([Int64]) throws -> Void, found: () -> Int) throws -> Bool {
        let entries = try entryStatement(db, range)
        defer { entries.reset() }
        var pending: [Int64] = []
        var read = 0
        let rows = Double(candidates.count) * entriesPerRow
        let every = max(1, min(256, firstChunk))
        var first: Int64?, last: Int64 = 0
        while found() < limit {
            if read % every == 0 && read >= firstChunk, let first {
                if !pending.isEmpty { try check(pending); pending = [] }
                let matches = found()
                if matches >= limit { break }
                // The entries left: projected from the matches found, at most the range's density so far
                // over the ids left to the span's end.
                let projected = Double(limit - matches) * Double(read) / Double(matches + 1)
                let left = Double(read) / Double(max(1, abs(first - last)))
                    * Double(max(0, older ? last - ids.lowerBound : ids.upperBound - last))
                if min(projected, left) > rows { return false }
            }
            guard try entries.step() else { break }
            read += 1
            let id = entries.int64(0)
            if first == nil { first = id }
            last = id
            guard candidates.sortedContains(id) else { continue }
            // Rows are checked a few at a time: most candidates in the range are matches.
            pending.append(id)
            if pending.count >= limit - found() {
                try check(pending)
                pending = []
            }
        }
        if !pending.isEmpty { try check(pending) }
        return true
    }

    /// Walks `range` chunk by chunk in page order, checking each chunk's rows that are
    /// candidates (`check` adds the matches), until `found()` reaches the page or the range ends.
    private func walk(_ db: Database, _ range: Range, check: ([Int64]) throws -> Void, found: () -> Int) throws {
        let entries = try entryStatement(db, range)
        defer { entries.reset() }
        let spanned = try RawStatement(db, sql: """
            SELECT rowid FROM emails_subject_trigram WHERE emails_subject_trigram MATCH ? AND rowid >= ? AND rowid <= ?
            ORDER BY rowid
            """)
        var size = max(1, firstChunk)
        var ended = false
        while !ended && found() < limit {
            var ids: [Int64] = []
            ids.reserveCapacity(size)
            var lowest = Int64.max, highest = Int64.min
            while ids.count < size {
                guard try entries.step() else { ended = true; break }
                let id = entries.int64(0)
                ids.append(id)
                lowest = min(lowest, id); highest = max(highest, id)
            }
            size = min(size * 2, max(firstChunk, maximumChunk))
            guard !ids.isEmpty else { break }
            if Double(highest - lowest + 1) * share > Double(ids.count) * candidatesPerEntry {
                // Far more candidates than entries: the rows by LIKE.
                try check(ids.sorted())
                continue
            }
            spanned.bind(1, spanMatch(entriesPerID: Double(ids.count) / Double(highest - lowest + 1)))
            spanned.bind(2, lowest); spanned.bind(3, highest)
            var candidates: [Int64] = []
            while try spanned.step() { candidates.append(spanned.int64(0)) }
            spanned.reset()
            guard !candidates.isEmpty else { continue }
            var both: [Int64] = []
            for id in ids where candidates.sortedContains(id) {
                both.append(id)
            }
            try check(both.sorted())
        }
    }
}

extension EmailQueryPlanner {
    /// At most this many index ranges (status and raiser values) are walked for one page.
    static let maximumWalkedRanges = 8

    /// The walk of the other condition's index range (``SubjectRangeWalk``) for a page of
    /// `filter`, or nil when another plan answers it: no account, no status, raiser or To
    /// `*@domain` (Subject alone has ``SubjectWalk``), another To pattern, more than
    /// ``maximumWalkedRanges`` ranges, or a text too short for the index.
    static func subjectRangeWalk(_ db: Database, filter: EmailFilter, cursor: EmailCursor?, direction: PageDirection,
                                 limit: Int, span: TimeSpan, summaryColumns: String,
                                 limits: SubjectSearchLimits) throws -> SubjectRangeWalk? {
        guard limits.rangeWalk, let subject = filter.subject, SearchText.trigramUsable(subject),
              let accountID = filter.accountID else { return nil }
        var ranges: [SubjectRangeWalk.Range] = []
        let statuses = filter.statuses.sorted(), raisers = filter.raisedBy.sorted()
        switch filter.to {
        case .domain(let domain)?:
            ranges = [.init(index: "emails_account_domain_created", columns: ["account_id", "to_domain"],
                            keys: [.integer(accountID), .text(domain.lowercased())])]
        case nil:
            if !raisers.isEmpty && !statuses.isEmpty && raisers.count * statuses.count <= maximumWalkedRanges {
                for raiser in raisers {
                    for status in statuses {
                        ranges.append(.init(index: "emails_raised_status_created", columns: ["raised_by_id", "status"],
                                            keys: [.integer(raiser), .integer(Int64(status.code))]))
                    }
                }
            } else if !raisers.isEmpty {
                ranges = raisers.map { .init(index: "emails_raised_created", columns: ["raised_by_id"], keys: [.integer($0)]) }
            } else {
                ranges = statuses.map {
                    .init(index: "emails_account_status_created", columns: ["account_id", "status"],
                          keys: [.integer(accountID), .integer(Int64($0.code))])
                }
            }
        default:
            return nil
        }
        guard !ranges.isEmpty, ranges.count <= maximumWalkedRanges else { return nil }
        let highestID = try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(id) FROM emails")) ?? 0
        // Few entries in the ranges: their rows, with no read of the subject index.
        var small = SubjectRangeWalk(filter: filter, accountID: accountID, cursor: cursor, direction: direction, limit: limit,
                                     span: span, summaryColumns: summaryColumns, samples: [], highestID: highestID,
                                     rowPerSpanEntry: 0, exactMatch: "", keyedExactMatch: nil, share: 0, ranges: ranges, fewCandidates: 0,
                                     firstChunk: 1, maximumChunk: 1, candidatesPerEntry: 0)
        if let ids = try small.entries(db, atMost: max(0, limits.rangeSmall)) {
            small.smallRangeIDs = ids
            return small
        }
        // The search index's keys of the page's domain and single raiser (schema version 16).
        var keys: [String] = []
        if case .domain(let domain)? = filter.to { keys.append(SubjectSearchKeys.domain(domain.lowercased())) }
        if raisers.count == 1 { keys.append(SubjectSearchKeys.raiser(raisers[0])) }
        if !limits.rangeKeys { keys = [] }
        guard let (samples, exact, keyed, share, exactShare) = try rangeWalkMatch(db, subject, keys: keys, highestID: highestID,
                                                                exactEntries: limits.rangeExactEntries,
                                                                rowPerEntry: max(0, limits.rangeRowPerSpanEntry)) else { return nil }
        return SubjectRangeWalk(filter: filter, accountID: accountID, cursor: cursor, direction: direction, limit: limit,
                                span: span, summaryColumns: summaryColumns, samples: samples, highestID: highestID,
                                rowPerSpanEntry: max(0, limits.rangeRowPerSpanEntry), exactMatch: exact, keyedExactMatch: keyed,
                                share: share, ranges: ranges,
                                fewCandidates: max(0, limits.rowids), firstChunk: max(1, limits.rangeChunk),
                                maximumChunk: max(1, limits.rangeChunkMaximum),
                                candidatesPerEntry: limits.rangeCandidatesPerEntry,
                                heldCandidates: max(0, limits.rangeHeldCandidates),
                                entriesPerRow: Double(max(0, limits.domainEntriesPerCandidate)), exactShare: exactShare)
    }

    /// The samples of the text's trigrams for ``SubjectRangeWalk``'s chunks, the FTS5 query for
    /// reading every candidate of a rare text, and the share of the emails the text's rarest
    /// trigram is estimated to hold (``SubjectTrigramSample/storeShare(highestID:)``).
    /// `exact`: the trigrams ``SubjectTrigramChoice`` takes when every candidate's row is read
    /// (one entry per id), up to ``walkedTrigrams`` whose lists' estimated entries add up to at
    /// most `exactEntries` after the rarest (``SubjectSearchLimits/rangeExactEntries``). Nil when
    /// the text is too short for the index. `exactShare`: the chooser's estimated share of the ids
    /// that `exact` matches.
    ///
    /// `keys` (``SubjectSearchKeys`` of the page's domain or single raiser) are sampled too:
    /// `keyed` is `exact` with those the chooser takes beside its trigrams, nil when it takes none.
    /// It replaces `exact` only where every candidate is read, never in the plan's choice (made
    /// on `exactShare`, the text's) nor in the chunks' matches (a chunk's candidates are checked
    /// against the range's own entries): a common text beside one raiser has few candidates with
    /// the key, but its page is found sooner in the first chunks. A key in no email is the whole
    /// match (nothing has it).
    static func rangeWalkMatch(_ db: Database, _ text: String, keys: [String] = [], highestID: Int64, exactEntries: Int,
                               rowPerEntry: Double) throws
        -> (samples: [SubjectTrigramSample], exact: String, keyed: String?, share: Double, exactShare: Double)? {
        guard let samples = try SubjectTrigramSample.sampling(db, text, size: densitySample), !samples.isEmpty else { return nil }
        if let empty = samples.last, empty.count == 0 { return ([empty], SearchText.ftsPhrase(empty.text), nil, 0, 0) }
        let keySamples = try SubjectTrigramSample.sampling(db, keys: keys, size: densitySample)
        if let empty = keySamples.first(where: { $0.count == 0 }) { return ([empty], SearchText.ftsPhrase(empty.text), nil, 0, 0) }
        let rarest = SubjectTrigramSample.rarestFirst(samples) { $0.storeShare(highestID: highestID) }[0]
        let exact = SubjectTrigramChoice.choose(samples, highestID: highestID, rowPerEntry: rowPerEntry,
                                                entriesPerID: 1, maximum: walkedTrigrams, entryBudget: Double(exactEntries))
        let keyed = SubjectTrigramChoice.choose(samples, keys: keySamples, highestID: highestID, rowPerEntry: rowPerEntry,
                                                entriesPerID: 1, maximum: walkedTrigrams, entryBudget: Double(exactEntries))
        let keyedMatch = keyed.trigrams.count > exact.trigrams.count ? SubjectTrigramChoice.match(keyed.trigrams) : nil
        return (samples, SubjectTrigramChoice.match(exact.trigrams), keyedMatch, rarest.measure, exact.share)
    }
}
