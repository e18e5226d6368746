import AuditCore
import AuditStore
import Foundation
import Testing
@testable import Demo

@Suite("Portfolio copies (the benchmark's agency sized to its emails)")
struct PortfolioCopiesTests {
    @Test func copiesKeepEachContactAtAboutTwoDozenEmailsAYear() {
        #expect(PortfolioPlan.copies(forEmails: 20_000, days: 365) == 1)
        #expect(PortfolioPlan.copies(forEmails: 20_001, days: 365) == 2)
        #expect(PortfolioPlan.copies(forEmails: 1_000_000, days: 365) == 50)
        #expect(PortfolioPlan.copies(forEmails: 10_000_000, days: 3_650) == 50)
        #expect(PortfolioPlan.copies(forEmails: 5_000_000, days: 1_825) == 50)
        #expect(PortfolioPlan.copies(forEmails: 200_000, days: 1_095) == 4)
        #expect(PortfolioPlan.copies(forEmails: 0, days: 0) == 1)
    }

    @Test func theFirstCopyIsTheAgencyAsItAlwaysWas() {
        let one = PortfolioPlan(seed: 7), three = PortfolioPlan(seed: 7, copies: 3)
        #expect(three.blocks.count == 3 * one.blocks.count)
        #expect(three.blocks.prefix(one.blocks.count).map(\.name) == one.blocks.map(\.name))
        #expect(three.blocks.prefix(one.blocks.count).map(\.units) == one.blocks.map(\.units))
        let firstCopy = three.contacts.prefix(one.contacts.count)
        #expect(firstCopy.map(\.email) == one.contacts.map(\.email))
        #expect(firstCopy.map(\.name) == one.contacts.map(\.name))
        // A landlord of the first copy may also buy units in the others' blocks.
        let ownBlocks = one.blocks.count
        #expect(firstCopy.map { $0.units.filter { $0.block < ownBlocks } } == one.contacts.map(\.units))
        #expect(firstCopy.contains { $0.units.contains { $0.block >= ownBlocks } })
        #expect(three.staff.map(\.name) == one.staff.map(\.name))
    }

    @Test func moreCopiesMeanMorePeopleEachWithTheirOwnAddress() {
        let one = PortfolioPlan(seed: 7), three = PortfolioPlan(seed: 7, copies: 3)
        let units = three.blocks.reduce(0) { $0 + $1.units.count }
        #expect(three.contacts.count > 2 * one.contacts.count)
        // Every unit has a contact, and every contact's units exist.
        let used = Set(three.contacts.flatMap(\.units))
        #expect(used.count == units)
        #expect(used.allSatisfy { $0.block < three.blocks.count && $0.unit < three.blocks[$0.block].units.count })
        // Addresses are shared only where the plan means it (couples, directors): not by chance
        // across copies, which would pile one person's emails onto one address.
        let tenants = three.contacts.filter { $0.role == .tenant }
        #expect(Set(tenants.map(\.email)).count == tenants.count)
        #expect(PortfolioPlan(seed: 7, copies: 3).contacts.map(\.email) == three.contacts.map(\.email))
    }

    @Test func seedingWritesEveryCopyAndMailsItsContacts() throws {
        let harness = try TestStore()
        let now = Date(timeIntervalSince1970: 1_795_000_000)
        var options = SeedOptions(emails: 900, days: 3, seed: 11, now: now)
        options.extraAgencies = false
        options.portfolioCopies = 2
        options.suppressionLifetime = 30 * 86_400
        let result = try DemoSeeder.seed(harness.store, options: options)
        let plan = PortfolioPlan(seed: 11, copies: 2)
        let stored = try harness.store.contactAddresses(accountID: result.accountID)
        #expect(stored.count == plan.contacts.count)
        let secondCopyOnly = Set(plan.contacts.dropFirst(PortfolioPlan(seed: 11).contacts.count).map { $0.email.lowercased() })
            .subtracting(PortfolioPlan(seed: 11).contacts.map { $0.email.lowercased() })
        let rows = try harness.store.summaries(matching: EmailFilter(accountID: result.accountID, dateRange: .all), from: nil,
                                               direction: .older, limit: 1_000, now: now)
        #expect(rows.count == 900)
        #expect(rows.contains { secondCopyOnly.contains($0.to.lowercased()) }, "the second copy's contacts get emails")
    }
}
