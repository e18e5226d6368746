import AuditCore
import Foundation
import GRDB

/// A page of a Subject search found by walking the subject trigram index in id order from the
/// page's edge (newest first for `.older`), a chunk of candidates at a time, each chunk checked
/// by rowid reads (LIKE and the rest of the filter), until the page is full or the candidates
/// run out.
///
/// Ids mostly follow `created_at`, but nothing promises it (an import, a clock change), so a
/// walk that stops early is made exact by one more query. Usually that is the late emails past
/// the walked ids (`emails_late`, schema version 15: emails dated before an email with a lower
/// id), checked in full: enough when the page's pivot row (its last row, or for `.newer` its
/// start) is not late itself and the cursor's email still holds the cursor's time. Otherwise the
/// emails of the page's time window (from its edge to its last row's `created_at`, read on
/// `emails_account_created`, whose entries hold the id) whose ids lie outside the walked id
/// range are checked in full. The window holds as many emails as the page spans, so when that
/// is many (a rare text) the walk instead reads every remaining candidate, which is then few;
/// before a window wider than that is checked, the remaining candidates are read by a narrower
/// match (more of the text's trigrams) and, when few enough, their rows are checked instead
/// (``narrowRest(_:window:bound:)``).
struct SubjectWalk {
    let filter: EmailFilter
    let accountID: Int64
    let cursor: EmailCursor?
    let direction: PageDirection
    let limit: Int
    let span: TimeSpan
    let summaryColumns: String
    /// The FTS5 query for the text's candidates (a superset, checked by LIKE).
    let match: String
    /// Candidates read per chunk of the walk (``SubjectSearchLimits/walkChunk``).
    let chunk: Int
    /// A walk that stops early with a window of more emails than this (estimated from the ids
    /// it spans) reads the remaining candidates instead (``SubjectSearchLimits/walkWindow``).
    let maximumWindow: Int64
    /// A wider window is still checked when it holds at most this many emails per remaining
    /// candidate (``SubjectSearchLimits/walkWindowPerCandidate``).
    var windowPerCandidate = 0.0
    /// With a big To `*@domain`, a text with at most this many candidates has them all read at
    /// once (``SubjectSearchLimits/domainCandidates``).
    var domainCandidates = 0
    /// See ``SubjectSearchLimits/domainEntriesPerCandidate``.
    var domainEntriesPerCandidate = 0
    /// See ``SubjectSearchLimits/sample``.
    var sample = 0
    /// See ``SubjectSearchLimits/domainCommonInSample``.
    var domainCommonInSample = Int.max
    /// The samples of the text's trigrams for the narrower match of the candidates left past a
    /// wide window (``SubjectSearchLimits/walkNarrowEntriesPerWindowEmail``; empty: none), the
    /// store's highest id, and what a candidate row costs in list entries
    /// (``SubjectSearchLimits/rangeRowPerSpanEntry``).
    var narrowSamples: [SubjectTrigramSample] = []
    var highestID: Int64 = 0
    var rowPerEntry = 0.0
    var narrowEntriesPerWindowEmail = 0.0
    /// Whether a walk that fills its page early may check only the late emails past its ids
    /// (``SubjectSearchLimits/walkLateRegistry``).
    var lateRegistry = true

    private var older: Bool { direction == .older }

    /// Every condition a row of the page meets, the id range aside.
    private func rowConditions() -> (conditions: [String], arguments: StatementArguments) {
        FilterConditions.subjectPageRow(filter: filter, accountID: accountID, span: span, cursor: cursor, older: older)
    }

    /// The id the walk starts from: the cursor's, else the first email inside the span's edge
    /// in date order (nil: the span holds no email of the account).
    private func startID(_ db: Database) throws -> Int64? {
        if let cursor { return cursor.id }
        var conditions = ["account_id = ?"], arguments: StatementArguments = [accountID]
        FilterConditions.createdAt(span, &conditions, &arguments)
        let order = older ? "DESC" : "ASC"
        return try Int64.fetchOne(db.cachedStatement(sql: """
            SELECT id FROM emails INDEXED BY emails_account_created WHERE \(conditions.joined(separator: " AND "))
            ORDER BY created_at \(order), id \(order) LIMIT 1
            """), arguments: arguments)
    }

    /// The page: ``domainRows(_:domain:)`` for a To `*@domain`, else ``rows(_:)``.
    func page(_ db: Database) throws -> [(ms: Int64, summary: EmailSummary)] {
        if case .domain(let domain)? = filter.to { return try domainRows(db, domain: domain.lowercased()) }
        return try rows(db)
    }

    /// The page (newest first when `.older`, oldest first when `.newer`, as the caller sorts)
    /// with each row's `created_at` in milliseconds.
    func rows(_ db: Database) throws -> [(ms: Int64, summary: EmailSummary)] {
        guard let start = try startID(db) else { return [] }
        let (conditions, arguments) = rowConditions()
        let verify = try db.cachedStatement(sql: """
            SELECT \(summaryColumns) FROM emails e NOT INDEXED
            WHERE id IN (SELECT value FROM json_each(?)) AND \(conditions.joined(separator: " AND "))
            """)
        let next = try db.cachedStatement(sql: older
            ? "SELECT rowid FROM emails_subject_trigram WHERE emails_subject_trigram MATCH ? AND rowid < ? ORDER BY rowid DESC LIMIT ?"
            : "SELECT rowid FROM emails_subject_trigram WHERE emails_subject_trigram MATCH ? AND rowid > ? ORDER BY rowid ASC LIMIT ?")
        var found: [(ms: Int64, summary: EmailSummary)] = []
        func check(_ statement: Statement, _ extra: StatementArguments) throws {
            var all = extra
            all += arguments
            let cursor = try SummaryRecord.fetchCursor(statement, arguments: all)
            while let record = try cursor.next() { found.append((record.createdAtMilliseconds, record.summary)) }
        }
        func sortFound() {
            found.sort { a, b in
                if a.ms != b.ms { return older ? a.ms > b.ms : a.ms < b.ms }
                return older ? a.summary.id > b.summary.id : a.summary.id < b.summary.id
            }
        }
        // The walk: ids from `start` (included) away from the page's edge.
        var bound = older ? start + 1 : start - 1
        var exhausted = false
        var walked = 0
        while true {
            let ids = try Int64.fetchAll(next, arguments: [match, bound, chunk])
            if !ids.isEmpty {
                try check(verify, [StorageEncoding.jsonArray(ids)])
                bound = ids.last!
                walked += ids.count
            }
            if ids.count < chunk { exhausted = true; break }
            if found.count >= limit { break }
        }
        // The candidates on the other side of `start` (ids out of date order; usually none).
        let beyond = try db.cachedStatement(sql: """
            SELECT \(summaryColumns) FROM emails e NOT INDEXED
            WHERE id IN (SELECT rowid FROM emails_subject_trigram WHERE emails_subject_trigram MATCH ? AND rowid \(older ? ">" : "<") ?)
            AND \(conditions.joined(separator: " AND "))
            """)
        sortFound()
        // The window's emails, estimated from the ids it spans (the page's last row to `start`).
        // A wide window still pays when many candidates remain (their ids as dense as the walked ones').
        func windowPays() throws -> Bool {
            let window = abs(start - found[limit - 1].summary.id)
            if window <= maximumWindow { return true }
            guard windowPerCandidate > 0 else { return false }
            let unwalked = older ? bound : (try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(id) FROM emails")) ?? bound) - bound
            let remaining = Double(walked) / Double(max(1, abs(start - bound))) * Double(max(0, unwalked))
            return Double(window) <= remaining * windowPerCandidate
        }
        if !exhausted && found.count >= limit, lateRegistry,
           try lateEmailsSuffice(db, start: start, pageLast: found[limit - 1].summary.id) {
            // Stopped early, with no email out of date order at the page's pivot: the late emails
            // past the walked ids (above `start` for `.older`, above `bound` for `.newer`) are the
            // only ones the walk can have missed.
            let late = try db.cachedStatement(sql: """
                SELECT \(summaryColumns) FROM emails e NOT INDEXED
                WHERE id IN (SELECT id FROM emails_late WHERE account_id = ? AND id > ?)
                AND \(conditions.joined(separator: " AND "))
                """)
            try check(late, [accountID, older ? start : bound])
        } else if !exhausted && found.count >= limit, let narrowed = try narrowRest(db, window: abs(start - found[limit - 1].summary.id),
                                                                                bound: bound) {
            for first in stride(from: 0, to: narrowed.count, by: 2_048) {
                try check(verify, [StorageEncoding.jsonArray(Array(narrowed[first..<min(first + 2_048, narrowed.count)]))])
            }
            try check(beyond, [match, start])
        } else if try exhausted || found.count < limit || !windowPays() {
            if !exhausted {
                // A rare text: read the rest of the candidates rather than a long window.
                let rest = try db.cachedStatement(sql: """
                    SELECT \(summaryColumns) FROM emails e NOT INDEXED
                    WHERE id IN (SELECT rowid FROM emails_subject_trigram WHERE emails_subject_trigram MATCH ? AND rowid \(older ? "<" : ">") ?)
                    AND \(conditions.joined(separator: " AND "))
                    """)
                try check(rest, [match, bound])
            }
            try check(beyond, [match, start])
        } else {
            // Stopped early: the page's window, checked for emails outside the walked ids.
            let edge = found[limit - 1].ms
            let window = try db.cachedStatement(sql: """
                SELECT \(summaryColumns) FROM emails e INDEXED BY emails_account_created
                WHERE created_at \(older ? ">=" : "<=") ? AND (id \(older ? "<" : ">") ? OR id \(older ? ">" : "<") ?)
                AND \(conditions.joined(separator: " AND "))
                """)
            try check(window, [edge, bound, start])
        }
        sortFound()
        return Array(found.prefix(limit))
    }

    /// Whether the late emails past the walked ids are all a page that stopped early can have
    /// missed: the pivot (for `.older` the page's last row `pageLast`, for `.newer` the walk's
    /// `start`) is not late, and a cursor's email still exists with the cursor's time.
    ///
    /// Why (`.older`; `.newer` is its mirror): an unwalked email with a lower id than the walk
    /// reached that belongs on the page is dated after the page's last row, which has the
    /// higher id, so that row is late; one with a higher id than `start` is dated before the
    /// email at `start` (the cursor's, or the span's newest), so it is late itself, as long as the
    /// email at `start` existed when it was recorded, which a cursor's email that still exists
    /// with the same time shows (ids only grow).
    func lateEmailsSuffice(_ db: Database, start: Int64, pageLast: Int64) throws -> Bool {
        if let cursor {
            let holds = try Bool.fetchOne(db.cachedStatement(sql: """
                SELECT EXISTS (SELECT 1 FROM emails WHERE id = ? AND account_id = ? AND created_at = ?)
                """), arguments: [cursor.id, accountID, StorageEncoding.milliseconds(cursor.createdAt)]) ?? false
            if !holds { return false }
        }
        let isLate = try Bool.fetchOne(db.cachedStatement(sql: """
            SELECT EXISTS (SELECT 1 FROM emails_late WHERE account_id = ? AND id = ?)
            """), arguments: [accountID, older ? pageLast : start]) ?? true
        return !isLate
    }

    /// The candidates below `bound` (`.older`) or above it (`.newer`) by the narrower match, when a
    /// window of `window` emails is wider than ``maximumWindow`` and they number at most one per
    /// ``windowPerCandidate`` emails of it; nil otherwise (the window or the rest is read as before).
    /// The match takes the text's rarest trigram and those that pay (``SubjectTrigramChoice``, every
    /// candidate's row read) while their lists hold at most ``narrowEntriesPerWindowEmail``
    /// entries per window email.
    func narrowRest(_ db: Database, window: Int64, bound: Int64) throws -> [Int64]? {
        guard window > maximumWindow, windowPerCandidate > 0, narrowEntriesPerWindowEmail > 0, !narrowSamples.isEmpty else { return nil }
        let budget = Double(window) * narrowEntriesPerWindowEmail
        let chosen = SubjectTrigramChoice.choose(narrowSamples, highestID: highestID, rowPerEntry: rowPerEntry, entriesPerID: 1,
                                                 maximum: EmailQueryPlanner.walkedTrigrams, entryBudget: budget)
        let phrases = chosen.trigrams.map { SearchText.ftsPhrase($0.text) }
        let most = Int(min(Double(Int32.max), Double(window) / windowPerCandidate))
        let ids = try Int64.fetchAll(db.cachedStatement(sql: """
            SELECT rowid FROM emails_subject_trigram WHERE emails_subject_trigram MATCH ? AND rowid \(older ? "<" : ">") ?
            ORDER BY rowid \(older ? "DESC" : "ASC") LIMIT ?
            """), arguments: [phrases.joined(separator: " AND "), bound, most + 1])
        return ids.count <= most ? ids : nil
    }

    /// The page of a Subject + To `*@domain` filter (`.older` only), newest first. A text with
    /// at most ``SubjectSearchLimits/domainCandidates`` candidates: ``heldCandidateRows(_:domain:candidates:)``.
    /// Otherwise (or when common among the newest subjects, ``SubjectSearchLimits/domainCommonInSample``) the subject index is walked in chunks beside the domain's entries of the same
    /// time span on `emails_account_domain_created` (index only, their ids), and only rows in
    /// both are read, so a text common in the store and rare in the domain costs index entries,
    /// not rows. The ids are held in sorted arrays (the candidates come newest id first) and
    /// matched by binary search. Exact as the plain walk is: the domain's entries of the whole
    /// page window are held (`seen`), and any that is a candidate not yet checked (its id out of
    /// date order) or lies outside the walked ids is checked by its row at the end (below the
    /// walked times, only such entries are read).
    func domainRows(_ db: Database, domain: String) throws -> [(ms: Int64, summary: EmailSummary)] {
        let inSample = try Int.fetchOne(db.cachedStatement(sql: """
            SELECT count(*) FROM (SELECT subject FROM emails INDEXED BY emails_account_created WHERE account_id = ?3
            ORDER BY created_at DESC LIMIT ?2) WHERE subject LIKE ?1 ESCAPE '\\'
            """), arguments: [SearchText.likePattern(containing: filter.subject ?? ""), sample, accountID]) ?? 0
        if inSample >= domainCommonInSample { return try walkedDomainRows(db, domain: domain) }
        let all = try RawStatement(db, sql: """
            SELECT rowid FROM emails_subject_trigram WHERE emails_subject_trigram MATCH ? LIMIT ?
            """)
        all.bind(1, match); all.bind(2, domainCandidates + 1)
        var held: [Int64] = []
        while try all.step() { held.append(all.int64(0)) }
        all.reset()
        if held.count <= domainCandidates { return try heldCandidateRows(db, domain: domain, candidates: held) }
        return try walkedDomainRows(db, domain: domain)
    }

    /// The page from every candidate of the text (`candidates`, all of them): the domain's
    /// entries are read newest first in page order (created_at, then id, descending), and each
    /// that is a candidate is checked by its row, until a page is found; exact whatever the ids'
    /// order, since the entries come in the page's own order. A domain that holds the text
    /// rarely would be read whole, so after ``domainEntriesPerCandidate`` entries per candidate
    /// every candidate's row is checked instead (the rows, sorted, are the page).
    func heldCandidateRows(_ db: Database, domain: String, candidates unsorted: [Int64]) throws -> [(ms: Int64, summary: EmailSummary)] {
        guard !unsorted.isEmpty else { return [] }
        let candidates = unsorted.sorted()
        let (conditions, arguments) = rowConditions()
        var found: [(ms: Int64, summary: EmailSummary)] = []
        func check(_ ids: [Int64]) throws {
            let verify = try db.cachedStatement(sql: """
                SELECT \(summaryColumns) FROM emails e NOT INDEXED
                WHERE id IN (SELECT value FROM json_each(?)) AND \(conditions.joined(separator: " AND "))
                """)
            var all: StatementArguments = [StorageEncoding.jsonArray(ids)]
            all += arguments
            let cursor = try SummaryRecord.fetchCursor(verify, arguments: all)
            while let record = try cursor.next() { found.append((record.createdAtMilliseconds, record.summary)) }
        }
        let high: Int64 = cursor.map { StorageEncoding.milliseconds($0.createdAt) + 1 }
            ?? span.end.map { StorageEncoding.milliseconds($0) } ?? Int64.max
        let floor = span.start.map { StorageEncoding.milliseconds($0) } ?? Int64.min
        let entries = try RawStatement(db, sql: """
            SELECT id FROM emails INDEXED BY emails_account_domain_created
            WHERE account_id = ? AND to_domain = ? AND created_at >= ? AND created_at < ?
            ORDER BY created_at DESC, id DESC
            """)
        entries.bind(1, accountID); entries.bind(2, domain); entries.bind(3, floor); entries.bind(4, high)
        defer { entries.reset() }
        var budget = candidates.count.multipliedReportingOverflow(by: domainEntriesPerCandidate).partialValue
        if budget < 0 { budget = Int.max }
        var pending: [Int64] = []
        while found.count < limit {
            guard budget > 0 else {
                // The domain is large beside the candidates: check them all.
                entries.reset()
                found = []
                for start in stride(from: 0, to: candidates.count, by: 2_048) {
                    try check(Array(candidates[start..<min(start + 2_048, candidates.count)]))
                }
                found.sort { a, b in a.ms != b.ms ? a.ms > b.ms : a.summary.id > b.summary.id }
                return Array(found.prefix(limit))
            }
            budget -= 1
            guard try entries.step() else { break }
            let id = entries.int64(0)
            guard candidates.sortedContains(id) else { continue }
            // Rows are checked a few at a time: most candidates in the domain are matches.
            pending.append(id)
            if pending.count >= limit - found.count {
                try check(pending)
                pending = []
            }
        }
        entries.reset()
        if !pending.isEmpty { try check(pending) }
        found.sort { a, b in a.ms != b.ms ? a.ms > b.ms : a.summary.id > b.summary.id }
        return Array(found.prefix(limit))
    }

    /// The chunked walk of ``domainRows(_:domain:)`` for a text with many candidates.
    func walkedDomainRows(_ db: Database, domain: String) throws -> [(ms: Int64, summary: EmailSummary)] {
        guard let start = try startID(db) else { return [] }
        let (conditions, arguments) = rowConditions()
        let verify = try db.cachedStatement(sql: """
            SELECT \(summaryColumns) FROM emails e NOT INDEXED
            WHERE id IN (SELECT value FROM json_each(?)) AND \(conditions.joined(separator: " AND "))
            """)
        let next = try RawStatement(db, sql: """
            SELECT rowid FROM emails_subject_trigram WHERE emails_subject_trigram MATCH ? AND rowid < ? ORDER BY rowid DESC LIMIT ?
            """)
        let createdAt = try db.cachedStatement(sql: "SELECT created_at FROM emails WHERE id = ?")
        let entries = try RawStatement(db, sql: """
            SELECT id FROM emails INDEXED BY emails_account_domain_created
            WHERE account_id = ? AND to_domain = ? AND created_at >= ? AND created_at < ?
            """)
        var found: [(ms: Int64, summary: EmailSummary)] = []
        var checked = Set<Int64>()
        func check(_ ids: [Int64]) throws {
            let fresh = ids.filter { checked.insert($0).inserted }
            guard !fresh.isEmpty else { return }
            var all: StatementArguments = [StorageEncoding.jsonArray(fresh.sorted())]
            all += arguments
            let cursor = try SummaryRecord.fetchCursor(verify, arguments: all)
            while let record = try cursor.next() { found.append((record.createdAtMilliseconds, record.summary)) }
        }
        // Every candidate walked, highest id first (each chunk's ids are below the last's).
        var candidates: [Int64] = []
        func isCandidate(_ id: Int64) -> Bool {
            var low = 0, high = candidates.count
            while low < high {
                let middle = (low + high) / 2
                if candidates[middle] == id { return true }
                if candidates[middle] > id { low = middle + 1 } else { high = middle }
            }
            return false
        }
        var seen: [Int64] = []
        // The page's top: the cursor's time (its row and newer are excluded by the row check) or the span's end.
        var high: Int64 = cursor.map { StorageEncoding.milliseconds($0.createdAt) + 1 }
            ?? span.end.map { StorageEncoding.milliseconds($0) } ?? Int64.max
        let floor = span.start.map { StorageEncoding.milliseconds($0) } ?? Int64.min
        var bound = start + 1
        var exhausted = false
        // Chunks double (to 32 times the first): a text rare in the domain is read in few queries.
        var size = chunk
        while found.count < limit {
            next.bind(1, match); next.bind(2, bound); next.bind(3, size)
            let before = candidates.count
            while try next.step() { candidates.append(next.int64(0)) }
            next.reset()
            let count = candidates.count - before
            exhausted = count < size
            size = min(size * 2, chunk * 32)
            guard count > 0, let lowest = candidates.last else { break }
            bound = lowest
            let low = max(floor, min(high, try Int64.fetchOne(createdAt, arguments: [lowest]) ?? floor))
            // The domain's entries of the chunk's times: those that are candidates are checked.
            entries.bind(1, accountID); entries.bind(2, domain); entries.bind(3, low); entries.bind(4, high)
            var both: [Int64] = []
            while try entries.step() {
                let id = entries.int64(0)
                seen.append(id)
                if isCandidate(id) { both.append(id) }
            }
            entries.reset()
            try check(both)
            high = low
            if exhausted { break }
        }
        found.sort { a, b in a.ms != b.ms ? a.ms > b.ms : a.summary.id > b.summary.id }
        // The rest of the window: down to the page's last row, or the span's start.
        let edge = found.count >= limit ? found[limit - 1].ms : floor
        var unchecked = seen.filter { id in
            !checked.contains(id) && ((!exhausted && id < bound) || id > start || isCandidate(id))
        }
        if edge < high {
            // Below the walked times, only the entries that could be unchecked matches (an
            // index-only read; a large domain's older entries are not held): outside the walked
            // ids, or a walked candidate (the subject index's ids, read once by SQLite).
            let below = try db.cachedStatement(sql: """
                SELECT id FROM emails INDEXED BY emails_account_domain_created
                WHERE account_id = ? AND to_domain = ? AND created_at >= ? AND created_at < ?
                AND (id > ? OR id < ? OR id IN (SELECT rowid FROM emails_subject_trigram
                                                WHERE emails_subject_trigram MATCH ? AND rowid >= ? AND rowid <= ?))
                """)
            unchecked += try Int64.fetchAll(below, arguments: [accountID, domain, edge, high, start,
                                                               exhausted ? Int64.min : bound, match, bound, start])
        }
        try check(unchecked)
        found.sort { a, b in a.ms != b.ms ? a.ms > b.ms : a.summary.id > b.summary.id }
        return Array(found.prefix(limit))
    }
}
