/// Which of a text's trigrams a subject-index match takes, by cost: the rarest, then each
/// further one (rarest first) only when its list costs less than the candidate rows it is
/// seen to remove.
///
/// How much a trigram narrows the ones already taken is read from the samples' ids
/// (``SubjectTrigramSample/sampledIDs``, the lowest ids of each list): below the highest id
/// both samples reach, the share of the taken trigrams' ids that the next one also holds.
/// Trigrams of one word hold nearly the same emails ("Hug", "ugh", "ghe" and "hes" are each in
/// ~192,000 of 10,000,000 subjects, and so are all four together), so multiplying their shares
/// as if independent promised "13, Hughes" + a domain 10,122 candidate rows where it read
/// them all (" Hu" AND "ghe"), and took six more 190,000-entry lists for "25, Smith Ma" whose
/// "h M" AND "25," already leave its 418 matches (the lists cost ~15 times the rest). When
/// too few sampled ids lie below that bound to tell, the trigram is taken to narrow nothing.
enum SubjectTrigramChoice {
    /// At least this many sampled ids of the taken trigrams must lie below the bound for a
    /// further trigram's narrowing to be measured.
    static let minimumSeen = 8

    /// What an entry of a key's list costs in an AND, against an entry of a trigram's: the AND
    /// steps through the rarer lists and seeks in the key's. At 5,000,000 emails "Byr" AND "e P"
    /// AND "t B" (237,000 entries) took 5.1–6.6 ms, 1.5 ms more with a raiser's key (167,057
    /// entries) and 7 ms more with gmail.com's (866,916): ~0.009 µs an entry, against ~0.019 for
    /// "5, " AND ", W" AND " Wi" (1,023,000 entries, 19 ms; sqlite3, 06/12/2026).
    static let keyEntryCost = 0.5

    /// The trigrams of `samples` to match (in the text's order) and the estimated share of the
    /// store's ids they leave as candidates. A further trigram is taken when its share of the
    /// ids is below `rowPerEntry` × `entriesPerID` × the share of the ids it removes from the
    /// candidates: a list entry costs 1, a candidate row `rowPerEntry`, and only candidates that
    /// are also entries of the range walked (`entriesPerID` of its ids) have their rows read.
    /// At most `maximum` trigrams, and after the first none that would bring the lists'
    /// estimated entries (``SubjectTrigramSample/estimatedEntries(highestID:)``) past
    /// `entryBudget`. A trigram in no subject (the samples' last, count 0) is the whole match.
    /// Empty samples: no trigram.
    ///
    /// `keys` (samples of ``SubjectSearchKeys``: the page's raiser or domain) come after the
    /// trigrams, outside `maximum`: a key narrows the candidates by its own share (it is taken to
    /// be independent of the text: its sampled ids, the lowest of its list, rarely meet a rare
    /// text's), under the same rule as a trigram, and its entries count ``keyEntryCost`` each
    /// against `entryBudget`.
    static func choose(_ samples: [SubjectTrigramSample], keys: [SubjectTrigramSample] = [], highestID: Int64,
                       rowPerEntry: Double, entriesPerID: Double,
                       maximum: Int, entryBudget: Double = .infinity) -> (trigrams: [SubjectTrigramSample], share: Double) {
        if let empty = samples.last, empty.count == 0 { return ([empty], 0) }
        let ordered = SubjectTrigramSample.rarestFirst(samples) { $0.storeShare(highestID: highestID) }
        guard let rarest = ordered.first else { return ([], 0) }
        var chosen = [rarest.sample]
        var share = rarest.measure
        // The ids every chosen trigram holds, among those read below `bound` (all of a complete list's).
        var held = rarest.sample.sampledIDs
        var bound = rarest.sample.complete ? Int64.max : (rarest.sample.ids?.upperBound ?? Int64.max)
        var entries = rarest.sample.estimatedEntries(highestID: highestID)
        for (candidate, candidateShare) in ordered.dropFirst() where chosen.count < max(1, maximum) {
            guard entries + candidate.estimatedEntries(highestID: highestID) <= entryBudget else { continue }
            let reach = candidate.complete ? Int64.max : (candidate.ids?.upperBound ?? Int64.max)
            let limit = min(bound, reach)
            let seen = held.prefix { $0 <= limit }
            guard seen.count >= minimumSeen else { continue }
            let both = seen.filter { candidate.sampledIDs.sortedContains($0) }
            let after = share * Double(both.count) / Double(seen.count)
            guard candidateShare < rowPerEntry * entriesPerID * (share - after) else { continue }
            chosen.append(candidate)
            entries += candidate.estimatedEntries(highestID: highestID)
            share = after
            held = both
            bound = limit
        }
        for key in keys {
            let keyEntries = key.estimatedEntries(highestID: highestID) * keyEntryCost
            guard entries + keyEntries <= entryBudget else { continue }
            let keyShare = key.storeShare(highestID: highestID)
            let after = share * keyShare
            guard keyShare < rowPerEntry * entriesPerID * (share - after) else { continue }
            chosen.append(key)
            entries += keyEntries
            share = after
        }
        return (chosen.sorted { $0.offset < $1.offset }, share)
    }

    /// The FTS5 query matching every one of `trigrams` (empty for none).
    static func match(_ trigrams: [SubjectTrigramSample]) -> String {
        trigrams.map { SearchText.ftsPhrase($0.text) }.joined(separator: " AND ")
    }
}
