import AuditCore
import Foundation
import Testing

/// The store contract (``PortfolioStore``, ``EmailRecordingStore``) run against each backend:
/// the same calls must give the same answers and the same refusals.
@Suite("Store contract")
struct StoreContractTests {
    /// Milliseconds since 1970 (both backends keep an email's creation time to the millisecond or better).
    func ms(_ date: Date) -> Int64 { Int64((date.timeIntervalSince1970 * 1000).rounded()) }

    /// An account with a member of staff, a block and two units.
    struct Agency {
        var account: Account
        var staff: StaffUser
        var block: Block
        var units: [AuditCore.Unit]
    }

    func agency(_ store: any PortfolioStore, _ name: String) throws -> Agency {
        let account = try store.insertAccount(name: name)
        let staff = try store.insertStaff(accountID: account.id, name: "Priya Shah", role: .staff)
        let block = try store.insertBlock(accountID: account.id, name: "Harbour Court", street: "1 Quay Street",
                                          town: "Bristol", postcode: "BS1 4DJ")
        let units = try ["Flat 10", "Flat 2"].map { try store.insertUnit(accountID: account.id, blockID: block.id, name: $0) }
        return Agency(account: account, staff: staff, block: block, units: units)
    }

    func email(_ agency: Agency, to: String = "tenant@example.net", at: Date = utc(2026, 12, 1, 9), cc: [String] = [],
               units: [Int64] = [], subject: String = "Rent receipt", hostID: String? = nil) -> NewEmail {
        NewEmail(accountID: agency.account.id, raisedByID: agency.staff.id, activity: .receiptRecorded, to: to, cc: cc,
                 from: "Harbour Lets <notices@mg.harbourlets.co.uk>", subject: subject, textBody: "Dear tenant,\nthank you.",
                 attachmentNames: ["receipt.pdf"], createdAt: at, unitIDs: units, hostID: hostID)
    }

    // MARK: Portfolio

    @Test(arguments: Backend.available)
    func portfolioRoundTrip(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = contract.store
            let a = try agency(store, "harbour Lets")
            _ = try store.insertAccount(name: "Aldgate Estates")
            let zeta = try store.insertStaff(accountID: a.account.id, name: "zoë Clarke", role: .support)
            let external = try store.externalStaff(accountID: a.account.id)
            #expect(try store.externalStaff(accountID: a.account.id) == external)
            #expect(external.name == StaffUser.externalName)
            #expect(try store.accounts().map(\.name) == ["Aldgate Estates", "harbour Lets"])
            #expect(try store.staff(inAccount: a.account.id).map(\.name) == ["External", "Priya Shah", "zoë Clarke"])
            #expect(try store.staff(inAccount: a.account.id).first { $0.id == zeta.id }?.role == .support)

            let contact = try store.insertContact(accountID: a.account.id, name: "Alice Tenant", email: "Alice <ALICE@Example.COM>",
                                                  phone: "0117 496 0000", role: .tenant, unitIDs: a.units.map(\.id) + [a.units[0].id])
            #expect(contact.email == "alice@example.com")
            _ = try store.insertContact(accountID: a.account.id, name: "Bob Owner", email: "alice@example.com", phone: "",
                                        role: .leaseholder, unitIDs: [a.units[1].id])
            let rows = try store.unitSearch(address: " alice@EXAMPLE.com ", inAccount: a.account.id)
            // Flat 2 before Flat 10 (numbers compared as numbers), contacts by name within a unit.
            #expect(rows.map(\.unitName) == ["Flat 2", "Flat 2", "Flat 10"])
            #expect(rows.map(\.contactName) == ["Alice Tenant", "Bob Owner", "Alice Tenant"])
            #expect(rows[0] == UnitContactRow(unitID: a.units[1].id, blockName: "Harbour Court", unitName: "Flat 2",
                                              address: "1 Quay Street, Bristol BS1 4DJ", contactName: "Alice Tenant",
                                              contactRole: .tenant, phone: "0117 496 0000", email: "alice@example.com"))
            #expect(try store.unitSearch(address: "nobody@example.com", inAccount: a.account.id).isEmpty)
            #expect(try store.unitSearch(address: "", inAccount: a.account.id).isEmpty)
            #expect(try contract.count("contact_units") == 3)
        }
    }

    // MARK: Recording

    @Test(arguments: Backend.available)
    func recordingRoundTrip(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = contract.store
            let a = try agency(store, "Harbour Lets")
            let at = utc(2026, 12, 3, 14, 5, 6, milliseconds: 789)
            let ids = try store.record([
                email(a, to: "Tenant <Tenant@Example.NET>", at: at, cc: ["office@example.net"], units: [a.units[1].id, a.units[0].id],
                      hostID: "host-1"),
                email(a, to: "second@example.net", at: at.addingTimeInterval(1), subject: "Arrears 😀 notice"),
            ])
            #expect(ids.count == 2 && ids[0] < ids[1])
            let first = try #require(try store.recordedEmail(id: ids[0], inAccount: a.account.id))
            #expect(first.id == ids[0] && first.accountID == a.account.id)
            #expect(first.raisedByID == a.staff.id && first.raisedByName == "Priya Shah")
            #expect(first.activity == .receiptRecorded && first.status == .pending)
            #expect(first.to == "tenant@example.net" && first.cc == ["office@example.net"])
            #expect(first.from == "Harbour Lets <notices@mg.harbourlets.co.uk>")
            #expect(first.subject == "Rent receipt" && first.textBody == "Dear tenant,\nthank you.")
            #expect(first.attachmentNames == ["receipt.pdf"])
            #expect(ms(first.createdAt) == ms(at))
            #expect(first.providerMessageID == nil && first.lastEventAt == nil && first.statusDetail == nil)
            #expect(try store.linkedUnitIDs(emailID: ids[0], inAccount: a.account.id) == a.units.map(\.id).sorted())
            let second = try #require(try store.recordedEmail(id: ids[1], inAccount: a.account.id))
            #expect(second.subject == "Arrears 😀 notice" && second.cc.isEmpty)
            #expect(try store.linkedUnitIDs(emailID: ids[1], inAccount: a.account.id).isEmpty)
            #expect(try store.recordedEmail(id: ids[1] + 100, inAccount: a.account.id) == nil)
            #expect(try store.record([]) == [])
            // Malformed addresses are recorded as given (bare, lower-cased): staff sent to them, the
            // provider rejects them, and the audit shows that.
            let typos = ["Flat3@@Gmail.com", "Mary Smith@hotmail.co.uk", "no-at-sign.example.com", "sahmed@outlook,com"]
            let typoIDs = try store.record(typos.map { email(a, to: $0, at: at) })
            #expect(try typoIDs.map { try store.recordedEmail(id: $0, inAccount: a.account.id)?.to }
                    == ["flat3@@gmail.com", "mary smith@hotmail.co.uk", "no-at-sign.example.com", "sahmed@outlook,com"])
            // All on 03/12/2026 (London): one daily roll-up of six.
            #expect(try contract.dailyCounts(accountID: a.account.id) == [CalendarDay(year: 2026, month: 12, day: 3).ordinal: 6])
        }
    }

    // MARK: Accounts kept apart

    @Test(arguments: Backend.available)
    func accountsNeverSeeEachOther(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = contract.store
            let a = try agency(store, "Harbour Lets"), b = try agency(store, "Aldgate Estates")
            _ = try store.insertContact(accountID: a.account.id, name: "A's tenant", email: "shared@example.com", phone: "",
                                        role: .tenant, unitIDs: [a.units[0].id])
            _ = try store.insertContact(accountID: b.account.id, name: "B's tenant", email: "shared@example.com", phone: "",
                                        role: .tenant, unitIDs: [b.units[0].id])
            let aID = try store.record([email(a, units: [a.units[0].id])])[0]
            let bID = try store.record([email(b, units: [b.units[0].id])])[0]

            #expect(try store.unitSearch(address: "shared@example.com", inAccount: a.account.id).map(\.contactName) == ["A's tenant"])
            #expect(try store.unitSearch(address: "shared@example.com", inAccount: b.account.id).map(\.contactName) == ["B's tenant"])
            #expect(try store.staff(inAccount: a.account.id).map(\.id) == [a.staff.id])
            #expect(try store.recordedEmail(id: bID, inAccount: a.account.id) == nil)
            #expect(try store.recordedEmail(id: aID, inAccount: b.account.id) == nil)
            #expect(try store.linkedUnitIDs(emailID: bID, inAccount: a.account.id).isEmpty)
            #expect(try store.recordedEmail(id: bID, inAccount: b.account.id)?.accountID == b.account.id)

            // Another account's block, unit or staff member is refused as unknown, and nothing is written.
            let before = try ["emails", "email_units", "units", "contacts", "contact_units"].map { try contract.count($0) }
            expectRefusal("There is no block with id \(b.block.id).") {
                _ = try store.insertUnit(accountID: a.account.id, blockID: b.block.id, name: "Flat 3")
            }
            expectRefusal("There is no unit with id \(b.units[1].id).") {
                _ = try store.insertContact(accountID: a.account.id, name: "X", email: "x@example.com", phone: "", role: .tenant,
                                            unitIDs: [a.units[1].id, b.units[1].id])
            }
            expectRefusal("There is no unit with id \(b.units[1].id).") {
                _ = try store.record([email(a), email(a, units: [b.units[1].id])])
            }
            var borrowed = email(a)
            borrowed.raisedByID = b.staff.id
            expectRefusal("Invalid value: staff member \(b.staff.id) belongs to account \(b.account.id), not \(a.account.id).") {
                _ = try store.record([email(a), borrowed])
            }
            #expect(try ["emails", "email_units", "units", "contacts", "contact_units"].map { try contract.count($0) } == before)
            #expect(try contract.dailyCounts(accountID: a.account.id).values.reduce(0, +) == 1)
        }
    }

    // MARK: Months and clock changes

    /// Instants either side of local midnight at month ends and on the clock-change days of
    /// 2026 in Europe/London (29/03: 01:00 GMT becomes 02:00 BST; 25/10: 02:00 BST becomes 01:00 GMT).
    static let londonEdges: [Date] = [
        utc(2025, 12, 31, 23, 59, 59, milliseconds: 999),  // 31/12/2025 23:59:59.999 GMT
        utc(2026, 1, 1),                                     // 01/01/2026 00:00 GMT
        utc(2026, 2, 28, 23, 59),                            // 28/02 23:59 GMT
        utc(2026, 3, 28, 23, 59),                            // 28/03 23:59 GMT
        utc(2026, 3, 29, 0, 59),                             // 29/03 00:59 GMT, just before the change
        utc(2026, 3, 29, 1, 0),                              // 29/03 02:00 BST, just after
        utc(2026, 3, 29, 22, 59),                            // 29/03 23:59 BST
        utc(2026, 3, 31, 22, 59, 59, milliseconds: 999),    // 31/03 23:59:59.999 BST: still March
        utc(2026, 3, 31, 23, 0),                             // 01/04 00:00 BST: April
        utc(2026, 10, 24, 23, 0),                            // 25/10 00:00 BST
        utc(2026, 10, 25, 0, 30),                            // 25/10 01:30 BST (the first 01:30)
        utc(2026, 10, 25, 1, 30),                            // 25/10 01:30 GMT (the second)
        utc(2026, 10, 25, 23, 59),                           // 25/10 23:59 GMT
        utc(2026, 10, 31, 23, 59),                           // 31/10 23:59 GMT
        utc(2026, 11, 1),                                    // 01/11 00:00 GMT
    ]

    @Test(arguments: Backend.available)
    func recordsAcrossMonthEndsAndClockChanges(_ backend: Backend) throws {
        let london = TimeZone(identifier: "Europe/London")!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = london
        // Opened in December 2026: every month above but November needs its partition made on demand.
        try withStore(backend, now: utc(2026, 12, 4, 12)) { contract in
            let store = contract.store
            let a = try agency(store, "Harbour Lets")
            let edges = Self.londonEdges
            if let partitions = try contract.emailPartitions() {
                #expect(partitions == ["emails_y2026m12", "emails_y2027m01"])
            }
            let ids = try store.record(edges.map { email(a, at: $0) })
            if let partitions = try contract.emailPartitions() {
                // The batch's first insert met a missing month: every month of the batch was made, then it was recorded again.
                #expect(partitions == ["emails_y2025m12", "emails_y2026m01", "emails_y2026m02", "emails_y2026m03", "emails_y2026m04",
                                       "emails_y2026m10", "emails_y2026m11", "emails_y2026m12", "emails_y2027m01"])
                #expect(try contract.count("emails") == edges.count)
            }
            #expect(ids.count == edges.count)
            var days: [Int: Int] = [:], months: [Int: Int] = [:]
            for (id, at) in zip(ids, edges) {
                let stored = try #require(try store.recordedEmail(id: id, inAccount: a.account.id))
                #expect(ms(stored.createdAt) == ms(at))
                let day = CalendarDay(containing: at, in: london)
                days[day.ordinal, default: 0] += 1
                months[day.year * 12 + day.month - 1, default: 0] += 1
                if let partition = try contract.partition(ofEmail: id) {
                    let local = calendar.dateComponents([.year, .month], from: at)
                    #expect(partition == String(format: "emails_y%04dm%02d", local.year!, local.month!), "\(at)")
                }
            }
            #expect(try contract.dailyCounts(accountID: a.account.id) == days)
            #expect(try contract.monthlyCounts(accountID: a.account.id) == months)
            // The days as London sees them: two emails on each clock-change day's edges.
            #expect(days[CalendarDay(year: 2026, month: 3, day: 29).ordinal] == 3)
            #expect(days[CalendarDay(year: 2026, month: 10, day: 25).ordinal] == 4)
            #expect(months[2026 * 12 + 2] == 5 && months[2026 * 12 + 3] == 1)
            // A second recording into months that now exist needs no new partition.
            #expect(try store.record([email(a, at: utc(2026, 3, 15, 12))]).count == 1)
        }
    }

    // MARK: Bad input

    @Test(arguments: Backend.available)
    func unstorableInputIsRefusedWithNothingWritten(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = contract.store
            let a = try agency(store, "Harbour Lets")
            let good = email(a)
            var tooEarly = good
            tooEarly.createdAt = Date(timeIntervalSince1970: -1)
            for (bad, message) in [
                (email(a, subject: "Rent\u{0}due"), "Invalid value: a field of the email to tenant@example.net contains a NUL character."),
                (email(a, cc: ["ok@example.net", "nul\u{0}@example.net"]),
                 "Invalid value: a field of the email to tenant@example.net contains a NUL character."),
                (tooEarly, "Invalid value: the creation time of an email to tenant@example.net is not a storable time (-1.0 seconds since 1970)."),
            ] {
                expectRefusal(message) { _ = try store.record([good, bad]) }
            }
            var unknownAccount = good
            unknownAccount.accountID = 999
            expectRefusal("There is no account with id 999.") { _ = try store.record([unknownAccount]) }
            var unknownStaff = good
            unknownStaff.raisedByID = 999_999
            expectRefusal("There is no staff member with id 999999.") { _ = try store.record([good, unknownStaff]) }
            expectRefusal("There is no unit with id 999999.") { _ = try store.record([email(a, units: [999_999])]) }
            expectRefusal("There is no account with id 999.") {
                _ = try store.insertBlock(accountID: 999, name: "B", street: "", town: "", postcode: "")
            }
            expectRefusal("Invalid value: the contact's details contains a NUL character.") {
                _ = try store.insertContact(accountID: a.account.id, name: "N\u{0}", email: "n@example.com", phone: "", role: .tenant,
                                            unitIDs: [a.units[0].id])
            }
            #expect(try contract.count("emails") == 0)
            #expect(try contract.count("email_units") == 0)
            #expect(try contract.count("contacts") == 0)
            #expect(try contract.dailyCounts(accountID: a.account.id).isEmpty)
            // The store still records a good email afterwards.
            #expect(try store.record([good]).count == 1)
        }
    }
}

/// Expects `body` to throw an error whose description is exactly `message` (both backends
/// word their refusals alike).
func expectRefusal(_ message: String, sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected the refusal \"\(message)\", but the call succeeded", sourceLocation: sourceLocation)
    } catch {
        #expect(String(describing: error) == message, sourceLocation: sourceLocation)
    }
}
