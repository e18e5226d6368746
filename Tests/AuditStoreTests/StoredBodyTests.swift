import AuditCore
import Foundation
import GRDB
import PropertyBased
import Testing
@testable import AuditStore

/// Email bodies stored compactly (``CompactText`` format 2): read back byte for byte through
/// View's detail, the hand-over queue and resend, beside bodies stored as text before format 2.
@Suite("Compact email bodies")
struct StoredBodyTests {
    /// A demand letter of the length property-management systems send (about 1.4 KB).
    static let letter = """
        Dear Zoë,

        Please find attached the service charge demand 48213 for Observatory Heights Flat 8, totalling £1,284.50, \
        payable within 30 days of the date of this demand.

        The summary of tenants' rights and obligations is also attached, as the Landlord and Tenant Act 1985 requires.
        If you pay by bank transfer, please quote the reference 48213 so that we can match your payment.
        If you would like to pay by instalments, please call the Accounts Team on 0117 496 0000 before the due date.

        Service charge period: 01/04/2026 to 31/03/2027
        Block: Observatory Heights, 12 Quay Street, Bristol BS1 4AB
        Share of the block's costs: 2.381%

        Kind regards,
        Accounts Team
        Harbour Lets — 👩‍👩‍👧 families welcome
        """

    /// Text pieces of every awkward kind: accents, combining marks, emoji with joiners,
    /// right-to-left, CJK, CR LF, tabs, no-break and line-separator spaces.
    static let texts = zip(Gen.element(of: CompactTextTests.pieces + ["Dear Zoë,\n\n", "£1,284.50", " payable within 30 days"]).array(of: 0...300),
                           Gen.unicodeScalar(in: " "..."\u{2FFF}").array(of: 0...40))
        .map { pieces, scalars in pieces.compactMap { $0 }.joined() + String(String.UnicodeScalarView(scalars)) }

    @Test func generatedBodiesRoundTripByteForByte() async throws {
        let compressor = CompactText.Compressor(format: .plainText)
        await propertyCheck(count: 500, input: Self.texts) { text in
            let back = try StoredBody.text(StoredBody.value(text, compressor: compressor))
            #expect(Array(back.utf8) == Array(text.utf8))
        }
    }

    @Test func aLetterIsStoredAsASmallerBlobAndReadBackWhole() throws {
        let f = try Fixture()
        var long = f.newEmail(by: f.alice, to: "zoe@example.net", at: utcDate(2026, 5, 1, 9))
        long.textBody = Self.letter
        let short = f.newEmail(by: f.alice, to: "sam@example.net", at: utcDate(2026, 5, 1, 9, 1))
        let ids = try f.store.record([long, short])
        let stored = try f.store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT typeof(body), length(body) FROM emails WHERE id IN (?, ?) ORDER BY id", arguments: [ids[0], ids[1]])
        }
        #expect(stored.map { $0[0] as String } == ["blob", "text"])
        let blobBytes: Int = stored[0][1]
        #expect(blobBytes * 3 < Self.letter.utf8.count * 2, "\(blobBytes) bytes stored for \(Self.letter.utf8.count)")
        #expect(try f.store.detail(emailID: ids[0])?.email.textBody == Self.letter)
        #expect(try f.store.detail(emailID: ids[1])?.email.textBody == short.textBody)
        // The hand-over sends exactly the recorded body.
        #expect(try f.store.pendingHandOver(limit: 10).map(\.textBody) == [Self.letter, short.textBody])
    }

    @Test func aBodyStoredAsTextBeforeFormatTwoReadsTheSame() throws {
        let f = try Fixture()
        var email = f.newEmail(by: f.alice, to: "zoe@example.net", at: utcDate(2026, 5, 1, 9))
        email.textBody = Self.letter
        let id = try f.store.record([email])[0]
        try f.store.pool.write { db in
            try db.execute(sql: "UPDATE emails SET body = ? WHERE id = ?", arguments: [Self.letter, id])
        }
        #expect(try f.store.pool.read { try String.fetchOne($0, sql: "SELECT typeof(body) FROM emails WHERE id = ?", arguments: [id]) } == "text")
        #expect(try f.store.detail(emailID: id)?.email.textBody == Self.letter)
    }

    @Test func aResendCarriesTheCompressedBody() throws {
        let f = try Fixture()
        var email = f.newEmail(by: f.alice, to: "zoe@example.net", at: utcDate(2026, 5, 1, 9), activity: .serviceChargeDemand)
        email.textBody = Self.letter
        let id = try f.store.record([email])[0]
        let alice = try #require(try f.store.users().first { $0.staffID == f.alice.id })
        let outcome = try f.store.reader(for: alice, accountID: f.account.id)
            .resend(emailID: id, to: nil, updateContacts: false, at: utcDate(2026, 5, 2, 9))
        #expect(try f.store.detail(emailID: outcome.newEmailID)?.email.textBody == Self.letter)
    }

    @Test func aDamagedBodyIsReportedAsACorruptStore() throws {
        let f = try Fixture()
        var email = f.newEmail(by: f.alice, to: "zoe@example.net", at: utcDate(2026, 5, 1, 9))
        email.textBody = Self.letter
        let id = try f.store.record([email])[0]
        try f.store.pool.write { db in
            // Flip a byte in the middle of the deflate stream.
            var bytes = try #require(try Data.fetchOne(db, sql: "SELECT body FROM emails WHERE id = ?", arguments: [id]))
            bytes[bytes.count / 2] ^= 0x55
            try db.execute(sql: "UPDATE emails SET body = ? WHERE id = ?", arguments: [bytes, id])
        }
        let error = #expect(throws: StoreError.self) { try f.store.detail(emailID: id) }
        guard case .corrupt = error else {
            Issue.record("expected a corrupt store, got \(String(describing: error))")
            return
        }
    }
}
