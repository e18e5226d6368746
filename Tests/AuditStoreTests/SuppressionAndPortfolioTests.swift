import AuditCore
import Foundation
import Testing
@testable import AuditStore

@Suite("Suppression list and portfolio")
struct SuppressionAndPortfolioTests {
    let t0 = utcDate(2026, 7, 1, 10)

    func ingest(_ f: Fixture, _ make: (String) -> ProviderEvent, to: String) throws -> ApplyResult {
        let id = try f.store.record([f.newEmail(by: f.bob, to: to, at: t0)])[0]
        let messageID = try f.handOver(id, at: t0)
        return try f.store.apply([Events.incoming(make(to), messageID: messageID, recipient: to, auditID: id)], defaultAccountID: nil)
    }

    @Test func bouncesComplaintsAndUnsubscribesAreSuppressed() throws {
        let f = try Fixture()
        let at = t0.addingTimeInterval(60)
        let bounce = try ingest(f, { Events.make(.failed, recipient: $0, at: at, severity: .permanent, reason: "bounce", code: 550,
                                                  message: "The email account that you tried to reach does not exist", attempt: 1) },
                                to: "gone@example.net")
        #expect(bounce.suppressionsAdded.map(\.kind) == [.bounce])
        #expect(bounce.suppressionsAdded.first?.reason.contains("550") == true)
        #expect(try ingest(f, { Events.make(.complained, recipient: $0, at: at) }, to: "angry@example.net").suppressionsAdded.map(\.kind) == [.complaint])
        #expect(try ingest(f, { Events.make(.unsubscribed, recipient: $0, at: at) }, to: "bye@example.net").suppressionsAdded.map(\.kind) == [.unsubscribe])

        // Not for soft bounces, expired retries or failures caused by an existing suppression.
        let soft = try ingest(f, { Events.make(.failed, recipient: $0, at: at, severity: .temporary, reason: "generic", code: 452,
                                                message: "Mailbox full", attempt: 1) }, to: "full@example.net")
        #expect(soft.suppressionsAdded.isEmpty)
        #expect(soft.statusChanges.map(\.new) == [.temporaryFailure])
        #expect(try ingest(f, { Events.make(.failed, recipient: $0, at: at, severity: .temporary, reason: "old", code: 498) }, to: "old@example.net").suppressionsAdded.isEmpty)
        #expect(try ingest(f, { Events.make(.failed, recipient: $0, at: at, severity: .permanent, reason: "suppress-bounce", code: 605) }, to: "again@example.net").suppressionsAdded.isEmpty)
        #expect(try ingest(f, { Events.make(.delivered, recipient: $0, at: at, code: 250, message: "OK") }, to: "fine@example.net").suppressionsAdded.isEmpty)

        let list = try f.store.suppressions(accountID: f.account.id)
        #expect(Set(list.map(\.address)) == ["gone@example.net", "angry@example.net", "bye@example.net"])
        #expect(try f.store.suppression(for: "GONE@example.net", accountID: f.account.id)?.kind == .bounce)
        #expect(try f.store.suppression(for: "full@example.net", accountID: f.account.id) == nil)

        // A second bounce for a suppressed address adds nothing new.
        let again = try ingest(f, { Events.make(.failed, recipient: $0, at: at.addingTimeInterval(10), severity: .permanent, reason: "bounce", code: 550) },
                               to: "gone@example.net")
        #expect(again.suppressionsAdded.isEmpty)
        #expect(try f.store.suppressions(accountID: f.account.id).count == 3)
        #expect(try f.store.suppressions(accountID: f.otherAccount.id).isEmpty, "the list is the account's")
    }

    @Test func onlySupportMayRemoveASuppressionAndTheTrailKeepsWhoAndWhy() throws {
        let f = try Fixture()
        let complainedAt = Date().addingTimeInterval(-3600)
        _ = try ingest(f, { Events.make(.complained, recipient: $0, at: complainedAt) }, to: "angry@example.net")
        let users = try f.store.users()
        let alice = try #require(users.first { $0.staffID == f.alice.id })
        let support = try #require(users.first { $0.staffID == f.support.id })
        #expect(alice.accountID == f.account.id && !alice.isSupport)
        #expect(support.accountID == nil && support.isSupport, "support staff join the support team")
        let staffReader = try f.store.reader(for: alice, accountID: f.account.id)
        let supportReader = try f.store.reader(for: support, accountID: f.account.id)

        // Staff see the entry but may not remove it; nothing changes.
        #expect(try staffReader.suppressions().map(\.address) == ["angry@example.net"])
        let refusal = #expect(throws: StoreError.self) { try staffReader.removeSuppression(address: "angry@example.net", reason: "asked") }
        #expect(refusal == .needsSupportRole(user: "Alice Able", action: "remove a suppression"))
        #expect(refusal?.description.contains("needs the support role") == true)
        #expect(try staffReader.suppression(for: "angry@example.net") != nil)

        // Staff request removal with a note; support sees the open request.
        try staffReader.requestSuppressionRemoval(address: "Angry@Example.net", note: "Pressed spam by mistake; confirmed by phone")
        let request = try #require(try supportReader.suppression(for: "angry@example.net")?.removalRequest)
        #expect(request.requestedBy == "Alice Able")
        #expect(request.note == "Pressed spam by mistake; confirmed by phone")
        #expect(throws: StoreError.notSuppressed(address: "nobody@example.net")) {
            try staffReader.requestSuppressionRemoval(address: "nobody@example.net", note: "x")
        }

        // Support removes it with a reason; the trail says who did what and why, in order.
        try supportReader.removeSuppression(address: "angry@example.net", reason: "Recipient asked by phone")
        #expect(try supportReader.suppression(for: "angry@example.net") == nil)
        #expect(try supportReader.suppressions().isEmpty)
        #expect(throws: StoreError.notSuppressed(address: "angry@example.net")) {
            try supportReader.removeSuppression(address: "angry@example.net", reason: "again")
        }
        let trail = try staffReader.suppressionHistory(address: "angry@example.net")
        #expect(trail.map(\.action) == [.added, .requested, .removed])
        #expect(trail.map(\.by) == ["Provider", "Alice Able", "Sam Support"])
        #expect(trail[2].note == "Recipient asked by phone")
        // The other account's reader knows nothing of it.
        let carol = try #require(users.first { $0.staffID == f.carol.id })
        #expect(try f.store.reader(for: carol, accountID: f.otherAccount.id).suppressionHistory(address: "angry@example.net").isEmpty)

        // A new complaint after the removal suppresses the address again.
        let later = try ingest(f, { Events.make(.complained, recipient: $0, at: Date().addingTimeInterval(3600)) }, to: "angry@example.net")
        #expect(later.suppressionsAdded.map(\.kind) == [.complaint])
        #expect(try staffReader.suppressionHistory(address: "angry@example.net").map(\.action) == [.added, .requested, .removed, .added])
    }

    @Test func laterEmailsBlockedByAnEntryAreCounted() throws {
        let f = try Fixture()
        let at = t0.addingTimeInterval(60)
        _ = try ingest(f, { Events.make(.failed, recipient: $0, at: at, severity: .permanent, reason: "bounce", code: 550) }, to: "gone@example.net")
        for minutes in [10.0, 20.0] {
            let id = try f.store.record([f.newEmail(by: f.bob, to: "gone@example.net", at: at.addingTimeInterval(minutes * 60))])[0]
            let messageID = try f.handOver(id, at: at.addingTimeInterval(minutes * 60))
            _ = try f.store.apply([Events.incoming(Events.make(.failed, recipient: "gone@example.net", at: at.addingTimeInterval(minutes * 60 + 1),
                                                               severity: .permanent, reason: "suppress-bounce", code: 605),
                                                   messageID: messageID, recipient: "gone@example.net", auditID: id)], defaultAccountID: nil)
        }
        #expect(try f.store.suppression(for: "gone@example.net", accountID: f.account.id)?.blockedEmails == 2)
    }

    @Test func unitSearchFindsEveryUnitOfTheAddress() throws {
        let f = try Fixture()
        let harbour = try f.store.insertBlock(accountID: f.account.id, name: "Harbour House", street: "1 Quay Street", town: "Bristol", postcode: "BS1 4AA")
        let abbey = try f.store.insertBlock(accountID: f.account.id, name: "Abbey Court", street: "12 Abbey Road", town: "Bath", postcode: "BA1 1AA")
        let flat10 = try f.store.insertUnit(blockID: harbour.id, name: "Flat 10")
        let flat2 = try f.store.insertUnit(blockID: harbour.id, name: "Flat 2")
        let abbey1 = try f.store.insertUnit(blockID: abbey.id, name: "Flat 1")
        let other = try f.store.insertUnit(blockID: abbey.id, name: "Flat 9")
        _ = try f.store.insertContact(accountID: f.account.id, name: "Pat Owner", email: "Pat@Example.net", phone: "0117 000 0000",
                                      role: .leaseholder, unitIDs: [flat10.id, flat2.id])
        _ = try f.store.insertContact(accountID: f.account.id, name: "Pat Owner", email: "pat@example.net", phone: "0117 000 0000",
                                      role: .director, unitIDs: [abbey1.id])
        _ = try f.store.insertContact(accountID: f.account.id, name: "Someone Else", email: "else@example.net", phone: "", role: .tenant, unitIDs: [other.id])
        let rows = try f.store.unitSearch(address: " PAT@example.NET ")
        #expect(rows.map { "\($0.blockName)/\($0.unitName)" } == ["Abbey Court/Flat 1", "Harbour House/Flat 2", "Harbour House/Flat 10"])
        #expect(rows[0].address == "12 Abbey Road, Bath BA1 1AA")
        #expect(rows[0].contactRole == .director)
        #expect(rows[1].contactName == "Pat Owner")
        #expect(rows[1].phone == "0117 000 0000")
        #expect(rows[1].email == "pat@example.net")
        #expect(try f.store.unitIDs(usingAddress: "pat@example.net") == [flat10.id, flat2.id, abbey1.id].sorted())
        #expect(try f.store.unitSearch(address: "nobody@example.net").isEmpty)

        // The View pop-up shows the same rows for the email's To address.
        let id = try f.store.record([f.newEmail(by: f.alice, to: "pat@example.net", at: t0)])[0]
        #expect(try f.store.detail(emailID: id)?.units == rows)
        #expect(try f.store.detail(emailID: 9999) == nil)
    }

    @Test func portfolioValidation() throws {
        let f = try Fixture()
        #expect(throws: StoreError.unknownAccount(id: 77)) { _ = try f.store.insertStaff(accountID: 77, name: "X", role: .staff) }
        #expect(throws: StoreError.unknownBlock(id: 77)) { _ = try f.store.insertUnit(blockID: 77, name: "X") }
        #expect(throws: StoreError.unknownUnit(id: 77)) {
            _ = try f.store.insertContact(accountID: f.account.id, name: "X", email: "x@y.zz", phone: "", role: .tenant, unitIDs: [77])
        }
        #expect(try f.store.accounts().map(\.name) == ["Harbour Lettings", "Other Agency"])
        #expect(try f.store.staff(accountID: f.otherAccount.id).map(\.name) == ["Carol Cole"])
        #expect(try f.store.staff(accountID: nil).count == 4)
        let external = try f.store.externalStaff(accountID: f.otherAccount.id)
        #expect(try f.store.externalStaff(accountID: f.otherAccount.id) == external)
        #expect(try f.store.staff(accountID: f.otherAccount.id).map(\.name) == ["Carol Cole", "External"])
    }
}
