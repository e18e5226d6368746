import AuditCore
import Foundation
import GRDB
import Testing
@testable import AuditStore

/// The sample of each trigram's list in the subject index (``SubjectTrigramSample``): counts,
/// id spans and whether the whole list was read, and the rarest-first order the plans rank by.
@Suite("Subject trigram samples")
struct SubjectTrigramSampleTests {
    /// A store whose emails' subjects are `subjects`, in id order, and their ids.
    static func store(_ subjects: [String]) throws -> (fixture: Fixture, ids: [Int64]) {
        let fixture = try Fixture()
        let start = utcDate(2026, 5, 1, 8)
        let news = subjects.enumerated().map { index, subject in
            fixture.newEmail(by: fixture.alice, to: "tenant@example.net", at: start.addingTimeInterval(Double(index) * 60),
                             subject: subject)
        }
        return (fixture, try fixture.store.record(news))
    }

    @Test func countsAndSpansEachTrigramCompleteOrSampled() throws {
        let (fixture, ids) = try Self.store(["Flat 12", "Rent due", "Flat 3", "Rent due", "flat 12", "Rent due", "Flat 12"])
        try fixture.store.read { db in
            // Whole lists: "Fla" in four subjects (case folded), "t 1" in three, "at " in four.
            let whole = try #require(try SubjectTrigramSample.sampling(db, "Flat 1", size: 10))
            #expect(whole.map(\.text) == ["Fla", "lat", "at ", "t 1"])
            #expect(whole.map(\.offset) == [0, 1, 2, 3])
            #expect(whole.map(\.count) == [4, 4, 4, 3])
            #expect(whole.map(\.complete) == [true, true, true, true])
            #expect(whole[0].ids == ids[0]...ids[6])
            #expect(whole[3].ids == ids[0]...ids[6])
            #expect(whole[3].span == ids[6] - ids[0] + 1)
            #expect(whole[3].share == 3 / Double(ids[6] - ids[0] + 1))
            #expect(whole[3].sampledIDs == [ids[0], ids[4], ids[6]])
            #expect(whole[3].storeShare(highestID: 100) == 0.03)
            // Sampled: the first two entries of each list; a list of exactly the sample size is not complete.
            let sampled = try #require(try SubjectTrigramSample.sampling(db, "Flat 1", size: 2))
            #expect(sampled.map(\.count) == [2, 2, 2, 2])
            #expect(sampled.allSatisfy { !$0.complete })
            #expect(sampled[0].ids == ids[0]...ids[2])
            #expect(sampled[0].sampledIDs == [ids[0], ids[2]])
            #expect(sampled[0].storeShare(highestID: 100) == sampled[0].share)
            #expect(sampled[3].ids == ids[0]...ids[4])
            let exact = try #require(try SubjectTrigramSample.sampling(db, "t 3", size: 1))
            #expect(exact.map(\.count) == [1] && exact[0].ids == ids[2]...ids[2] && !exact[0].complete)
            let single = try #require(try SubjectTrigramSample.sampling(db, "t 3", size: 2))
            #expect(single[0].complete && single[0].span == 1 && single[0].share == 1)
        }
    }

    @Test func aTrigramInNoSubjectEndsTheSamples() throws {
        let (fixture, _) = try Self.store(["Flat 12", "Rent due"])
        try fixture.store.read { db in
            let samples = try #require(try SubjectTrigramSample.sampling(db, "Flat xyz 12", size: 10))
            #expect(samples.map(\.text) == ["Fla", "lat", "at ", "t x"])
            let last = try #require(samples.last)
            #expect(last.count == 0 && last.ids == nil && last.span == 0 && last.share == 0 && last.complete)
            #expect(try SubjectTrigramSample.sampling(db, "Fl", size: 10) == nil)
        }
    }

    @Test func rarestFirstPutsCompleteListsFirstThenTheMeasureThenTheOffset() {
        func sample(_ offset: Int, count: Int, span: Int64, complete: Bool) -> SubjectTrigramSample {
            SubjectTrigramSample(offset: offset, text: "t\(offset)", count: count, ids: 1...span, complete: complete)
        }
        let samples = [sample(0, count: 4, span: 8, complete: false), sample(1, count: 3, span: 3, complete: true),
                       sample(2, count: 2, span: 100, complete: true), sample(3, count: 4, span: 100, complete: false),
                       sample(4, count: 2, span: 4, complete: true)]
        // By share: complete lists first (2: 0.02, 4: 0.5, 1: 1), then longer ones (3: 0.04, 0: 0.5).
        #expect(SubjectTrigramSample.rarestFirst(samples, by: \.share).map(\.sample.offset) == [2, 4, 1, 3, 0])
        // By count for complete lists: 2 and 4 tie at 2, the earlier offset first.
        let byCount = SubjectTrigramSample.rarestFirst(samples) { $0.complete ? Double($0.count) : $0.share }
        #expect(byCount.map(\.sample.offset) == [2, 4, 1, 3, 0])
        #expect(byCount.map(\.measure) == [2, 2, 3, 0.04, 0.5])
    }
}
