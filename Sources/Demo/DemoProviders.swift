import AuditCore
import AuditEngine
import AuditStore
import Foundation
import ProviderSimulator

/// The demo's simulated Mailgun domains, one per agency: each takes its agency's emails (the
/// live demo raises new ones only at Harbour Lets), and every domain's events are reported, so the
/// stories a seed left open (retries, later opens) finish for every agency.
public final class DemoProviders: ProviderEventSource, @unchecked Sendable {
    /// Harbour Lets's simulator: the provider new emails are handed to.
    public let main: MailgunSimulator
    /// Every agency's simulator by account id (Harbour Lets's included).
    public let byAccount: [Int64: MailgunSimulator]

    public init(main: MailgunSimulator, byAccount: [Int64: MailgunSimulator]) {
        self.main = main
        self.byAccount = byAccount
    }

    /// The seed of an agency's simulator, after Harbour Lets's (index 0, `seed` itself).
    static func seed(_ seed: UInt64, agencyIndex: Int) -> UInt64 {
        agencyIndex == 0 ? seed : seed &+ UInt64(agencyIndex) &* 0x9E37_79B9
    }

    /// The simulators of `store`'s demo agencies, restored from their saved state (a domain
    /// with none starts fresh); the second value is Harbour Lets's saved clock.
    public static func restore(from store: any DemoStore, seed: UInt64) throws -> (DemoProviders, Date?) {
        let main = MailgunSimulator(seed: seed)
        let clock = try SimulatorPersistence.restore(main, from: store)
        var byAccount: [Int64: MailgunSimulator] = [:]
        for account in try store.accounts().sorted(by: { $0.id < $1.id }) {
            guard let index = DemoAgency.all.firstIndex(where: { $0.name == account.name }) else { continue }
            if index == 0 {
                byAccount[account.id] = main
                continue
            }
            let simulator = MailgunSimulator(seed: Self.seed(seed, agencyIndex: index), domain: DemoAgency.all[index].domain)
            try SimulatorPersistence.restore(simulator, from: store)
            byAccount[account.id] = simulator
        }
        return (DemoProviders(main: main, byAccount: byAccount), clock)
    }

    /// Saves every simulator's state in the store.
    public func save(to store: any SimulatorStateStore) throws {
        var saved = Set<ObjectIdentifier>()
        for simulator in [main] + byAccount.values where saved.insert(ObjectIdentifier(simulator)).inserted {
            try SimulatorPersistence.save(simulator, to: store)
        }
    }

    /// Every domain's events due by `time`.
    public func events(through time: Date) -> [String] {
        var lines = main.events(through: time)
        for simulator in byAccount.values where simulator !== main {
            lines += simulator.events(through: time)
        }
        return lines
    }

    /// Events still due at any domain.
    public var queuedEventCount: Int {
        main.queuedEventCount + byAccount.values.filter { $0 !== main }.reduce(0) { $0 + $1.queuedEventCount }
    }

    /// The provider an account's emails went through (told of that account's suppression removals).
    public func provider(forAccount accountID: Int64) -> (any EmailProvider)? {
        byAccount[accountID]
    }

    /// Each demo agency's emails handed over through its own simulated domain (new emails, and
    /// the notification and digest emails every agency raises); an account that is not a demo
    /// agency (one `record` created) through Harbour Lets's.
    public var handOver: HandOverProviders {
        HandOverProviders(fallback: main, byAccount: byAccount.mapValues { $0 as any EmailProvider })
    }
}
