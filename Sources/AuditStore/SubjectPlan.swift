/// How the emails whose subject contains a text are found for a page (chosen by
/// ``EmailQueryPlanner/subjectPlan(_:containing:limits:)``).
enum SubjectPlan: Equatable {
    /// So few candidates (ids from the subject trigram index, ascending) that they drive: each
    /// row is read by rowid and checked against the rest of the filter.
    case rowids([Int64])
    /// Candidates (ascending) checked from the entries of the index the rest of the filter
    /// picks, newest first; only candidate rows are read.
    case idSet([Int64])
    /// Too many candidates to list (or a text too short for the index): rows are checked by
    /// LIKE on the index the rest of the filter picks, newest first.
    case rowCheck
}

/// The counts at which the Subject search changes plan (``SubjectPlan``).
struct SubjectSearchLimits: Equatable {
    /// The newest emails whose subjects are checked first (by LIKE, read in date order): a
    /// text in at least ``commonInSample`` of them is common enough that checking rows from
    /// the newest fills a page soon, and the trigram index is not read at all.
    var sample: Int
    /// See ``sample``.
    var commonInSample: Int
    /// At most this many candidates drive by rowid (a few milliseconds of row reads). More are
    /// checked on an index walk, which reads every index entry until a page is found: cheap
    /// when candidates are dense, a whole range when few of them really hold the text.
    var rowids: Int
    /// At most this many candidates are checked from index entries; past it the ids cost more
    /// to read (about half a microsecond each) than checking rows by LIKE.
    var idSet: Int
    /// Whether a page with an account walks the subject index newest first (``SubjectWalk``)
    /// rather than taking one of the plans above.
    var walk = true
    /// Candidates the walk reads per chunk.
    var walkChunk = 256
    /// The most emails (estimated from ids) in the time window a walk that stopped early checks
    /// for ids out of date order; past it the walk reads the rest of the candidates instead:
    /// the window is read at about 0.06 µs an email, the candidates at a row read each, and a
    /// text whose page spans this many emails has few.
    var walkWindow = 150_000
    /// A wider window is still checked when it holds at most this many emails per candidate
    /// left to read (estimated from the density of the walked candidates): at 10,000,000
    /// emails a row read by rowid costs about as much as 250 window entries (a text with 2,241
    /// matches over the years: its first page spans ~220,000 emails, and reading the ~2,000
    /// remaining candidates' rows took 35 ms).
    var walkWindowPerCandidate = 250.0
    /// Before a window wider than ``walkWindow`` is checked, the candidates left are read with
    /// a narrower match (more of the text's trigrams, rarest first) whose lists hold at most this
    /// many entries per email of the window (an FTS5 entry costs about a fifth of a window
    /// entry, so a match that leaves too many candidates wastes at most a fifth of the window's
    /// cost); when at most one per ``walkWindowPerCandidate`` emails of the window are left,
    /// their rows are read instead of the window. "943 f" (1,064 matches, a page spanning
    /// ~475,000 emails) matched "943" AND "43 " (3,564 candidates, so the window was checked:
    /// 28 ms); "3 f" (326,022 entries) leaves 808 rows to read.
    var walkNarrowEntriesPerWindowEmail = 1.0
    /// A To `*@domain` with at most this many emails in the account is answered from its own
    /// range (rows checked by LIKE); a bigger one is walked beside the subject index.
    var smallDomain = 5_000
    /// A bigger domain with a text of at most this many candidates has them all read at once
    /// (one subject index query, ascending: a fraction of the cost of newest-first chunks) and
    /// held in memory; past it the subject index is walked in chunks beside the domain's entries.
    var domainCandidates = 40_000
    /// With all the candidates held, the domain's entries are read newest first (index only),
    /// each candidate among them checked by its row, until a page is found; after this many
    /// entries per candidate (an index entry costs about a 64th of a row read) every
    /// candidate's row is checked instead.
    var domainEntriesPerCandidate = 64
    /// A text in at least this many of the ``sample`` newest subjects is far past
    /// ``domainCandidates`` (40 of 512 is about 78,000 of 1,000,000 emails): its ids are not read
    /// at once but walked in chunks, which for a common text find a page in the first.
    var domainCommonInSample = 40
    /// Whether a walk that fills its page early checks only the late emails past its ids when
    /// the page allows it (``SubjectWalk/lateEmailsSuffice(_:start:pageLast:)``, schema version
    /// 15), before any time window or remaining candidates are read. Off only in tests, to
    /// exercise those.
    var walkLateRegistry = true
    /// Whether Subject with a status, a raiser or a To `*@domain` (and an account) walks that
    /// condition's own index range beside the subject index (``SubjectRangeWalk``) rather than
    /// taking one of the plans above. At every store size: until 06/12/2026 only from 2,000,000
    /// emails, but on today's code the walk's p99 was as low or lower at 200,000 and 1,000,000
    /// emails too (docs/performance.md, "The range walk at every size").
    var rangeWalk = true
    /// Whether such a walk's match for every candidate of a rare text may take the search
    /// index's key of the page's domain or single raiser (``SubjectSearchKeys``, schema version
    /// 16) beside the text's trigrams. Off only in tests, to exercise the plans without it.
    var rangeKeys = true
    /// A row read costs about as much as this many entries of a trigram's list in an FTS5 match
    /// (~10 µs against ~0.01-0.02 µs at 10,000,000 emails): a range walk's chunk, the newest-first
    /// walk and the reading of every candidate match a further trigram only when that costs less
    /// than the candidate rows it is seen to remove (``SubjectTrigramChoice``). With every
    /// trigram up to 16 times the rarest, "27, Johnson" + a staff member matched "son" (1,009,682
    /// emails) beside "27," (85,165) and "Joh", and the chunks' matches took ~60% of its 30 ms.
    var rangeRowPerSpanEntry = 500.0
    /// A range walk reading every candidate of a rare text matches the trigrams that pay
    /// (``rangeRowPerSpanEntry``) while their lists hold at most this many entries in all (an
    /// FTS5 AND costs about the sum of its lists, ~0.01 µs an entry: ~6 ms): "943 f" + a staff member
    /// matched "943" AND "43 " (3,564 candidates, past ``rowids``: the staff member's whole range
    /// was walked, ~24 ms); "3 f" (326,022 entries, 22 times the rarest) leaves 1,064.
    var rangeExactEntries = 600_000
    /// Ranges that hold at most this many entries in all within the page's dates (past its
    /// cursor) have every one of those rows checked by LIKE, with no read of the subject index
    /// (a small domain, a rare status over a few days): the text's trigram samples and
    /// candidates cost more than the rows ("3, Kowal" beside a domain of 120 emails took 19 ms
    /// at 1,000,000 emails).
    var rangeSmall = 256
    /// Entries of the range read in the walk's first chunk (each next chunk doubles).
    var rangeChunk = 256
    /// The most entries of the range read in one chunk.
    var rangeChunkMaximum = 16_384
    /// A chunk whose id span is estimated to hold more candidates than this per entry has its
    /// rows checked by LIKE rather than its candidates read: a candidate id costs about a 32nd
    /// of a row read.
    var rangeCandidatesPerEntry = 32.0
    /// A text with more than ``rowids`` candidates but at most this many has them all read
    /// (one subject index query) and held while the range is read in page order, each entry
    /// that is a candidate checked by its row; the walk switches to every candidate's row once
    /// the entries still to read, projected from the matches found, cost more
    /// (``domainEntriesPerCandidate`` entries a row). "Kingfisher" (2,169 emails) + gmail.com
    /// (1.7 million, 20 of them) walked the whole domain in chunks (~206 ms).
    var rangeHeldCandidates = 8_000

    /// The limits the store uses.
    static let standard = SubjectSearchLimits(sample: 512, commonInSample: 8, rowids: 2_000, idSet: 30_000)
}
