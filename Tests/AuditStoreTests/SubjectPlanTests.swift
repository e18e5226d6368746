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
        ("rowids", SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 100_000, idSet: 100_000)),
        ("id set", SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 0, idSet: 100_000)),
        ("row check", SubjectSearchLimits(sample: 0, commonInSample: 1, rowids: 0, idSet: 0)),
        ("common in the sample", SubjectSearchLimits(sample: 50, commonInSample: 1, rowids: 100_000, idSet: 100_000)),
        ("standard", .standard),
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
