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

        let list = try f.store.suppressions()
        #expect(Set(list.map(\.address)) == ["gone@example.net", "angry@example.net", "bye@example.net"])
        #expect(try f.store.suppression(for: "GONE@example.net")?.kind == .bounce)
        #expect(try f.store.suppression(for: "full@example.net") == nil)

        // A second bounce for a suppressed address adds nothing new.
        let again = try ingest(f, { Events.make(.failed, recipient: $0, at: at.addingTimeInterval(10), severity: .permanent, reason: "bounce", code: 550) },
                               to: "gone@example.net")
        #expect(again.suppressionsAdded.isEmpty)
        #expect(try f.store.suppressions().count == 3)
    }

    @Test func onlySupportMayLiftASuppression() throws {
        let f = try Fixture()
        _ = try ingest(f, { Events.make(.complained, recipient: $0, at: Date().addingTimeInterval(-3600)) }, to: "angry@example.net")
        let error = #expect(throws: StoreError.self) { _ = try f.store.liftSuppression(address: "angry@example.net", by: f.alice.id) }
        #expect(error == .notPermitted(staffID: f.alice.id, action: "lift the suppression of angry@example.net"))
        #expect(error?.description.contains("only the support team") == true)
        #expect(throws: StoreError.unknownStaff(id: 4242)) { _ = try f.store.liftSuppression(address: "angry@example.net", by: 4242) }
        #expect(try f.store.suppression(for: "angry@example.net") != nil)
        #expect(try f.store.liftSuppression(address: "Angry@Example.net", by: f.support.id))
        #expect(try f.store.suppression(for: "angry@example.net") == nil)
        #expect(try f.store.liftSuppression(address: "angry@example.net", by: f.support.id) == false)
        #expect(try f.store.suppressions().isEmpty)
        // A new complaint after the lift suppresses the address again.
        let later = try ingest(f, { Events.make(.complained, recipient: $0, at: Date().addingTimeInterval(3600)) }, to: "angry@example.net")
        #expect(later.suppressionsAdded.map(\.kind) == [.complaint])
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
