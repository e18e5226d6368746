import AuditCore
import AuditStore
import Foundation
import ProviderSimulator
import Testing
@testable import AuditEngine

@Suite("Suppression removal")
struct SuppressionRemovalTests {
    let start = Date(timeIntervalSince1970: 1_795_000_000)

    /// One account with a staff member and a support user, an engine on a simulator, and a
    /// helper that sends one email to an address and runs the clock an hour on.
    final class World {
        let harness: TestStore
        let simulator = MailgunSimulator(seed: 4)
        let clock: ManualClock
        let engine: AuditEngine
        let account: Account
        let staff: StaffUser
        let staffUser: AppUser
        let supportUser: AppUser

        init(start: Date) throws {
            harness = try TestStore()
            clock = ManualClock(start)
            account = try harness.store.insertAccount(name: "Harbour Lets")
            staff = try harness.store.insertStaff(accountID: account.id, name: "Amelia Hughes", role: .staff)
            _ = try harness.store.insertStaff(accountID: account.id, name: "Kate Ellison", role: .support)
            let users = try harness.store.users()
            staffUser = users.first { !$0.isSupport }!
            supportUser = users.first { $0.isSupport }!
            engine = AuditEngine(store: harness.store, provider: simulator, eventSource: simulator, clock: clock,
                                 batchInterval: 60, defaultAccountID: account.id)
        }

        func send(to address: String) throws -> EmailDetail? {
            let id = try engine.record([NewEmail(accountID: account.id, raisedByID: staff.id, activity: .receiptRecorded, to: address,
                                                 from: "accounts@\(simulator.domain)", subject: "Receipt", textBody: "Thank you",
                                                 createdAt: clock.now)])[0]
            for _ in 0..<60 {
                clock.advance(by: 60)
                try engine.tick()
            }
            return try harness.store.reader(for: staffUser, accountID: account.id).detail(emailID: id)
        }
    }

    @Test func supportsRemovalIsHonouredBySimulatorAndKeptInTheTrail() throws {
        let world = try World(start: start)
        let address = "bounce.tenant@gmail.com"
        #expect(try world.send(to: address)?.email.statusDetail?.reason == "bounce")
        let staffReader = try world.harness.store.reader(for: world.staffUser, accountID: world.account.id)
        #expect(try staffReader.suppression(for: address)?.kind == .bounce)
        // While suppressed, a later email is blocked (Mailgun 605) and counted against the entry.
        let blocked = try #require(try world.send(to: address))
        #expect(blocked.email.statusDetail?.code == 605)
        #expect(blocked.suppression?.blockedEmails == 1, "View knows the address is suppressed")

        // A staff user may not remove it: refused, nothing changes at the store or the provider.
        #expect(throws: StoreError.needsSupportRole(user: "Amelia Hughes", action: "remove a suppression")) {
            try SuppressionRemoval.remove(address, reason: "asked", reader: staffReader, provider: world.simulator, at: world.clock.now)
        }
        #expect(world.simulator.isSuppressed(address) == .bounce)
        try staffReader.requestSuppressionRemoval(address: address, note: "New mailbox set up, confirmed by phone", at: world.clock.now)

        // Support sees the request and removes the entry; the provider sends again (and it bounces again).
        let supportReader = try world.harness.store.reader(for: world.supportUser, accountID: world.account.id)
        #expect(try supportReader.suppressions().first?.removalRequest?.requestedBy == "Amelia Hughes")
        try SuppressionRemoval.remove(address, reason: "Recipient confirmed the mailbox", reader: supportReader,
                                      provider: world.simulator, at: world.clock.now)
        #expect(world.simulator.isSuppressed(address) == nil)
        let after = try #require(try world.send(to: address))
        #expect(after.email.statusDetail?.code != 605, "the send went through to the recipient's server")
        #expect(after.email.statusDetail?.reason == "bounce")
        let trail = try supportReader.suppressionHistory(address: address)
        #expect(trail.map(\.action) == [.added, .requested, .removed, .added])
        #expect(trail[1].by == "Amelia Hughes" && trail[2].by == "Kate Ellison")
        #expect(trail[2].note == "Recipient confirmed the mailbox")
    }
}
