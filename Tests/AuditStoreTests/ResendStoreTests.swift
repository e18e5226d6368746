import AuditCore
import Foundation
import GRDB
import Testing
@testable import AuditStore

@Suite("Resend in the store")
struct ResendStoreTests {
    let t0 = utcDate(2026, 7, 1, 10)

    /// Account A with a unit whose two contacts use old@example.net, and account B with a
    /// look-alike contact; one email from A's Alice to old@example.net.
    func world() throws -> (f: Fixture, alice: AppUser, email: Int64, unit: Int64) {
        let f = try Fixture()
        for account in [f.account, f.otherAccount] {
            let block = try f.store.insertBlock(accountID: account.id, name: "Quay House", street: "2 Quay Street", town: "Bristol", postcode: "BS1 4AB")
            let unit = try f.store.insertUnit(blockID: block.id, name: "Flat 3")
            _ = try f.store.insertContact(accountID: account.id, name: "Pat Owner", email: "old@example.net", phone: "0117 000 0003",
                                          role: .leaseholder, unitIDs: [unit.id])
            if account == f.account {
                _ = try f.store.insertContact(accountID: account.id, name: "Sam Tenant", email: "Old@Example.net", phone: "0117 000 0004",
                                              role: .tenant, unitIDs: [unit.id])
            }
        }
        let unit = try #require(try f.store.unitSearch(address: "old@example.net", accountID: f.account.id).first?.unitID)
        var email = f.newEmail(by: f.alice, to: "old@example.net", at: t0, subject: "Demand", cc: ["agent@example.com"], activity: .serviceChargeDemand)
        email.unitIDs = [unit]
        let id = try f.store.record([email])[0]
        let alice = try #require(try f.store.users().first { $0.staffID == f.alice.id })
        return (f, alice, id, unit)
    }

    @Test func aResendCopiesTheEmailAndLinksBothWays() throws {
        let (f, alice, original, unit) = try world()
        let reader = try f.store.reader(for: alice, accountID: f.account.id)
        let outcome = try reader.resend(emailID: original, to: nil, updateContacts: false, at: t0.addingTimeInterval(3600))
        #expect(outcome.to == "old@example.net" && !outcome.addressChanged && outcome.contactsUpdated == 0)
        let old = try #require(try reader.detail(emailID: original)).email
        let new = try #require(try reader.detail(emailID: outcome.newEmailID))
        #expect(new.email.status == .pending && new.email.providerMessageID == nil)
        #expect(new.email.createdAt == t0.addingTimeInterval(3600))
        #expect([new.email.subject, new.email.textBody, new.email.from] == [old.subject, old.textBody, old.from])
        #expect(new.email.cc == ["agent@example.com"] && new.email.attachmentNames == old.attachmentNames && new.email.activity == old.activity)
        #expect(new.units.map(\.unitID).contains(unit))
        #expect(new.links == ResendLinks(resendOf: original))
        // Resent twice: both listed on the original, oldest first; a resend of the resend chains.
        let again = try reader.resend(emailID: original, to: nil, updateContacts: false, at: t0.addingTimeInterval(7200))
        let chained = try reader.resend(emailID: outcome.newEmailID, to: nil, updateContacts: false, at: t0.addingTimeInterval(7300))
        let links = try reader.resendLinks(emailIDs: [original, outcome.newEmailID, again.newEmailID, chained.newEmailID])
        #expect(links[original] == ResendLinks(resentAs: [outcome.newEmailID, again.newEmailID]))
        #expect(links[outcome.newEmailID] == ResendLinks(resendOf: original, resentAs: [chained.newEmailID]))
        #expect(links[chained.newEmailID]?.resendOf == outcome.newEmailID)
        #expect(links[original]?.text == "Resent as #\(outcome.newEmailID), #\(again.newEmailID)")
        // The new emails are Pending for the feeder, and counted as Pending.
        #expect(Set(try f.store.pendingHandOver(limit: 10).map(\.id)) == [original, outcome.newEmailID, again.newEmailID, chained.newEmailID])
        #expect(try reader.statusCounts(matching: EmailFilter(dateRange: .all), now: t0)[.pending] == 4)
        try f.checkCounts()
    }

    @Test func aCorrectedAddressUpdatesTheAccountsContactsOnlyAndRecordsIt() throws {
        let (f, alice, original, unit) = try world()
        let reader = try f.store.reader(for: alice, accountID: f.account.id)
        let outcome = try reader.resend(emailID: original, to: "Pat <New@Example.net>", updateContacts: true, at: t0)
        #expect(outcome.to == "new@example.net" && outcome.originalTo == "old@example.net" && outcome.contactsUpdated == 2)
        #expect(try reader.unitSearch(address: "new@example.net").map(\.contactName).sorted() == ["Pat Owner", "Sam Tenant"])
        #expect(try reader.unitSearch(address: "new@example.net").allSatisfy { $0.unitID == unit })
        #expect(try reader.unitSearch(address: "old@example.net").isEmpty)
        // Account B's look-alike contact keeps the old address.
        #expect(try f.store.unitSearch(address: "old@example.net", accountID: f.otherAccount.id).count == 1)
        let recorded = try f.store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT account_id, old_email, new_email, user_name, resend_id FROM contact_changes ORDER BY id")
        }
        #expect(recorded.count == 2)
        #expect(recorded.allSatisfy { ($0[0] as Int64) == f.account.id && ($0[1] as String) == "old@example.net"
                                      && ($0[2] as String) == "new@example.net" && ($0[3] as String) == "Alice Able"
                                      && ($0[4] as Int64) == outcome.newEmailID })
        #expect(try reader.detail(emailID: outcome.newEmailID)?.links
                == ResendLinks(resendOf: original, correctedFrom: "old@example.net", contactsUpdated: 2))
        // Without the update, contacts stay as they are.
        let plain = try reader.resend(emailID: original, to: "other@example.net", updateContacts: false, at: t0)
        #expect(plain.contactsUpdated == 0)
        #expect(try reader.unitSearch(address: "new@example.net").count == 2)
    }

    @Test func refusalsRecordNothing() throws {
        let (f, alice, original, _) = try world()
        let reader = try f.store.reader(for: alice, accountID: f.account.id)
        // A suppressed address of the account.
        let messageID = try f.handOver(original, at: t0)
        _ = try f.store.apply([Events.incoming(Events.make(.complained, recipient: "old@example.net", at: t0.addingTimeInterval(60)),
                                               messageID: messageID, recipient: "old@example.net", auditID: original)], defaultAccountID: nil)
        let entry = try #require(try reader.suppression(for: "old@example.net"))
        let before = try f.store.emailCount()
        let changeToken = try f.store.changeToken()
        #expect(throws: ResendRefusal.suppressed(entry)) { _ = try reader.resend(emailID: original, to: nil, updateContacts: false, at: t0) }
        #expect(throws: ResendRefusal.suppressed(entry)) { _ = try reader.resend(emailID: original, to: "OLD@example.net", updateContacts: false, at: t0) }
        #expect(throws: ResendRefusal.invalidAddress("old@example")) { _ = try reader.resend(emailID: original, to: "old@example", updateContacts: false, at: t0) }
        #expect(throws: ResendRefusal.invalidAddress("a b@example.net")) { _ = try reader.resend(emailID: original, to: "a b@example.net", updateContacts: true, at: t0) }
        #expect(throws: ResendRefusal.contactsNeedNewAddress) { _ = try reader.resend(emailID: original, to: "old@example.net", updateContacts: true, at: t0) }
        #expect(throws: ResendRefusal.notFound(emailID: 9_999)) { _ = try reader.resend(emailID: 9_999, to: nil, updateContacts: false, at: t0) }
        // An email known only from the provider's events has no content to resend.
        _ = try f.store.apply([Events.incoming(Events.make(.delivered, recipient: "x@example.net", at: t0), messageID: "other@mg.example.com",
                                               recipient: "x@example.net")], defaultAccountID: f.account.id)
        let external = try #require(try f.store.emailIDs(messageID: "other@mg.example.com").first)
        let withExternal = try f.store.emailCount()
        #expect(throws: ResendRefusal.notRecordedHere(emailID: external)) {
            _ = try reader.resend(emailID: external, to: "y@example.net", updateContacts: false, at: t0)
        }
        #expect(try f.store.emailCount() == withExternal && withExternal == before + 1)
        #expect(try f.store.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM email_resends") } == 0)
        #expect(try reader.unitSearch(address: "old@example.net").count == 2, "contacts untouched")
        #expect(try f.store.changeToken() > changeToken, "only the external email changed the store")
        // The refusal says what to do, on one line.
        let line = ResendRefusal.suppressedLine(entry, timeZone: london)
        #expect(line.contains("Complained since 01/07/2026 11:01") && line.contains("suppressions request old@example.net --note TEXT")
                && line.contains("S then r") && !line.contains("\n"))
        // Once support removes it, the resend goes through.
        let support = try #require(try f.store.users().first { $0.isSupport })
        try f.store.reader(for: support, accountID: f.account.id).removeSuppression(address: "old@example.net", reason: "confirmed with Pat")
        #expect(try reader.resend(emailID: original, to: nil, updateContacts: false, at: t0).to == "old@example.net")
    }

    @Test func aSupportUserResendsInTheChosenAccountUnderTheirOwnName() throws {
        let f = try Fixture()
        let carolEmail = try f.store.record([f.newEmail(by: f.carol, to: "c@example.net", at: t0)])[0]
        let support = try #require(try f.store.users().first { $0.isSupport })
        let reader = try f.store.reader(for: support, accountID: f.otherAccount.id)
        let first = try reader.resend(emailID: carolEmail, to: nil, updateContacts: false, at: t0)
        let second = try reader.resend(emailID: carolEmail, to: nil, updateContacts: false, at: t0)
        let raisedBy = try [first, second].map { try #require(try reader.detail(emailID: $0.newEmailID)?.email) }
        #expect(raisedBy.allSatisfy { $0.raisedByName == "Sam Support" && $0.accountID == f.otherAccount.id })
        #expect(raisedBy[0].raisedByID == raisedBy[1].raisedByID, "one staff record for the support user in that account")
        #expect(try reader.staff(accountID: nil).contains { $0.id == raisedBy[0].raisedByID && $0.role == .support })
        // A staff user cannot act in another account at all.
        let alice = try #require(try f.store.users().first { $0.staffID == f.alice.id })
        #expect(throws: StoreError.accountNotPermitted(user: "Alice Able", accountID: f.otherAccount.id)) {
            _ = try f.store.resend(emailID: carolEmail, accountID: f.otherAccount.id, user: alice, to: nil, updateContacts: false, at: t0)
        }
    }
}
