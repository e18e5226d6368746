import AuditCore
import Demo
import Foundation
import Testing

/// `seed` on both backends (issue 13): one seed written through the ``DemoStore`` contract into
/// a SQLite store and a PostgreSQL database gives the same agencies, emails, statuses, counts,
/// suppressions, events and notifications, as each backend's reader answers them (ids aside:
/// each store numbers its own rows), and the same saved simulator state.
@Suite("Store contract: the demo seed on both backends")
struct DemoSeedContractTests {
    let now = utc(2026, 11, 20, 12)

    /// What a seeded store answers, without ids.
    struct SeededView: Equatable, CustomStringConvertible {
        struct Row: Equatable {
            var createdAtMilliseconds: Int64
            var to: String
            var subject: String
            var raisedBy: String
            var status: EmailStatus
            var activity: Activity
        }
        var accounts: [String] = []
        var users: [String] = []
        var emails: [String: [Row]] = [:]
        var counts: [String: [EmailStatus: Int]] = [:]
        var suppressions: [String: [String]] = [:]
        var unitSearch: [String: [String]] = [:]
        var tables: [String: Int] = [:]
        var simulatorState: String?

        var description: String {
            "\(accounts), \(emails.mapValues(\.count)) emails, counts \(counts), tables \(tables)"
        }
    }

    func view(of contract: ContractStore) throws -> SeededView {
        let store = try #require(contract.store as? any DemoStore)
        let result = try DemoSeeder.seed(store, options: SeedOptions(emails: 40, days: 2, seed: 7, now: now))
        #expect(result.allEmails == 40 + 2 * 8)
        var view = SeededView()
        let users = try store.users()
        view.users = users.map { "\($0.name) \($0.login) \($0.role)" }
        for account in try store.accounts() {
            view.accounts.append(account.name)
            let user = try #require(users.first { $0.accountID == account.id && $0.staffID != nil })
            let reader = try contract.reader(for: user, accountID: account.id)
            let filter = EmailFilter(accountID: account.id, dateRange: .all)
            let rows = try reader.summaries(matching: filter, from: nil, direction: .older, limit: 100_000, now: now)
            view.emails[account.name] = rows.map {
                SeededView.Row(createdAtMilliseconds: Int64(($0.createdAt.timeIntervalSince1970 * 1000).rounded()), to: $0.to,
                               subject: $0.subject, raisedBy: $0.raisedByName, status: $0.status, activity: $0.activity)
            }
            view.counts[account.name] = try reader.statusCounts(matching: filter, now: now).byStatus
            view.suppressions[account.name] = try reader.suppressions().map { "\($0.address) \($0.kind) \($0.reason)" }.sorted()
            if let address = rows.first?.to {
                view.unitSearch[account.name] = try reader.unitSearch(address: address).map { "\($0.blockName) \($0.unitName) \($0.contactName)" }
            }
        }
        for table in ["emails", "events", "notifications", "notification_digests", "contacts", "units", "staff", "suppression_history"] {
            view.tables[table] = try contract.count(table)
        }
        // The state's JSON with its keys sorted (the encoder writes dictionaries in any order).
        view.simulatorState = try store.savedSimulatorState(domain: nil).map { data in
            String(decoding: try JSONSerialization.data(withJSONObject: try JSONSerialization.jsonObject(with: data), options: .sortedKeys),
                   as: UTF8.self)
        }
        return view
    }

    @Test("the same seed gives the same store on SQLite and PostgreSQL",
          .enabled(if: Backend.available.contains(.postgres), "needs a PostgreSQL server (EMAIL_AUDIT_TEST_POSTGRES_URL)"))
    func sameSeedSameStore() throws {
        let sqlite = try withStore(.sqlite, now: now) { try view(of: $0) }
        let postgres = try withStore(.postgres, now: now) { try view(of: $0) }
        #expect(sqlite.accounts == DemoAgency.all.map(\.name).sorted())
        #expect(sqlite.emails.values.map(\.count).reduce(0, +) >= 56)
        // Statuses came from events: not everything is still Pending.
        #expect(sqlite.counts.values.contains { ($0[.pending] ?? 0) < $0.values.reduce(0, +) })
        #expect(sqlite.tables["events"]! > 56)
        #expect(sqlite.simulatorState != nil)
        #expect(postgres.accounts == sqlite.accounts)
        #expect(postgres.users == sqlite.users)
        for name in sqlite.accounts {
            #expect(postgres.emails[name] == sqlite.emails[name], "emails of \(name)")
            #expect(postgres.counts[name] == sqlite.counts[name], "counts of \(name)")
            #expect(postgres.suppressions[name] == sqlite.suppressions[name], "suppressions of \(name)")
            #expect(postgres.unitSearch[name] == sqlite.unitSearch[name], "Unit Search in \(name)")
        }
        #expect(postgres.tables == sqlite.tables)
        #expect(postgres.simulatorState == sqlite.simulatorState)
    }

    @Test("a seeded store refuses a second seed", arguments: Backend.available)
    func secondSeedRefused(_ backend: Backend) throws {
        try withStore(backend, now: now) { contract in
            let store = try #require(contract.store as? any DemoStore)
            _ = try DemoSeeder.seed(store, options: SeedOptions(emails: 3, days: 1, seed: 2, now: now))
            let emails = try contract.count("emails")
            #expect(throws: (any Error).self) { try DemoSeeder.seed(store, options: SeedOptions(emails: 3, days: 1, seed: 2, now: now)) }
            #expect(try contract.count("emails") == emails)
        }
    }
}
