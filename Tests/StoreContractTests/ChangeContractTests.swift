import AuditCore
import AuditStore
import AuditStorePostgres
import Foundation
import Testing

/// The people's changes in the store contract, run against each backend: suppression requests
/// and removals with their trail (``SuppressionChangeStore``), refused for staff and across
/// accounts; resends (``ResendStore``) recorded Pending and linked both ways; and the merge of
/// an External email into the email marked handed over with its message id.
@Suite("Store contract: suppression changes, resends, External merge")
struct ChangeContractTests {
    let ingest = IngestContractTests()
    let t0 = utc(2026, 12, 1, 9)

    /// An agency with a staff member (Priya Shah) and the support team's Sam Rees (whose staff
    /// record is in this account), their sign-in users, and a unit with one tenant contact.
    struct Agency {
        var account: Account
        var staff: StaffUser
        var staffUser: AppUser
        var supportUser: AppUser
        var unitID: Int64
    }

    func agency(_ contract: ContractStore, _ name: String, support: Bool = true) throws -> Agency {
        let store = contract.store
        let account = try store.insertAccount(name: name)
        let staff = try store.insertStaff(accountID: account.id, name: "Priya Shah", role: .staff)
        let block = try store.insertBlock(accountID: account.id, name: "Quay House", street: "1 Quay St", town: "Bristol", postcode: "BS1 4QA")
        let unit = try store.insertUnit(accountID: account.id, blockID: block.id, name: "Flat 3")
        _ = try store.insertContact(accountID: account.id, name: "Tom Evans", email: "tenant@example.net", phone: "0117 496 0000",
                                    role: .tenant, unitIDs: [unit.id])
        let staffUser = try contract.user(ofStaff: staff)
        var supportUser = staffUser
        if support {
            supportUser = try contract.user(ofStaff: try store.insertStaff(accountID: account.id, name: "Sam Rees", role: .support))
        }
        return Agency(account: account, staff: staff, staffUser: staffUser, supportUser: supportUser, unitID: unit.id)
    }

    /// Records a receipt to `to` linked to the agency's unit.
    func receipt(_ store: any EmailRecordingStore, _ agency: Agency, to: String = "tenant@example.net", at: Date) throws -> Int64 {
        try store.record([NewEmail(accountID: agency.account.id, raisedByID: agency.staff.id, activity: .receiptRecorded, to: to,
                                   cc: ["office@harbourlets.co.uk"], from: "Harbour Lets <notices@mg.harbourlets.co.uk>",
                                   subject: "Rent receipt", textBody: "Dear tenant,\nthank you.", attachmentNames: ["receipt.pdf"],
                                   createdAt: at, unitIDs: [agency.unitID])])[0]
    }

    /// Suppresses `to` in the agency's account by a hard bounce of one email to it.
    func suppress(_ contract: ContractStore, _ agency: Agency, to: String = "tenant@example.net", message: String) throws -> Int64 {
        let id = try receipt(contract.store, agency, to: to, at: t0)
        let bounce = ingest.incoming(.failed, "bounce-\(message)", to: to, at: t0 + 60, message: message, auditID: id,
                                     severity: .permanent, code: 550)
        #expect(try contract.store.apply([bounce], defaultAccountID: nil).suppressionsAdded.map(\.address) == [to])
        return id
    }

    /// The one line a refused call throws, nil when it did not throw.
    func refusal(_ body: () throws -> Void) -> String? {
        do {
            try body()
            return nil
        } catch {
            return "\(error)"
        }
    }

    /// Times as the stores keep them (milliseconds).
    func ms(_ date: Date) -> Date { StoredEventCoding.date(milliseconds: StoredEventCoding.milliseconds(date)) }

    @Test(arguments: Backend.available)
    func requestThenRemoveKeepsTheTrail(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = contract.store
            let a = try agency(contract, "Harbour Lets")
            let emailID = try suppress(contract, a, message: "m1@mg.harbourlets.co.uk")
            let reader = try contract.reader(for: a.staffUser, accountID: a.account.id)
            let token = try reader.changeToken()

            let asked = t0 + 3600.25
            try store.requestSuppressionRemoval(address: " Tenant@Example.NET ", accountID: a.account.id, userID: a.staffUser.id,
                                                note: "Tenant confirmed the address by phone", at: asked)
            let entry = try #require(try reader.suppression(for: "tenant@example.net"))
            #expect(entry.removalRequest == SuppressionRequest(requestedBy: "Priya Shah", requestedAt: ms(asked),
                                                               note: "Tenant confirmed the address by phone"))
            #expect(entry.emailID == emailID && entry.kind == .bounce)
            #expect(try reader.suppressions().map(\.removalRequest) == [entry.removalRequest])
            #expect(try reader.changeToken() != token)

            // Staff may ask but not remove; nothing changes.
            #expect(refusal {
                try store.removeSuppression(address: "tenant@example.net", accountID: a.account.id, userID: a.staffUser.id,
                                            reason: "Please", at: asked + 60)
            } == "Priya Shah cannot remove a suppression: it needs the support role.")
            #expect(try reader.suppression(for: "tenant@example.net") == entry)

            let removed = t0 + 7200
            try store.removeSuppression(address: "tenant@example.net", accountID: a.account.id, userID: a.supportUser.id,
                                        reason: "Confirmed with the tenant", at: removed)
            #expect(try reader.suppressions().isEmpty)
            #expect(try reader.suppression(for: "tenant@example.net") == nil)
            #expect(try contract.activeSuppressions(accountID: a.account.id).isEmpty)
            let history = try reader.suppressionHistory(address: "TENANT@example.net")
            #expect(history.map(\.action) == [.added, .requested, .removed])
            #expect(history.map(\.by) == ["Provider", "Priya Shah", "Sam Rees"])
            #expect(history.map(\.at) == [ms(t0 + 60), ms(asked), ms(removed)])
            #expect(history.dropFirst().map(\.note) == ["Tenant confirmed the address by phone", "Confirmed with the tenant"])

            // Not (or no longer) suppressed; a NUL in the note; an unknown user or account.
            #expect(refusal {
                try store.removeSuppression(address: "tenant@example.net", accountID: a.account.id, userID: a.supportUser.id,
                                            reason: "Again", at: removed)
            } == "tenant@example.net is not on the suppression list.")
            #expect(refusal {
                try store.requestSuppressionRemoval(address: "nobody@example.net", accountID: a.account.id, userID: a.staffUser.id,
                                                    note: "?", at: removed)
            } == "nobody@example.net is not on the suppression list.")
            _ = try suppress(contract, a, to: "owner@example.org", message: "m2@mg.harbourlets.co.uk")
            #expect(refusal {
                try store.requestSuppressionRemoval(address: "owner@example.org", accountID: a.account.id, userID: a.staffUser.id,
                                                    note: "bad\u{0}note", at: removed)
            } == "Invalid value: the note contains a NUL character.")
            #expect(refusal {
                try store.requestSuppressionRemoval(address: "owner@example.org", accountID: a.account.id, userID: 9_999,
                                                    note: "?", at: removed)
            } == "There is no user with id 9999.")
            #expect(refusal {
                try store.requestSuppressionRemoval(address: "owner@example.org", accountID: 9_999, userID: a.supportUser.id,
                                                    note: "?", at: removed)
            } == "There is no account with id 9999.")
            #expect(try reader.suppressionHistory(address: "owner@example.org").map(\.action) == [.added])
            #expect(try reader.suppression(for: "owner@example.org")?.removalRequest == nil)

            // A later bounce puts the address back, with a new trail line.
            let again = ingest.incoming(.failed, "bounce-again", to: "tenant@example.net", at: removed + 60,
                                        message: "m1@mg.harbourlets.co.uk", auditID: emailID, severity: .permanent, code: 550)
            _ = try store.apply([again], defaultAccountID: nil)
            #expect(try reader.suppression(for: "tenant@example.net")?.removalRequest == nil)
            #expect(try reader.suppressionHistory(address: "tenant@example.net").map(\.action) == [.added, .requested, .removed, .added])
        }
    }

    @Test(arguments: Backend.available)
    func suppressionChangesStayInTheirAccount(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = contract.store
            let a = try agency(contract, "Harbour Lets"), b = try agency(contract, "Northgate Property", support: false)
            _ = try suppress(contract, a, message: "a1@mg.harbourlets.co.uk")
            _ = try suppress(contract, b, message: "b1@mg.northgate.co.uk")
            // A staff user of another account is refused, whatever they ask.
            #expect(refusal {
                try store.requestSuppressionRemoval(address: "tenant@example.net", accountID: a.account.id, userID: b.staffUser.id,
                                                    note: "?", at: t0 + 600)
            } == "Priya Shah may not see account \(a.account.id).")
            // Support works in any account; a change in one leaves the other's entry and trail alone.
            try store.requestSuppressionRemoval(address: "tenant@example.net", accountID: b.account.id, userID: a.supportUser.id,
                                                note: "Asked by support", at: t0 + 600)
            try store.removeSuppression(address: "tenant@example.net", accountID: a.account.id, userID: a.supportUser.id,
                                        reason: "Confirmed", at: t0 + 700)
            let readerA = try contract.reader(for: a.staffUser, accountID: a.account.id)
            let readerB = try contract.reader(for: b.staffUser, accountID: b.account.id)
            #expect(try readerA.suppressions().isEmpty)
            #expect(try readerB.suppressions().map(\.address) == ["tenant@example.net"])
            #expect(try readerB.suppressions().first?.removalRequest?.requestedBy == "Sam Rees")
            #expect(try readerA.suppressionHistory(address: "tenant@example.net").map(\.action) == [.added, .removed])
            #expect(try readerB.suppressionHistory(address: "tenant@example.net").map(\.action) == [.added, .requested])
            #expect(try contract.activeSuppressions(accountID: b.account.id) == ["tenant@example.net": "bounce"])
        }
    }

    @Test(arguments: Backend.available)
    func resendIsANewPendingEmailLinkedBothWays(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = contract.store
            let a = try agency(contract, "Harbour Lets"), b = try agency(contract, "Northgate Property", support: false)
            let original = try receipt(store, a, at: t0)
            let first = try store.resend(emailID: original, accountID: a.account.id, user: a.staffUser, to: nil, updateContacts: false,
                                         at: t0 + 3600)
            #expect(first.originalID == original && first.to == "tenant@example.net" && !first.addressChanged && first.contactsUpdated == 0)
            let copy = try #require(try store.recordedEmail(id: first.newEmailID, inAccount: a.account.id))
            let source = try #require(try store.recordedEmail(id: original, inAccount: a.account.id))
            #expect(copy.status == .pending && copy.providerMessageID == nil && copy.raisedByID == a.staff.id)
            #expect(copy.createdAt == ms(t0 + 3600))
            #expect([copy.to, copy.from, copy.subject, copy.textBody] == [source.to, source.from, source.subject, source.textBody])
            #expect(copy.cc == source.cc && copy.attachmentNames == ["receipt.pdf"] && copy.activity == .receiptRecorded)
            #expect(try store.linkedUnitIDs(emailID: first.newEmailID, inAccount: a.account.id) == [a.unitID])

            // To a corrected address, moving the tenant's contact record.
            let second = try store.resend(emailID: original, accountID: a.account.id, user: a.staffUser, to: " Tom <Tom.Evans@Example.net> ",
                                          updateContacts: true, at: t0 + 7200)
            #expect(second.to == "tom.evans@example.net" && second.originalTo == "tenant@example.net" && second.contactsUpdated == 1)
            #expect(try store.unitSearch(address: "tom.evans@example.net", inAccount: a.account.id).map(\.unitID) == [a.unitID])
            #expect(try store.unitSearch(address: "tenant@example.net", inAccount: a.account.id).isEmpty)

            let reader = try contract.reader(for: a.staffUser, accountID: a.account.id)
            #expect(try reader.detail(emailID: original)?.links == ResendLinks(resentAs: [first.newEmailID, second.newEmailID]))
            #expect(try reader.detail(emailID: first.newEmailID)?.links == ResendLinks(resendOf: original))
            #expect(try reader.detail(emailID: second.newEmailID)?.links
                    == ResendLinks(resendOf: original, correctedFrom: "tenant@example.net", contactsUpdated: 1))
            #expect(try contract.statusCounts(accountID: a.account.id) == Array(repeating: [EmailStatus.pending.code: 3], count: 3))

            // A support user working in another account raises it as that account's support staff record, made once.
            for hour in [1.0, 2.0] {
                _ = try store.resend(emailID: try receipt(store, b, at: t0), accountID: b.account.id, user: a.supportUser, to: nil,
                                     updateContacts: false, at: t0 + hour * 3600)
            }
            let supportStaff = try store.staff(inAccount: b.account.id).filter { $0.name == "Sam Rees" }
            #expect(supportStaff.count == 1 && supportStaff.first?.role == .support)
        }
    }

    @Test(arguments: Backend.available)
    func resendRefusalsRecordNothing(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = contract.store
            let a = try agency(contract, "Harbour Lets"), b = try agency(contract, "Northgate Property", support: false)
            let original = try receipt(store, a, at: t0)
            _ = try suppress(contract, a, to: "owner@example.org", message: "s1@mg.harbourlets.co.uk")
            let external = try #require(try store.apply([ingest.incoming(.delivered, "x-d", to: "someone@example.org", at: t0,
                                                                         message: "elsewhere.1@mg.example.org")],
                                                        defaultAccountID: a.account.id).statusChanges.first?.emailID)
            let emails = try contract.count("emails"), resends = try contract.count("email_resends")
            func refused(_ id: Int64, account: Int64? = nil, user: AppUser? = nil, to: String? = nil, contacts: Bool = false) -> String? {
                refusal {
                    _ = try store.resend(emailID: id, accountID: account ?? a.account.id, user: user ?? a.staffUser, to: to,
                                         updateContacts: contacts, at: t0 + 600)
                }
            }
            // Another account's email reads as no email; a staff user of another account is refused.
            #expect(refused(original, account: b.account.id, user: b.staffUser) == "no email with id \(original)")
            #expect(refused(original, user: b.staffUser) == "Priya Shah may not see account \(a.account.id).")
            #expect(refused(external)?.hasPrefix("email \(external) was not recorded by this system") == true)
            #expect(refused(original, to: "not an address")?.hasPrefix("'not an address' is not an email address") == true)
            #expect(refused(original, contacts: true) == "updating contacts needs a different address (--to); nothing was sent")
            do {
                _ = try store.resend(emailID: original, accountID: a.account.id, user: a.staffUser, to: "Owner@Example.org",
                                     updateContacts: false, at: t0 + 600)
                Issue.record("a resend to a suppressed address was recorded")
            } catch ResendRefusal.suppressed(let entry) {
                #expect(entry.address == "owner@example.org" && entry.kind == .bounce)
            }
            #expect(try contract.count("emails") == emails && contract.count("email_resends") == resends)
        }
    }

    @Test(arguments: Backend.available)
    func markingMergesTheExternalEmailOfItsMessage(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = contract.store
            let a = try agency(contract, "Harbour Lets")
            let id = try receipt(store, a, at: t0)
            _ = try store.claimPending(limit: 10, accounts: nil, claimant: "f1", now: t0 + 1, lease: 600)
            // The provider's events come before the feeder marks the email, naming no email (no audit id).
            let message = "20261201090000.7@mg.harbourlets.co.uk"
            let events = [
                ingest.incoming(.accepted, "e-a", to: "tenant@example.net", at: t0 + 2, message: message),
                ingest.incoming(.delivered, "e-d", to: "tenant@example.net", at: t0 + 5, message: message),
                ingest.incoming(.opened, "e-o", to: "tenant@example.net", at: t0 + 900, message: message),
            ]
            let applied = try store.apply(events, defaultAccountID: a.account.id)
            #expect(applied.createdEmails == 1)
            let external = try #require(applied.statusChanges.first?.emailID)
            #expect(external != id)
            #expect(try store.recordedEmail(id: external, inAccount: a.account.id)?.activity == .external)
            #expect(try contract.count("emails") == 2)

            #expect(try store.markHandedOver(emailID: id, inAccount: a.account.id, providerMessageID: "<\(message)>", at: t0 + 3))
            #expect(try store.recordedEmail(id: external, inAccount: a.account.id) == nil)
            #expect(try contract.count("emails") == 1)
            let merged = try #require(try store.recordedEmail(id: id, inAccount: a.account.id))
            let derived = StatusDerivation.derive(events.map(\.event))
            #expect(merged.status == derived.status && merged.status == .opened)
            #expect(merged.providerMessageID == message && merged.activity == .receiptRecorded)
            #expect(merged.lastEventAt.map(StoredEventCoding.microseconds) == derived.lastEventAt.map(StoredEventCoding.microseconds))
            #expect(try contract.events(emailID: id).map(\.key) == events.map(\.event.key))
            #expect(try contract.statusCounts(accountID: a.account.id) == Array(repeating: [EmailStatus.opened.code: 1], count: 3))
            // Later events of the message find the merged email; the claim ended with the mark.
            let click = ingest.incoming(.clicked, "e-c", to: "tenant@example.net", at: t0 + 1000, message: message)
            let later = try store.apply([click], defaultAccountID: a.account.id)
            #expect(later.createdEmails == 0 && later.statusChanges.map(\.emailID) == [id])
            #expect(try store.claimPending(limit: 10, accounts: nil, claimant: "f2", now: t0 + 4, lease: 600).isEmpty)
            let reader = try contract.reader(for: a.staffUser, accountID: a.account.id)
            #expect(try reader.detail(emailID: id)?.events.count == 4)
        }
    }
}
