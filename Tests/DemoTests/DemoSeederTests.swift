import AuditCore
import AuditStore
import Foundation
import ProviderSimulator
import Testing
import AuditEngine
@testable import Demo

@Suite("Demo portfolio")
struct DemoSeederTests {
    @Test func theSameSeedDescribesTheSameAgency() {
        let a = PortfolioPlan(seed: 42), b = PortfolioPlan(seed: 42), c = PortfolioPlan(seed: 43)
        #expect(a.contacts.map(\.email) == b.contacts.map(\.email))
        #expect(a.contacts.map(\.email) != c.contacts.map(\.email))
    }

    @Test func thePlanHasWhatUnitSearchNeeds() {
        let plan = PortfolioPlan(seed: 1)
        let byAddress = Dictionary(grouping: plan.contacts, by: \.email)
        #expect(byAddress.values.contains { $0.count >= 2 }, "some contacts share an address")
        #expect(plan.contacts.contains { $0.units.count >= 2 }, "a landlord owns several units")
        #expect(plan.contacts.contains { $0.name.contains("Zoë") || $0.name.contains("Łukasz") || $0.name.contains("Siobhán") })
        #expect(plan.contacts.contains { email in DemoNames.typoDomains.contains { email.email.hasSuffix("@" + $0) } })
        #expect(Set(plan.contacts.map(\.role)) == Set(ContactRole.allCases))
        #expect(plan.contacts.contains { !EmailAddress.isValid($0.email) }, "a few addresses are malformed")
        #expect(plan.staff.filter { $0.role == .support }.count == DemoNames.supportStaffCount)
    }

    @Test func seedingMakesEveryStatusFromEvents() throws {
        let harness = try TestStore()
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let result = try DemoSeeder.seed(harness.store, options: SeedOptions(emails: 1_500, days: 5, seed: 11, now: now))
        #expect(result.emails == 1_500)
        #expect(result.allEmails == 1_500 + 2 * 300, "Northgate and Castle Quay get a fifth as many each")
        let counts = try harness.store.statusCounts(matching: EmailFilter(accountID: result.accountID, dateRange: .all), now: now)
        #expect(counts.total == 1_500)
        // Notification emails and digests (Northgate's first staff member takes an email for each,
        // Castle Quay's a daily digest) are real emails too, raised by each account's System.
        var alerts = 0
        for account in try harness.store.accountsByID() {
            guard let system = try harness.store.staff(accountID: account.id).first(where: { $0.name == StaffUser.systemName }) else { continue }
            alerts += try harness.store.statusCounts(matching: EmailFilter(accountID: account.id, raisedBy: [system.id], dateRange: .all),
                                                     now: now).total
        }
        #expect(alerts > 0, "the seed sends notification emails")
        #expect(try harness.store.statusCounts(matching: EmailFilter(dateRange: .all), now: now).total == result.allEmails + alerts)
        // Three agencies, Harbour Lets first, each with its own staff signing in and its own blocks.
        let accounts = try harness.store.accountsByID()
        #expect(accounts.map(\.name) == DemoAgency.all.map(\.name))
        #expect(accounts[0].id == result.accountID)
        let users = try harness.store.users()
        for account in accounts {
            #expect(users.contains { $0.accountID == account.id }, "no staff user in \(account.name)")
            #expect(try harness.store.statusCounts(matching: EmailFilter(accountID: account.id, dateRange: .all), now: now).total > 0)
        }
        #expect(users.contains { $0.name == DemoAgency.defaultUserName && $0.accountID == result.accountID })
        #expect(users.contains { $0.isSupport && $0.accountID == nil })
        for status in [EmailStatus.delivered, .opened, .failed, .temporaryFailure] {
            #expect(counts[status] > 0, "no \(status.displayName) emails")
        }
        // Every non-pending email's status is backed by events.
        let page = try harness.store.summaries(matching: EmailFilter(dateRange: .all), from: nil, direction: .older, limit: 200, now: now)
        for row in page where row.status != .pending {
            let detail = try #require(try harness.store.detail(emailID: row.id))
            #expect(!detail.events.isEmpty)
            #expect(StatusDerivation.derive(detail.events).status == row.status)
        }
        // A second seed into the same store is refused.
        #expect(throws: EngineError.self) { try DemoSeeder.seed(harness.store, options: SeedOptions(emails: 1, days: 1, now: now)) }
    }

    /// The bug this guards: an agency's seed run handed over every account's Pending emails, so
    /// another agency's email went out through this agency's simulated domain.
    @Test func anAgencysRunLeavesAnotherAgencysPendingEmailsAlone() throws {
        let harness = try TestStore()
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        let other = try harness.store.insertAccount(name: "Other Agency")
        let staff = try harness.store.insertStaff(accountID: other.id, name: "Ann Lee", role: .staff)
        let waiting = try harness.store.record([
            NewEmail(accountID: other.id, raisedByID: staff.id, activity: .receiptRecorded, to: "ann@example.net",
                     from: "Other <accounts@mg.other.example>", subject: "Receipt", textBody: "Thanks", createdAt: now - 86_400),
        ])
        let simulator = MailgunSimulator(seed: 3)
        let factory = try DemoSeeder.writePortfolio(PortfolioPlan(seed: 3), to: harness.store, sendingDomain: simulator.domain)
        var rng = SeededRandom(seed: 3)
        let times = CreationTimes(count: 200, days: 2, endingAt: now, timeZone: harness.store.timeZone, using: &rng)
        _ = try DemoSeeder.run(harness.store, options: SeedOptions(emails: 200, days: 2, seed: 3, now: now), simulator: simulator,
                               factory: factory, times: times, rng: &rng, progress: { _ in }, step: { _ in })
        #expect(try harness.store.pendingHandOver(limit: 10, accounts: [other.id]).map(\.id) == waiting)
        #expect(try harness.store.pendingHandOver(limit: 1_000, accounts: [factory.accountID]).count < 10, "the agency's own emails went out")
    }

    /// Each agency sends through its own simulated Mailgun domain: an email Pending when its
    /// agency's run ended (the last one is raised at the seed's "now") is not handed to the next
    /// agency's simulator, and every Message-ID is on the email's own agency's domain.
    @Test func everyAgencyHandsOverThroughItsOwnDomain() throws {
        let harness = try TestStore()
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        _ = try DemoSeeder.seed(harness.store, options: SeedOptions(emails: 600, days: 3, seed: 5, now: now))
        let accounts = try harness.store.accountsByID()
        #expect(accounts.count == DemoAgency.all.count)
        var checked = 0
        for account in accounts {
            let agency = try #require(DemoAgency.all.first { $0.name == account.name })
            let rows = try harness.store.summaries(matching: EmailFilter(accountID: account.id, dateRange: .all), from: nil,
                                                   direction: .older, limit: 5_000, now: now)
            #expect(!rows.isEmpty)
            for row in rows {
                let detail = try #require(try harness.store.detail(emailID: row.id))
                guard let messageID = detail.email.providerMessageID else { continue }
                #expect(messageID.hasSuffix("@" + agency.domain), "email \(row.id) of \(account.name) went out as \(messageID)")
                checked += 1
            }
        }
        #expect(checked > 600)
    }
}
