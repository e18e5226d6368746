import AuditCore
import AuditStore
import Foundation
import ProviderSimulator
import Testing
@testable import AuditEngine

/// A resend takes the normal path: recorded Pending, handed over by the batch feeder,
/// tracked by the provider's events; a suppressed address is refused before anything is recorded.
@Suite("Resend through the batch feeder")
struct ResendEngineTests {
    let start = Date(timeIntervalSince1970: 1_795_000_000)

    /// Ticks every 5 minutes until `emailID` leaves `statuses` (at most a day of clock time).
    func tick(_ engine: AuditEngine, _ clock: ManualClock, until emailID: Int64, leaves statuses: Set<EmailStatus>,
              reader: AccountScopedReader) throws -> EmailDetail {
        for _ in 0..<288 {
            try engine.tick()
            let detail = try #require(try reader.detail(emailID: emailID))
            if !statuses.contains(detail.email.status) { return detail }
            clock.advance(by: 300)
        }
        return try #require(try reader.detail(emailID: emailID))
    }

    @Test func aBouncedEmailIsRefusedToTheSameAddressAndGoesThroughToACorrectedOne() throws {
        let harness = try TestStore()
        let store = harness.store
        let simulator = MailgunSimulator(seed: 5, rates: .default)
        let clock = ManualClock(start)
        let account = try store.insertAccount(name: "Test Agency")
        let staff = try store.insertStaff(accountID: account.id, name: "Zoë Clarke", role: .staff)
        let block = try store.insertBlock(accountID: account.id, name: "Harbour House", street: "1 Quay Street", town: "Bristol", postcode: "BS1 4AA")
        let unit = try store.insertUnit(blockID: block.id, name: "Flat 2")
        _ = try store.insertContact(accountID: account.id, name: "Pat Owner", email: "bounce.pat@example.net", phone: "0117 000 0002",
                                    role: .leaseholder, unitIDs: [unit.id])
        let engine = AuditEngine(store: store, provider: simulator, eventSource: simulator, clock: clock, defaultAccountID: account.id)
        let original = try engine.record([NewEmail(
            accountID: account.id, raisedByID: staff.id, activity: .serviceChargeDemand, to: "bounce.pat@example.net",
            from: "Accounts <accounts@mg.test.example>", subject: "Service charge demand", textBody: "Please pay",
            attachmentNames: ["demand.pdf"], createdAt: start, unitIDs: [unit.id])])[0]
        let user = try #require(try store.users().first { $0.staffID == staff.id })
        let reader = try store.reader(for: user, accountID: account.id)
        let failed = try tick(engine, clock, until: original, leaves: [.pending, .accepted], reader: reader)
        #expect(failed.email.status == .failed)
        let entry = try #require(try reader.suppression(for: "bounce.pat@example.net"))

        // The same address: refused with the entry; nothing recorded.
        let before = try store.emailCount()
        #expect(throws: ResendRefusal.suppressed(entry)) {
            _ = try reader.resend(emailID: original, to: nil, updateContacts: false, at: clock.now)
        }
        #expect(try store.emailCount() == before)

        // A corrected address: a new Pending email raised by the signed-in user, linked both ways.
        let outcome = try reader.resend(emailID: original, to: " OK.Pat@Example.net ", updateContacts: true, at: clock.now)
        #expect(outcome.to == "ok.pat@example.net" && outcome.contactsUpdated == 1)
        let pending = try #require(try reader.detail(emailID: outcome.newEmailID))
        #expect(pending.email.status == .pending && pending.email.providerMessageID == nil)
        #expect(pending.email.raisedByName == "Zoë Clarke")
        #expect(pending.email.subject == failed.email.subject && pending.email.textBody == failed.email.textBody)
        #expect(pending.email.attachmentNames == ["demand.pdf"] && pending.email.from == failed.email.from)
        #expect(pending.links == ResendLinks(resendOf: original, correctedFrom: "bounce.pat@example.net", contactsUpdated: 1))
        #expect(try reader.detail(emailID: original)?.links.resentAs == [outcome.newEmailID])
        // The contact moved to the corrected address: Unit Search finds the unit there.
        #expect(try reader.unitSearch(address: "ok.pat@example.net").map(\.unitID) == [unit.id])
        #expect(try reader.unitSearch(address: "bounce.pat@example.net").isEmpty)
        #expect(pending.units.map(\.unitID) == [unit.id])

        // The batch feeder hands it over and its events are tracked.
        clock.advance(by: 300)
        let delivered = try tick(engine, clock, until: outcome.newEmailID, leaves: [.pending, .accepted], reader: reader)
        #expect(delivered.email.status == .delivered)
        #expect(delivered.email.providerMessageID != nil)
        #expect(delivered.links.resendOf == original)
    }
}
