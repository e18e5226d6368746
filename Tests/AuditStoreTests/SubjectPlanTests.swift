import AuditCore
import Foundation
import GRDB
import Testing
@testable import AuditStore

/// The Subject search's plan choice (ids driving by rowid, ids checked on another index, or
/// rows checked by LIKE) and that every plan pages to exactly what the in-memory model holds.
@Suite("Subject search plans")
struct SubjectPlanTests {
    /// Limits forcing each plan on a small store.
    static let plans: [(name: String, limits: SubjectSearchLimits)] = [
        ("rowids", SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 100_000, idSet: 100_000, walk: false, rangeWalk: false)),
        ("id set", SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 0, idSet: 100_000, walk: false, rangeWalk: false)),
        ("row check", SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 0, idSet: 0, walk: false, rangeWalk: false)),
        ("common in the sample", SubjectSearchLimits(sample: 50, commonInSample: 1, rowids: 100_000, idSet: 100_000, rangeWalk: false)),
        ("standard", .standard),
    ] + walks + rangeWalks

    /// Limits forcing each way the walk of a status, raiser or domain range ends
    /// (``SubjectRangeWalk``): every candidate's row read (few candidates), chunks of one or two
    /// entries checked against the candidates of their id span, or their rows checked by LIKE;
    /// or, ranges this small store holds few entries of, every entry's row.
    static let rangeWalks: [(name: String, limits: SubjectSearchLimits)] = [
        ("range walk, every row of small ranges", SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 0, idSet: 0,
                                                                      rangeSmall: 1_000_000)),
    ] + largeRangeWalks.map { walk in
        var limits = walk.limits
        limits.rangeSmall = 0
        return (walk.name, limits)
    }

    /// The range walks past the small-range check (which each of them turns off).
    static let largeRangeWalks: [(name: String, limits: SubjectSearchLimits)] = [
        ("range walk, few candidates' rows", SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 100_000, idSet: 100_000)),
        // Every candidate's rows by every trigram and the raiser's or domain's key, or by the text alone.
        ("range walk, few candidates' rows with the keys", SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 100_000,
                                                                               idSet: 100_000, rangeRowPerSpanEntry: 1e12)),
        ("range walk, few candidates' rows without keys", SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 100_000,
                                                                              idSet: 100_000, rangeKeys: false)),
        ("range walk, candidates of each chunk", SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 0, idSet: 0,
                                                                     rangeChunk: 1, rangeChunkMaximum: 2,
                                                                     rangeCandidatesPerEntry: 1e12, rangeHeldCandidates: 0)),
        ("range walk, chunks by LIKE", SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 0, idSet: 0,
                                                           rangeChunk: 2, rangeChunkMaximum: 3,
                                                           rangeCandidatesPerEntry: 0, rangeHeldCandidates: 0)),
        // Every candidate held and the range's entries read in page order, to the page (no check
        // before a first chunk longer than the range) or (no budget: a row costs no entries)
        // switching to every candidate's row after the first entries.
        ("range walk, held candidates", SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 0, idSet: 0,
                                                            domainEntriesPerCandidate: 0, rangeChunk: 1_000_000, rangeHeldCandidates: 1_000_000)),
        ("range walk, held candidates then every row", SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 0, idSet: 0,
                                                                           domainEntriesPerCandidate: 0, rangeChunk: 2, rangeHeldCandidates: 1_000_000)),
        // Every candidate's rows by the rarest trigram alone (no budget for more).
        ("range walk, few candidates by the rarest trigram", SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 100_000,
                                                                                 idSet: 100_000, rangeExactEntries: 0)),
        // Each chunk matches the rarest trigram alone, or every usable one.
        ("range walk, chunks by the rarest trigram", SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 0, idSet: 0,
                                                                         rangeRowPerSpanEntry: 0,
                                                                         rangeChunk: 1, rangeChunkMaximum: 2,
                                                                         rangeCandidatesPerEntry: 1e12, rangeHeldCandidates: 0)),
        ("range walk, chunks by every usable trigram", SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 0, idSet: 0,
                                                                           rangeRowPerSpanEntry: 1e12,
                                                                           rangeChunk: 2, rangeChunkMaximum: 5,
                                                                           rangeCandidatesPerEntry: 1e12, rangeHeldCandidates: 0)),
    ]

    /// Limits forcing each way a newest-first walk ends: a window check after a page fills
    /// early, and reading the remaining candidates (a window too wide, chunks of 1 or 3); with a
    /// To `*@domain`, the subject index walked in chunks beside the domain's entries
    /// (`domainCandidates: 0`), or every candidate held and the domain's entries read newest
    /// first (to the page, or switching to every candidate's row after 0 or 1 entries a candidate).
    static let walks: [(name: String, limits: SubjectSearchLimits)] = [
        // A page filled early, made exact by the late emails past the walked ids (the registry;
        // the page's pivot late: the window), then the same ways with the registry unused.
        ("walk, late emails past the walk", SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 0, idSet: 0, walkChunk: 3,
                                                                walkWindow: 0, walkWindowPerCandidate: 0, rangeWalk: false)),
        ("walk, window check", SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 0, idSet: 0, walkChunk: 3, walkWindow: 1_000_000,
                                                   smallDomain: 0, domainCandidates: 0, walkLateRegistry: false, rangeWalk: false)),
        ("walk, rest read", SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 0, idSet: 0, walkChunk: 3, walkWindow: 0,
                                                walkWindowPerCandidate: 0, walkLateRegistry: false, rangeWalk: false)),
        ("walk, wide window for many candidates left",
         SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 0, idSet: 0, walkChunk: 3, walkWindow: 0,
                             walkWindowPerCandidate: 1e9, walkLateRegistry: false, rangeWalk: false)),
        // Past a wide window, the candidates left read by a narrower match (always, or never: too many).
        ("walk, rest by a narrower match",
         SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 0, idSet: 0, walkChunk: 3, walkWindow: 0,
                             walkWindowPerCandidate: 1e-9, walkNarrowEntriesPerWindowEmail: 1e9, walkLateRegistry: false, rangeWalk: false)),
        ("walk, narrower match leaving too many, then the window",
         SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 0, idSet: 0, walkChunk: 2, walkWindow: 0,
                             walkWindowPerCandidate: 1e9, walkNarrowEntriesPerWindowEmail: 1e9, walkLateRegistry: false, rangeWalk: false)),
        ("walk, one candidate a chunk", SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 0, idSet: 0, walkChunk: 1, walkWindow: 40,
                                                            smallDomain: 0, domainCandidates: 0, walkLateRegistry: false, rangeWalk: false)),
        ("walk, domain entries beside held candidates",
         SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 0, idSet: 0, smallDomain: 0,
                             domainCandidates: 1_000_000, domainEntriesPerCandidate: 1_000_000, rangeWalk: false)),
        ("walk, held candidates' rows",
         SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 0, idSet: 0, smallDomain: 0,
                             domainCandidates: 1_000_000, domainEntriesPerCandidate: 0, rangeWalk: false)),
        ("walk, domain text common in the sample",
         SubjectSearchLimits(sample: 50, commonInSample: 1_000, rowids: 0, idSet: 0, walkChunk: 2, smallDomain: 0,
                             domainCandidates: 1_000_000, domainCommonInSample: 1, rangeWalk: false)),
        ("walk, held candidates' rows after some entries",
         SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 0, idSet: 0, smallDomain: 0,
                             domainCandidates: 1_000_000, domainEntriesPerCandidate: 1, rangeWalk: false)),
    ]

    @Test func trigramsAreDistinctWithoutCaseAndKeepTheirFirstOffset() {
        let trigrams = SearchText.trigrams("Flat fLAT")
        #expect(trigrams.map(\.text) == ["Fla", "lat", "at ", "t f", " fL"])
        #expect(trigrams.map(\.offset) == [0, 1, 2, 3, 4])
        #expect(SearchText.trigrams("ab").isEmpty)
    }

    @Test func theSelectiveMatchUsesTheRarestTrigramsThatDoNotOverlap() throws {
        let data = try SearchData()
        try data.store.read { db in
            // "t 1" and " 12" are only in "Notice for Flat 12"; "Fla", "lat" and "at " are in two subjects.
            let match = try #require(try EmailQueryPlanner.selectiveSubjectMatch(db, "Flat 12"))
            let terms = match.components(separatedBy: " AND ")
            #expect(terms.count <= EmailQueryPlanner.maximumMatchedTrigrams)
            #expect(terms.contains("\"t 1\"") || terms.contains("\" 12\""), "\(match)")
            #expect(!(terms.contains("\"t 1\"") && terms.contains("\" 12\"")), "overlapping trigrams: \(match)")
            // A trigram in no subject is the whole query: nothing matches.
            #expect(try EmailQueryPlanner.selectiveSubjectMatch(db, "Flat 12 xyzzy")?.contains("AND") == false)
            #expect(try EmailQueryPlanner.selectiveSubjectMatch(db, "zo") == nil)
        }
    }

    @Test func aRangeWalkChunkMatchesTheTrigramsThatPayInItsSpan() throws {
        let data = try SearchData()
        let f = data.fixture
        try data.store.read { db in
            var limits = SubjectSearchLimits.standard
            limits.rangeSmall = 0
            let walk = try #require(try EmailQueryPlanner.subjectRangeWalk(
                db, filter: EmailFilter(accountID: f.account.id, raisedBy: [f.bob.id], subject: "Flat 12", dateRange: .all),
                cursor: nil, direction: .older, limit: 5, span: TimeSpan(start: nil, end: nil),
                summaryColumns: AuditDatabase.summaryColumns, limits: limits))
            #expect(walk.samples.map(\.text) == SearchText.trigrams("Flat 12").map(\.text))
            let highestID = try #require(try Int64.fetchOne(db, sql: "SELECT max(id) FROM emails"))
            let rarest = try #require(SubjectTrigramSample.rarestFirst(walk.samples) { $0.storeShare(highestID: highestID) }.first)
            // A sparse range (no entries per id): the rarest trigram alone; a dense one: what the chooser takes.
            #expect(walk.spanMatch(entriesPerID: 0) == SearchText.ftsPhrase(rarest.sample.text))
            let dense = SubjectTrigramChoice.choose(walk.samples, highestID: highestID, rowPerEntry: walk.rowPerSpanEntry,
                                                    entriesPerID: 1e12, maximum: EmailQueryPlanner.maximumMatchedTrigrams + 1)
            #expect(walk.spanMatch(entriesPerID: 1e12) == SubjectTrigramChoice.match(dense.trigrams))
            #expect(dense.trigrams.contains(rarest.sample))
            // Every candidate: the rarest trigram alone without a budget.
            let none = try #require(try EmailQueryPlanner.rangeWalkMatch(db, "Flat 12", highestID: highestID, exactEntries: 0,
                                                                        rowPerEntry: 1e12))
            #expect(none.exact == SearchText.ftsPhrase(rarest.sample.text), "\(none.exact)")
            // A trigram in no subject is the whole query.
            let missing = try #require(try EmailQueryPlanner.rangeWalkMatch(db, "Flat 12 xyzzy", highestID: highestID, exactEntries: 0,
                                                                           rowPerEntry: 500))
            #expect(missing.samples.count == 1 && missing.exact == SearchText.ftsPhrase(missing.samples[0].text) && missing.share == 0)
            #expect(try EmailQueryPlanner.rangeWalkMatch(db, "zo", highestID: highestID, exactEntries: 0, rowPerEntry: 500) == nil)
        }
    }

    @Test func rangesWithFewEntriesHaveTheirRowsCheckedWithNoSubjectIndexRead() throws {
        let data = try SearchData()
        let f = data.fixture
        let filter = EmailFilter(accountID: f.account.id, raisedBy: [f.bob.id], subject: "Flat 12", dateRange: .all)
        let bobs = data.model.filter { $0.email.raisedByID == f.bob.id }.map(\.email.id).sorted()
        #expect(bobs.count > 2)
        try data.store.read { db in
            func walk(small: Int) throws -> SubjectRangeWalk {
                var limits = SubjectSearchLimits.standard
                limits.rangeSmall = small
                return try #require(try EmailQueryPlanner.subjectRangeWalk(
                    db, filter: filter, cursor: nil, direction: .older, limit: 5, span: TimeSpan(start: nil, end: nil),
                    summaryColumns: AuditDatabase.summaryColumns, limits: limits))
            }
            // Every entry of the range fits: those ids, and no trigram sampled.
            let fits = try walk(small: bobs.count)
            #expect(fits.smallRangeIDs?.sorted() == bobs)
            #expect(fits.samples.isEmpty)
            // One entry more than the limit allows: the walk reads the subject index.
            let over = try walk(small: bobs.count - 1)
            #expect(over.smallRangeIDs == nil)
            #expect(!over.samples.isEmpty)
        }
    }

    @Test func rareCommonAndShortTextsChooseTheirPlan() throws {
        let data = try SearchData()
        let flat12 = data.model.filter { $0.subject.contains("Flat 12") }.map(\.email.id).sorted()
        let forCount = data.model.filter { EmailFilter(subject: "for").subjectMatches($0.subject) }.count
        #expect(flat12.count > 10 && forCount > flat12.count * 2)
        // The sample of the newest emails is left out (none read) unless a test says otherwise.
        let unsampled = SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: flat12.count, idSet: 100_000)
        try data.store.read { db in
            // Rare: the candidates are exactly the emails holding "Flat 12" and they drive.
            #expect(try EmailQueryPlanner.subjectPlan(db, containing: "Flat 12", limits: unsampled) == .rowids(flat12))
            #expect(try EmailQueryPlanner.subjectPlan(db, containing: "missing text", limits: .standard) == .rowids([]))
            // Common in the newest emails (one in seven of the last 512 here): LIKE, the index unread.
            #expect(try EmailQueryPlanner.subjectPlan(db, containing: "Flat 12", limits: .standard) == .rowCheck)
            var sampled = unsampled
            sampled.sample = 20
            sampled.commonInSample = 21
            #expect(try EmailQueryPlanner.subjectPlan(db, containing: "Flat 12", limits: sampled) == .rowids(flat12),
                    "fewer in the sample than the limit")
            // More candidates than drive by rowid, fewer than the id-set limit: checked by id on another index.
            var middle = unsampled
            middle.idSet = forCount
            guard case .idSet(let ids) = try EmailQueryPlanner.subjectPlan(db, containing: "for", limits: middle) else {
                Issue.record("\"for\" should take the id-set plan"); return
            }
            #expect(ids.count == forCount)
            // Common: more than the id-set limit, rows are checked by LIKE.
            var common = unsampled
            common.idSet = forCount - 1
            #expect(try EmailQueryPlanner.subjectPlan(db, containing: "for", limits: common) == .rowCheck)
            // Too short for the trigram index: LIKE.
            #expect(try EmailQueryPlanner.subjectPlan(db, containing: "zo", limits: .standard) == .rowCheck)
        }
    }

    @Test func everyPlanPagesToTheModelWithTheOtherFilters() throws {
        let data = try SearchData()
        let f = data.fixture
        let texts = ["Flat 12", "for", "receipt", "100%", "zo", "missing text"]
        let filters: [EmailFilter] = [
            EmailFilter(dateRange: .all),
            EmailFilter(accountID: f.account.id, to: .domain("gmail.com"), dateRange: .all),
            EmailFilter(to: .domain("hotmial.co.uk"), dateRange: .last7Days),
            EmailFilter(accountID: f.account.id, statuses: [.failed, .delivered, .opened], dateRange: .all),
            EmailFilter(raisedBy: [f.bob.id], dateRange: .all),
            EmailFilter(accountID: f.account.id, raisedBy: [f.alice.id, f.carol.id], statuses: [.delivered, .rejected],
                        dateRange: .custom(from: CalendarDay(year: 2026, month: 5, day: 3), through: CalendarDay(year: 2026, month: 5, day: 9))),
            EmailFilter(to: .contains("hughes"), dateRange: .all),
            // With an account: the range walk (one or several status and raiser ranges).
            EmailFilter(accountID: f.account.id, statuses: [.delivered], dateRange: .all),
            EmailFilter(accountID: f.account.id, statuses: [.failed, .opened], dateRange: .last7Days),
            EmailFilter(accountID: f.account.id, raisedBy: [f.bob.id], dateRange: .all),
            EmailFilter(accountID: f.otherAccount.id, raisedBy: [f.bob.id], dateRange: .all),
            EmailFilter(accountID: f.account.id, raisedBy: [f.alice.id, f.carol.id], statuses: [.delivered], dateRange: .all),
            EmailFilter(accountID: f.otherAccount.id, to: .domain("gmail.com"), dateRange: .all),
            // Subject alone with an account: the newest-first walk (other accounts' emails share the subjects).
            EmailFilter(accountID: f.account.id, dateRange: .all),
            EmailFilter(accountID: f.otherAccount.id, dateRange: .all),
            EmailFilter(accountID: f.account.id, dateRange: .last7Days),
            EmailFilter(accountID: f.account.id,
                        dateRange: .custom(from: CalendarDay(year: 2026, month: 5, day: 3), through: CalendarDay(year: 2026, month: 5, day: 9))),
        ]
        for plan in Self.plans {
            for text in texts {
                for base in filters {
                    var filter = base
                    filter.subject = text
                    let expected = data.matching(filter).map(\.id)
                    #expect(try Self.allPages(data.store, filter, limit: 6, now: data.now, limits: plan.limits) == expected,
                            "\(plan.name): \(filter)")
                    let oldest = try data.store.summaries(matching: filter, from: nil, direction: .newer, limit: 4, now: data.now,
                                                          subjectLimits: plan.limits)
                    #expect(oldest.map(\.id) == Array(expected.suffix(4)), "\(plan.name) newer: \(filter)")
                }
            }
        }
    }

    @Test func theWalkIsExactWhenIdsAreOutOfDateOrder() throws {
        let data = try SearchData()
        let f = data.fixture
        // Recorded last but dated throughout the store's days (and a few after its newest):
        // their ids are the highest, their dates anywhere.
        var news: [NewEmail] = [], planned: [(Date, String, StaffUser, String)] = []
        for index in 0..<60 {
            let staff = index % 3 == 0 ? f.carol : f.alice
            let at = data.base.addingTimeInterval(Double((index * 7_919) % 360) * 2_400 + (index % 4 == 0 ? 1 : 0))
            let subject = SearchData.subjects[index % SearchData.subjects.count]
            news.append(f.newEmail(by: staff, to: "late\(index)@example.net", at: at, subject: subject))
            planned.append((at, subject, staff, "late\(index)@example.net"))
        }
        let ids = try f.store.record(news)
        for (id, (at, subject, staff, to)) in zip(ids, planned) {
            data.model.append((ModelEmail(id: id, createdAt: Date(timeIntervalSince1970: (at.timeIntervalSince1970 * 1000).rounded() / 1000),
                                          accountID: staff.accountID, raisedByID: staff.id, to: to,
                                          status: .pending), subject))
        }
        for plan in Self.walks + Self.rangeWalks + [("standard", SubjectSearchLimits.standard)] {
            for text in ["Flat 12", "for", "receipt", "Zoë", "missing text"] {
                for range in [DateRangeChoice.all, .last7Days,
                              .custom(from: CalendarDay(year: 2026, month: 5, day: 2), through: CalendarDay(year: 2026, month: 5, day: 6))] {
                    for (account, to) in [(f.account.id, nil), (f.otherAccount.id, nil), (f.account.id, AddressPattern.domain("example.net")),
                                          (f.otherAccount.id, .domain("gmail.com")), (f.account.id, .domain("nowhere.example"))] {
                        var filters = [EmailFilter(accountID: account, to: to, subject: text, dateRange: range)]
                        if to == nil {
                            // The late emails are Pending; Carol raised one in three.
                            filters.append(EmailFilter(accountID: account, raisedBy: [f.carol.id], subject: text, dateRange: range))
                            filters.append(EmailFilter(accountID: account, statuses: [.pending], subject: text, dateRange: range))
                            filters.append(EmailFilter(accountID: account, raisedBy: [f.alice.id, f.carol.id], statuses: [.pending, .delivered],
                                                       subject: text, dateRange: range))
                        }
                        for filter in filters {
                            let expected = data.matching(filter).map(\.id)
                            #expect(try Self.allPages(data.store, filter, limit: 5, now: data.now, limits: plan.limits) == expected,
                                    "\(plan.0): \(filter)")
                            #expect(try Self.allPagesBack(data.store, filter, limit: 4, now: data.now, limits: plan.limits) == expected,
                                    "\(plan.0) back: \(filter)")
                        }
                    }
                }
            }
        }
    }

    /// Every page from the oldest, following each page's first row towards the newest
    /// (returned newest first, as the list shows them).
    static func allPagesBack(_ store: AuditDatabase, _ filter: EmailFilter, limit: Int, now: Date,
                             limits: SubjectSearchLimits) throws -> [Int64] {
        var result: [Int64] = []
        var cursor: EmailCursor?
        while result.count < 100_000 {
            let page = try store.summaries(matching: filter, from: cursor, direction: .newer, limit: limit, now: now, subjectLimits: limits)
            guard let first = page.first else { break }
            result = page.map(\.id) + result
            cursor = first.cursor
        }
        return result
    }

    /// Every page from the newest, following each page's last row.
    static func allPages(_ store: AuditDatabase, _ filter: EmailFilter, limit: Int, now: Date,
                         limits: SubjectSearchLimits) throws -> [Int64] {
        var result: [Int64] = []
        var cursor: EmailCursor?
        while result.count < 100_000 {
            let page = try store.summaries(matching: filter, from: cursor, direction: .older, limit: limit, now: now, subjectLimits: limits)
            guard let last = page.last else { break }
            result += page.map(\.id)
            cursor = last.cursor
        }
        return result
    }
}
