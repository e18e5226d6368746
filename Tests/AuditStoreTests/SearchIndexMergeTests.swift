import AuditCore
import Foundation
import GRDB
import Testing
@testable import AuditStore

/// `compact` merges the search indexes, which gather FTS5 segments as emails are recorded one
/// at a time, back into one segment each, in short steps that other writers interleave with.
@Suite("Merging the search indexes")
struct SearchIndexMergeTests {
    static func segments(_ store: AuditDatabase, _ index: SearchIndex) throws -> Int {
        try #require(try store.searchIndexStructure(index)).segments
    }

    @Test func theStructureRecordIsReadInBothFormats() throws {
        let cookie: [UInt8] = [0, 0, 0, 7]
        // Two levels, three segments, write counter 300; level 0: segments 1 (pages 1-10) and 2
        // (11-12); level 1: segment 3 (pages 13-200, two-byte varint).
        let v1 = cookie + [2, 3, 0x82, 0x2C] + [0, 2, 1, 1, 10, 2, 11, 12] + [0, 1, 3, 13, 0x81, 0x48]
        #expect(SearchIndexStructure(record: v1) == SearchIndexStructure(segments: 3, leafPages: 200))
        let origins: [UInt8] = [5, 6, 0, 0, 0x81, 0x00]
        let v2 = cookie + [0xFF, 0, 0, 1] + [2, 3, 0x82, 0x2C] + [0, 2, 1, 1, 10] + origins + [2, 11, 12] + origins
            + [0, 1, 3, 13, 0x81, 0x48] + origins
        #expect(SearchIndexStructure(record: v2) == SearchIndexStructure(segments: 3, leafPages: 200))
        #expect(SearchIndexStructure(record: Array(v1.dropLast())) == nil, "cut short")
        #expect(SearchIndexStructure(record: cookie + [2, 4, 0x82, 0x2C] + [0, 2, 1, 1, 10, 2, 11, 12] + [0, 1, 3, 13, 0x81, 0x48]) == nil,
                "a segment count that disagrees with the levels")
        #expect(SearchIndexStructure(record: [1, 2]) == nil)
        // Damaged records: absurd counts and page numbers are refused, not trapped on.
        let huge: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(SearchIndexStructure(record: cookie + huge + [3, 0]) == nil, "a level count past Int.max")
        #expect(SearchIndexStructure(record: cookie + [0x81, 0x00, 1, 0]) == nil, "128 levels")
        #expect(SearchIndexStructure(record: cookie + [1, 1, 0] + [0] + huge + [1, 1, 2]) == nil, "a segment count past Int.max")
        #expect(SearchIndexStructure(record: cookie + [1, 1, 0] + [0, 1, 1] + huge + [2]) == nil, "a page past 32 bits")
        #expect(SearchIndexStructure(record: cookie + [1, 1, 0] + [0, 1, 1, 1] + huge) == nil, "a page past 32 bits")
        #expect(SearchIndexStructure(record: cookie + [1, 1, 0] + [0, 2, 1, 1, 2, 2, 3, 4]) == nil, "more segments in the level than in all")
    }

    /// An FTS5 query for every trigram of `text` (the index keeps no positions, so no phrases).
    static func allTrigrams(_ text: String) -> String {
        SearchText.trigrams(text).map { SearchText.ftsPhrase($0.text) }.joined(separator: " AND ")
    }

    /// The ids each Subject text matches, and the addresses each To text matches, read from the indexes.
    static func matches(_ store: AuditDatabase) throws -> [[String]] {
        try store.pool.read { db in
            try ["Rent demand 1", "Flat 3", "demand 59", "arrears", "for Fl"].map { text in
                try String.fetchAll(db, sql: "SELECT rowid FROM emails_subject_trigram WHERE emails_subject_trigram MATCH ? ORDER BY rowid",
                                    arguments: [allTrigrams(text)])
            } + ["tenant1", "example.net", "t3@"].map { text in
                try String.fetchAll(db, sql: "SELECT address FROM recipients_trigram WHERE recipients_trigram MATCH ? ORDER BY address",
                                    arguments: [allTrigrams(text)])
            }
        }
    }

    static func integrityCheck(_ store: AuditDatabase) throws {
        try store.pool.write { db in
            for index in SearchIndex.allCases {
                try db.execute(sql: "INSERT INTO \(index.rawValue) (\(index.rawValue), rank) VALUES ('integrity-check', 1)")
            }
        }
    }

    /// A store whose emails were recorded one write transaction each, as `serve` records them.
    static func grownOneAtATime(_ count: Int) throws -> Fixture {
        let fixture = try Fixture()
        let base = utcDate(2026, 5, 1, 8)
        let words = ["Rent", "demand", "arrears", "statement", "receipt", "ticket", "update", "service", "charge", "reminder"]
        for index in 0..<count {
            let subject = "\(words[index % words.count]) \(words[(index * 7) % words.count]) \(index) for Flat \(index % 9)"
            let subjectWithDemand = index % 5 == 0 ? "Rent demand \(index) for Flat \(index % 9)" : subject
            _ = try fixture.store.record([fixture.newEmail(by: index % 2 == 0 ? fixture.alice : fixture.bob,
                                                           to: "tenant\(index % 40)@example.net",
                                                           at: base.addingTimeInterval(Double(index) * 60), subject: subjectWithDemand)])
        }
        return fixture
    }

    @Test func compactMergesBothIndexesIntoOneSegmentAndEveryMatchStays() throws {
        let fixture = try Self.grownOneAtATime(120)
        let store = fixture.store
        #expect(try Self.segments(store, .subject) > 1)
        #expect(try Self.segments(store, .recipients) > 1)
        let before = try Self.matches(store)
        #expect(before[0].count > 1 && before[6].count == 40, "the searches find something: \(before.map(\.count))")

        var steps: [CompactionProgress] = []
        let report = try store.compact { steps.append($0) }
        #expect(report.searchIndexesMerged == [.subject, .recipients])
        for index in SearchIndex.allCases {
            #expect(try Self.segments(store, index) == 1, "\(index)")
            let merging = steps.compactMap { step -> (Int, Int)? in
                if case .merging(index, let done, let total) = step { return (done, total) } else { return nil }
            }
            #expect(merging.first.map { $0.0 == 0 } == true, "\(index) starts at 0")
            #expect(merging.last.map { $0.0 == $0.1 } == true, "\(index) ends at its total")
            #expect(zip(merging, merging.dropFirst()).allSatisfy { $0.0 <= $1.0 }, "\(index) only goes forward")
        }
        #expect(try Self.matches(store) == before)
        try Self.integrityCheck(store)
        #expect(try store.integrityProblems(full: true).isEmpty)

        // One segment: nothing left to merge.
        let again = try store.compact()
        #expect(again.searchIndexesMerged.isEmpty)
        #expect(try store.mergeSearchIndex(.subject) == 0)
    }

    @Test func aMergeTakesShortStepsBetweenWhichAnotherProcessWrites() throws {
        let fixture = try Self.grownOneAtATime(400)
        let store = fixture.store
        let before = try Self.matches(store)
        let changed = try #require(try store.pool.read { try Int64.fetchOne($0, sql: "SELECT max(id) FROM emails") })
        // Another process (serve recording an email) with no busy wait: it only succeeds between steps.
        let other = try DatabaseQueue(path: fixture.path)
        var calls: [(Int, Int)] = []
        var wroteBetweenSteps = false
        let steps = try store.mergeSearchIndex(.subject, stepPages: 1) { done, total in
            calls.append((done, total))
            if done > 0 && done < total && !wroteBetweenSteps {
                try? other.write { db in
                    try db.execute(sql: "UPDATE emails SET subject = 'Zebra crossing works' WHERE id = ?", arguments: [changed])
                }
                wroteBetweenSteps = try! other.read { try String.fetchOne($0, sql: "SELECT subject FROM emails WHERE id = ?", arguments: [changed]) }
                    == "Zebra crossing works"
            }
        }
        #expect(steps > 2, "a one-page step: several steps (\(steps))")
        #expect(wroteBetweenSteps)
        #expect(calls.count == steps + 2)
        #expect(try Self.segments(store, .subject) == 1)
        let ids = try store.pool.read { db in
            try Int64.fetchAll(db, sql: "SELECT rowid FROM emails_subject_trigram WHERE emails_subject_trigram MATCH ?",
                               arguments: [Self.allTrigrams("Zebra cross")])
        }
        #expect(ids == [changed])
        // Every other match is as it was, less the changed email's old subject.
        let after = try Self.matches(store)
        #expect(after[5...] == before[5...])
        #expect(zip(after.prefix(5), before.prefix(5)).allSatisfy { now, was in now == was.filter { $0 != String(changed) } })
        try Self.integrityCheck(store)
    }
}
