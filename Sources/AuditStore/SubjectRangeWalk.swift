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
    /// The text's trigrams the chunks' id spans may match, as FTS5 phrases: the rarest first,
    /// then those that do not overlap it, then the rest, each with its estimated share of the
    /// emails. Each chunk takes those that pay in its span (``spanMatch(entriesPerID:)``).
    let spanTrigrams: [(phrase: String, offset: Int, share: Double)]
    /// A row read costs as much as this many entries of a trigram's list in an FTS5 match
    /// (``SubjectSearchLimits/rangeRowPerSpanEntry``).
    let rowPerSpanEntry: Double
    /// The FTS5 query for all the candidates of a rare text (narrower, more trigrams).
    let exactMatch: String
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

    private var older: Bool { direction == .older }

    /// The FTS5 query for the candidates of a chunk's id span (a superset, checked by LIKE) whose
    /// range entries are `entriesPerID` of its ids. A trigram costs its list in the span and
    /// removes candidates whose rows would be read when they are also range entries, so it is
    /// taken when its share is below ``rowPerSpanEntry`` × the candidates' estimated share ×
    /// `entriesPerID` (a trigram overlapping one taken is assumed to narrow nothing). At most
    /// ``EmailQueryPlanner/maximumMatchedTrigrams`` + 1.
    func spanMatch(entriesPerID: Double) -> String {
        guard let rarest = spanTrigrams.first else { return "" }
        var chosen = [rarest]
        var candidates = rarest.share
        for trigram in spanTrigrams.dropFirst() where chosen.count <= EmailQueryPlanner.maximumMatchedTrigrams {
            guard trigram.share < rowPerSpanEntry * candidates * entriesPerID else { continue }
            if chosen.allSatisfy({ abs($0.offset - trigram.offset) >= 3 }) { candidates *= trigram.share }
            chosen.append(trigram)
        }
        return chosen.sorted { $0.offset < $1.offset }.map(\.phrase).joined(separator: " AND ")
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
        // A text estimated (from its rarest trigram's share) to have far more candidates than
        // ``fewCandidates`` is not counted.
        let highestID = try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(id) FROM emails")) ?? 0
        var candidates: [Int64] = []
        if share * Double(highestID) <= Double(fewCandidates) * 16 {
            let few = try RawStatement(db, sql: "SELECT rowid FROM emails_subject_trigram WHERE emails_subject_trigram MATCH ? LIMIT ?")
            few.bind(1, exactMatch); few.bind(2, fewCandidates + 1)
            while try few.step() { candidates.append(few.int64(0)) }
            few.reset()
        } else {
            candidates = Array(repeating: 0, count: fewCandidates + 1)
        }
        if candidates.count <= fewCandidates {
            // Few candidates: their rows, all of them.
            for start in stride(from: 0, to: candidates.count, by: 2_048) {
                try check(Array(candidates[start..<min(start + 2_048, candidates.count)]))
            }
            found.sort(by: precedes)
            return Array(found.prefix(limit))
        }
        var merged: [(ms: Int64, summary: EmailSummary)] = []
        for range in ranges {
            found = []
            try walk(db, range, check: check, found: { found.count })
            merged += found.sorted(by: precedes).prefix(limit)
        }
        merged.sort(by: precedes)
        return Array(merged.prefix(limit))
    }

    /// Walks `range` chunk by chunk in page order, checking each chunk's rows that are
    /// candidates (`check` adds the matches), until `found()` reaches the page or the range ends.
    private func walk(_ db: Database, _ range: Range, check: ([Int64]) throws -> Void, found: () -> Int) throws {
        var conditions = range.columns.map { "\($0) = ?" }
        conditions += ["created_at >= ?", "created_at < ?"]
        if cursor != nil { conditions += FilterConditions.keysetConditions(older: older) }
        let order = older ? "DESC" : "ASC"
        let entries = try RawStatement(db, sql: """
            SELECT id FROM emails INDEXED BY \(range.index) WHERE \(conditions.joined(separator: " AND "))
            ORDER BY created_at \(order), id \(order)
            """)
        defer { entries.reset() }
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
            for id in ids {
                var low = 0, high = candidates.count
                while low < high {
                    let middle = (low + high) / 2
                    if candidates[middle] < id { low = middle + 1 } else { high = middle }
                }
                if low < candidates.count && candidates[low] == id { both.append(id) }
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
    /// ``maximumWalkedRanges`` ranges, a text too short for the index, or a store smaller than
    /// ``SubjectSearchLimits/rangeWalkFromEmails``.
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
        let highestID = try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(id) FROM emails")) ?? 0
        guard highestID >= limits.rangeWalkFromEmails, !ranges.isEmpty, ranges.count <= maximumWalkedRanges,
              let (spans, exact, share) = try rangeWalkMatch(db, subject, highestID: highestID,
                                                                  exactEntries: limits.rangeExactEntries) else { return nil }
        return SubjectRangeWalk(filter: filter, accountID: accountID, cursor: cursor, direction: direction, limit: limit,
                                span: span, summaryColumns: summaryColumns, spanTrigrams: spans,
                                rowPerSpanEntry: max(0, limits.rangeRowPerSpanEntry), exactMatch: exact, share: share, ranges: ranges,
                                fewCandidates: max(0, limits.rowids), firstChunk: max(1, limits.rangeChunk),
                                maximumChunk: max(1, limits.rangeChunkMaximum),
                                candidatesPerEntry: limits.rangeCandidatesPerEntry)
    }

    /// The trigrams for ``SubjectRangeWalk``'s chunks, the FTS5 query for reading every
    /// candidate of a rare text, and the share of the emails the text's rarest trigram is
    /// estimated to hold (from the id span of its first ``densitySample`` entries). Only trigrams
    /// at most 16 times as common as the rarest are used. `spans`: the rarest, those that do not
    /// overlap it (nor each other) rarest first, then the others, up to ``walkedTrigrams``
    /// (each chunk takes those that pay, ``SubjectRangeWalk/spanMatch(entriesPerID:)``).
    /// `exact`: the rarest first, any of them (not only those up to 16 times the rarest), up to
    /// ``walkedTrigrams`` while their lists' estimated entries add up to at most `exactEntries`
    /// (``SubjectSearchLimits/rangeExactEntries``). Nil when the text is too short for the index.
    static func rangeWalkMatch(_ db: Database, _ text: String, highestID: Int64, exactEntries: Int) throws
        -> (spans: [(phrase: String, offset: Int, share: Double)], exact: String, share: Double)? {
        guard let samples = try SubjectTrigramSample.sampling(db, text, size: densitySample) else { return nil }
        if let empty = samples.last, empty.count == 0 {
            return ([(SearchText.ftsPhrase(empty.text), empty.offset, 0)], SearchText.ftsPhrase(empty.text), 0)
        }
        let measured = SubjectTrigramSample.rarestFirst(samples) { $0.share }
        guard let rarest = measured.first else { return nil }
        let usable = measured.filter { $0.sample.complete == rarest.sample.complete && $0.measure <= rarest.measure * 16 }
        var spans = [usable[0]]
        for candidate in usable.dropFirst() where spans.allSatisfy({ abs($0.sample.offset - candidate.sample.offset) >= 3 }) {
            spans.append(candidate)
        }
        for candidate in usable.dropFirst() where !spans.contains(where: { $0.sample.offset == candidate.sample.offset }) {
            spans.append(candidate)
        }
        // Rarest first, overlapping or not, while their lists' estimated entries fit the budget.
        var exactTrigrams: [SubjectTrigramSample] = [], entries = 0.0
        for candidate in measured.map(\.sample) where exactTrigrams.count < walkedTrigrams {
            entries += candidate.estimatedEntries(highestID: highestID)
            if !exactTrigrams.isEmpty && entries > Double(exactEntries) { break }
            exactTrigrams.append(candidate)
        }
        let exact = exactTrigrams.sorted { $0.offset < $1.offset }.map { SearchText.ftsPhrase($0.text) }.joined(separator: " AND ")
        return (spans.prefix(walkedTrigrams).map { (SearchText.ftsPhrase($0.sample.text), $0.sample.offset, $0.measure) },
                exact, rarest.measure)
    }

}
