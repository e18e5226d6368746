import AuditCore
import Foundation
import Testing
@testable import AuditStorePostgres

/// The pure parts of a PostgreSQL Subject page: the trigrams its index read asks for, the byte
/// search that counts them in a sample, and the choice of the way past the walk.
@Suite struct PostgresSubjectPageTests {
    func utf8(_ subjects: [String]) -> [[UInt8]] { subjects.map { Array($0.lowercased().utf8) } }

    @Test func trigramsSpreadOverTheTextNotOneWord() {
        // "Campbell" in a tenth of the sample, "4, " in a twentieth: the trigrams of one word
        // would find every Campbell; the choice covers the whole text.
        var sample = Array(repeating: "Statement for Flat 2, Campbell House", count: 10)
        sample += Array(repeating: "Receipt for Flat 14, Oak Court", count: 5)
        sample += Array(repeating: "Reminder: arrears on Flat 9, Elm Lofts", count: 85)
        let trigrams = PostgresAuditStore.subjectTrigrams(of: "4, Campbell", sample: utf8(sample))
        #expect(trigrams.contains("4, "))
        #expect(trigrams.count <= PostgresAuditStore.subjectTrigramsAsked)
        let covered = Set(trigrams.flatMap { trigram in
            let start = Array("4, campbell".unicodeScalars).indices.first { index in
                String(String.UnicodeScalarView(Array("4, campbell".unicodeScalars)[index..<min(index + 3, 11)])) == trigram
            }!
            return start..<(start + 3)
        })
        #expect(covered == Set(0..<11), "\(trigrams)")
    }

    @Test func aTrigramNearlyEverySubjectHoldsIsLeftOut() {
        let sample = (0..<100).map { "Statement for Flat \($0 % 40), Birch Road" }
        let trigrams = PostgresAuditStore.subjectTrigrams(of: "Flat 13, B", sample: utf8(sample))
        // "fla", "lat", "at " and ", b" are in every subject: none of them; the rarest, " 13", first.
        #expect(trigrams.allSatisfy { !["fla", "lat", "at ", ", b"].contains($0) }, "\(trigrams)")
        #expect(trigrams.first == " 13" && trigrams.count >= 2, "\(trigrams)")
    }

    @Test func trigramsAreFoldedAsTheIndexFoldsThem() {
        // ASCII letters folded, nothing else; code points, not bytes.
        #expect(PostgresAuditStore.subjectTrigrams(of: "ÉCO", sample: []) == ["Éco"])
        #expect(PostgresAuditStore.subjectTrigrams(of: "ab", sample: []) == [])
        #expect(Set(PostgresAuditStore.subjectTrigrams(of: "AbCd", sample: [])) == ["abc", "bcd"])
    }

    @Test func byteSearch() {
        let subject = Array("rent for flat 4, café".utf8)
        #expect(PostgresAuditStore.bytes(subject, hold: Array("4, ".utf8)))
        #expect(PostgresAuditStore.bytes(subject, hold: Array("afé".utf8)))
        #expect(!PostgresAuditStore.bytes(subject, hold: Array("afe".utf8)))
        #expect(!PostgresAuditStore.bytes(Array("fl".utf8), hold: Array("fla".utf8)))
        #expect(PostgresAuditStore.bytes(subject, hold: []))
        // A sample's subjects are folded as the index folds them: ASCII letters only.
        #expect(PostgresAuditStore.foldedUTF8("CAFÉ Rent, Flat 4") == Array("cafÉ rent, flat 4".utf8))
        #expect(EmailFilter.asciiLowercased("CAFÉ Rent, Flat 4") == "cafÉ rent, flat 4")
    }

    @Test func theCheapestWayPastTheWalk() {
        // A rare text over the date index: the trigram index.
        #expect(SubjectPageCosts(candidates: 0.002, statuses: 1).cheapest == .index)
        // A text in nearly every subject: walking on is cheaper than its candidates.
        #expect(SubjectPageCosts(candidates: 0.6, statuses: 1).cheapest == .walk)
        // A common text beside a domain of few emails: walk the domain.
        #expect(SubjectPageCosts(candidates: 0.04, statuses: 1, range: 0.004, narrowRange: true).cheapest == .walk)
        // ... beside a big one: the index.
        #expect(SubjectPageCosts(candidates: 0.04, statuses: 1, range: 0.3, narrowRange: true).cheapest == .index)
        // A common text with a rare status: the status's rows.
        #expect(SubjectPageCosts(candidates: 0.5, statuses: 0.01, statusesWalkable: true).cheapest == .walkByStatus)
        #expect(SubjectPageCosts(candidates: 0.5, statuses: 0.01, statusesWalkable: false).cheapest == .walk)
        // The common text beside the small domain again, its key asked for too (schema 11):
        // the index's candidates are then the text's within the domain.
        #expect(SubjectPageCosts(candidates: 0.04, statuses: 1, range: 0.004, narrowRange: true, keyedRange: true).cheapest == .index)
        #expect(SubjectPageCosts(candidates: 0.04, statuses: 1, range: 0.004, narrowRange: true, keyedRange: true)
            .candidatesOverEveryMonth(storeEmails: 1_000_000) == 160)
    }

    @Test func trigramsBesideAKeyOnlyWhileTheyPayForTheirReads() {
        // A rare text beside a raiser (a thirtieth of a million emails) over 37 months: the
        // second trigram rules out no candidate the sample can see; one is asked for.
        #expect(SubjectPageCosts.trigramsToAsk(shares: [0.002, 0.002], months: 37, rangeEmails: 33_000) == 1)
        // Beside a domain of a sixth of them, a second trigram that rules out most is worth its reads.
        #expect(SubjectPageCosts.trigramsToAsk(shares: [0.05, 0.004, 0.002], months: 37, rangeEmails: 170_000) == 2)
        #expect(SubjectPageCosts.trigramsToAsk(shares: [], months: 37, rangeEmails: 1) == 0)
    }

    @Test func theRangeKeysAFilterAsksFor() {
        #expect(PostgresAuditStore.rangeKeys(EmailFilter(subject: "x")).all.isEmpty)
        let one = PostgresAuditStore.rangeKeys(EmailFilter(raisedBy: [7], to: .domain("Harbour.TEST"), subject: "x"))
        #expect(one.all == [PostgresSearchKeys.raiser(7), PostgresSearchKeys.domain("harbour.test")] && one.anyOf.isEmpty)
        let two = PostgresAuditStore.rangeKeys(EmailFilter(raisedBy: [9, 7], subject: "x"))
        #expect(two.all.isEmpty && two.anyOf == [PostgresSearchKeys.raiser(7), PostgresSearchKeys.raiser(9)])
        // An exact address or a prefix has no key.
        #expect(PostgresAuditStore.rangeKeys(EmailFilter(to: .exact("ann@harbour.test"), subject: "x")).all.isEmpty)
        // No key can be a trigram.
        #expect(PostgresSearchKeys.raiser(1).unicodeScalars.count >= 4 && PostgresSearchKeys.domain("").unicodeScalars.count >= 4)
    }

    @Test func aWalkByStatusReadsAsManyRowsAsTheTextNeeds() {
        // A text in 45% of subjects, 50 rows wanted: twice 50 / 0.45 rows, not a whole chunk.
        #expect(PostgresAuditStore.statusWalkFirstChunk(wanted: 50, textShare: 0.45) == 223)
        // A rare text reads whole chunks; a text every subject holds, the least chunk.
        #expect(PostgresAuditStore.statusWalkFirstChunk(wanted: 50, textShare: 0.002) == PostgresAuditStore.subjectWalkChunk)
        #expect(PostgresAuditStore.statusWalkFirstChunk(wanted: 1, textShare: 1) == PostgresAuditStore.statusWalkLeastChunk)
        #expect(PostgresAuditStore.statusWalkFirstChunk(wanted: 50, textShare: 0) == PostgresAuditStore.subjectWalkChunk)
    }
}
