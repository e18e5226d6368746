import Testing
@testable import AuditStore

/// Which trigrams a subject-index match takes (``SubjectTrigramChoice``): the rarest, then those
/// whose lists cost less than the candidate rows they are seen (in the samples' ids) to remove.
@Suite("Subject trigram choice")
struct SubjectTrigramChoiceTests {
    /// A sample of 256 ids (not the whole list) at `offset`, holding `ids`.
    static func sample(_ offset: Int, _ ids: [Int64]) -> SubjectTrigramSample {
        SubjectTrigramSample(offset: offset, text: "t\(offset)", count: ids.count, ids: ids.first.map { $0...ids.last! },
                             complete: false, sampledIDs: ids)
    }

    /// The rarest: every 100th id from 100 (share ~0.01). The same word: the same ids (narrows
    /// nothing). Independent: every 200th id and every 100th from 50 (share ~0.015; below its
    /// highest sampled id, 17,050, it holds 85 of the rarest's 170 ids: half).
    static let rarest = sample(0, (1...256).map { Int64($0) * 100 })
    static let sameWord = sample(1, (1...256).map { Int64($0) * 100 })
    static let independent: SubjectTrigramSample = {
        let everyOther: [Int64] = (1..<200).map { Int64($0) * 200 }
        let between: [Int64] = (0..<400).map { 50 + Int64($0) * 100 }
        let ids: [Int64] = Array(Set(everyOther + between).sorted().prefix(256))
        return sample(5, ids)
    }()

    @Test func aTrigramHoldingTheSameEmailsIsNotTakenAndOneThatNarrowsIs() {
        let samples = [Self.rarest, Self.sameWord, Self.independent]
        // Narrowing ~0.01 to ~0.005 for a list of ~0.015: pays when a row costs over ~3 list entries.
        let cheap = SubjectTrigramChoice.choose(samples, highestID: 1_000_000, rowPerEntry: 500, entriesPerID: 1, maximum: 8)
        #expect(cheap.trigrams.map(\SubjectTrigramSample.offset) == [0, 5])
        #expect(abs(cheap.share - Self.rarest.share / 2) < 1e-12)
        #expect(SubjectTrigramChoice.match(cheap.trigrams) == "\"t0\" AND \"t5\"")
        // Rows cheap against lists, or a sparse range: the rarest alone.
        #expect(SubjectTrigramChoice.choose(samples, highestID: 1_000_000, rowPerEntry: 2, entriesPerID: 1, maximum: 8)
            .trigrams.map(\SubjectTrigramSample.offset) == [0])
        #expect(SubjectTrigramChoice.choose(samples, highestID: 1_000_000, rowPerEntry: 500, entriesPerID: 0.001, maximum: 8)
            .trigrams.map(\SubjectTrigramSample.offset) == [0])
        // At most `maximum`; the same word never, however costly a row.
        #expect(SubjectTrigramChoice.choose(samples, highestID: 1_000_000, rowPerEntry: 500, entriesPerID: 1, maximum: 1)
            .trigrams.map(\SubjectTrigramSample.offset) == [0])
        #expect(!SubjectTrigramChoice.choose(samples, highestID: 1_000_000, rowPerEntry: 1e12, entriesPerID: 1, maximum: 8)
            .trigrams.contains { $0.offset == 1 })
    }

    @Test func theEntryBudgetAndTooFewSeenIDsLeaveATrigramOut() {
        let samples = [Self.rarest, Self.independent]
        // The lists are estimated at ~10,039 and ~15,058 of 1,000,000 ids: ~25,097 together.
        #expect(SubjectTrigramChoice.choose(samples, highestID: 1_000_000, rowPerEntry: 500, entriesPerID: 1, maximum: 8,
                                            entryBudget: 25_000).trigrams.map(\SubjectTrigramSample.offset) == [0])
        #expect(SubjectTrigramChoice.choose(samples, highestID: 1_000_000, rowPerEntry: 500, entriesPerID: 1, maximum: 8,
                                            entryBudget: 25_200).trigrams.map(\SubjectTrigramSample.offset) == [0, 5])
        // A common trigram whose sample ends before the rarest's eighth id: its narrowing is not
        // measured, so it is left out.
        let common = Self.sample(7, (1...256).map { Int64($0) * 2 })
        let chosen = SubjectTrigramChoice.choose([Self.rarest, common], highestID: 1_000_000, rowPerEntry: 1e12, entriesPerID: 1,
                                                 maximum: 8)
        #expect(chosen.trigrams.map(\SubjectTrigramSample.offset) == [0])
        #expect(chosen.share == Self.rarest.share)
    }

    @Test func aTrigramInNoSubjectIsTheWholeMatch() {
        let none = SubjectTrigramSample(offset: 3, text: "xyz", count: 0, ids: nil, complete: true)
        let chosen = SubjectTrigramChoice.choose([Self.rarest, none], highestID: 1_000_000, rowPerEntry: 500, entriesPerID: 1, maximum: 8)
        #expect(chosen.trigrams == [none] && chosen.share == 0)
        #expect(SubjectTrigramChoice.choose([], highestID: 1_000_000, rowPerEntry: 500, entriesPerID: 1, maximum: 8).trigrams.isEmpty)
    }
}
