import GRDB

/// What the subject trigram index holds for one trigram of a search text, read from the start
/// of the trigram's list (lowest ids first) up to a sample size: how many entries were read,
/// the span of their ids, and whether that was the whole list. The Subject search plans rank a
/// text's trigrams by these samples to match the ones that narrow most
/// (``EmailQueryPlanner/selectiveSubjectMatch(_:_:maximum:)``,
/// ``EmailQueryPlanner/rangeWalkMatch(_:_:keys:highestID:exactEntries:rowPerEntry:)``).
struct SubjectTrigramSample: Equatable {
    /// Where the trigram first starts in the text, in characters.
    let offset: Int
    /// The trigram as it stands in the text.
    let text: String
    /// The entries read: the whole list when ``complete``, else the sample size.
    let count: Int
    /// The lowest and the highest id read; nil when the trigram is in no subject.
    let ids: ClosedRange<Int64>?
    /// Whether the whole list was read: it holds fewer entries than the sample size.
    let complete: Bool
    /// The ids read, ascending (empty when not kept): compared between trigrams to see how much
    /// one narrows another (``SubjectTrigramChoice``).
    var sampledIDs: [Int64] = []

    /// How many ids the entries read span, first to last (0 when none were read).
    var span: Int64 { ids.map { $0.upperBound - $0.lowerBound + 1 } ?? 0 }

    /// The share of the ids in ``span`` that hold the trigram (0 when none were read): for a
    /// list longer than the sample, its estimated share of the emails.
    var share: Double { count == 0 ? 0 : Double(count) / Double(span) }

    /// The entries of the trigram's whole list: the count read when ``complete``, else its
    /// ``share`` of the ids up to `highestID`. An FTS5 query costs about the sum of its trigrams'.
    func estimatedEntries(highestID: Int64) -> Double { complete ? Double(count) : share * Double(highestID) }

    /// The share of the store's ids (up to `highestID`) that hold the trigram: a complete list's
    /// count over `highestID`, else ``share``.
    func storeShare(highestID: Int64) -> Double {
        complete ? Double(count) / Double(max(1, highestID)) : share
    }

    /// Samples the distinct trigrams of `text` (``SearchText/trigrams(_:)``), in the text's
    /// order, reading at most `size` entries of each one's list (their ids are kept). A trigram in no subject ends the
    /// samples (nothing can match the text, so the rest are not read): it comes last, with a
    /// count of 0. Nil when the text is too short for the index.
    static func sampling(_ db: Database, _ text: String, size: Int) throws -> [SubjectTrigramSample]? {
        guard SearchText.trigramUsable(text) else { return nil }
        var samples: [SubjectTrigramSample] = []
        for trigram in SearchText.trigrams(text) {
            let sample = try sampling(db, trigram.text, offset: trigram.offset, size: size)
            samples.append(sample)
            if sample.count == 0 { break }
        }
        return samples
    }

    /// Samples of the search index's `keys` (``SubjectSearchKeys``), like a text's trigrams
    /// (``sampling(_:_:size:)``), placed after any text's offsets in the order given.
    static func sampling(_ db: Database, keys: [String], size: Int) throws -> [SubjectTrigramSample] {
        try keys.enumerated().map { index, key in try sampling(db, key, offset: Int(Int32.max) + index, size: size) }
    }

    /// The first `size` entries of the list of `term` (a trigram or a key), as the sample at `offset`.
    private static func sampling(_ db: Database, _ term: String, offset: Int, size: Int) throws -> SubjectTrigramSample {
        let read = try Int64.fetchAll(db.cachedStatement(sql: """
            SELECT rowid FROM emails_subject_trigram WHERE emails_subject_trigram MATCH ? ORDER BY rowid LIMIT ?
            """), arguments: [SearchText.ftsPhrase(term), size])
        let ids = read.first.flatMap { first in read.last.map { first...$0 } }
        return SubjectTrigramSample(offset: offset, text: term, count: read.count, ids: ids, complete: read.count < size,
                                    sampledIDs: read)
    }

    /// `samples` rarest first, each with its `measure`: every complete list before every longer
    /// one (a list read to its end is rarer than any list longer than the sample), then by
    /// `measure` ascending, then by offset in the text.
    static func rarestFirst(_ samples: [SubjectTrigramSample], by measure: (SubjectTrigramSample) -> Double)
        -> [(sample: SubjectTrigramSample, measure: Double)] {
        samples.map { ($0, measure($0)) }.sorted { a, b in
            if a.sample.complete != b.sample.complete { return a.sample.complete }
            if a.measure != b.measure { return a.measure < b.measure }
            return a.sample.offset < b.sample.offset
        }
    }
}
