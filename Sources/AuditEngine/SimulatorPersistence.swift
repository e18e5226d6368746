import AuditCore
import Foundation
import ProviderSimulator

/// Saves the simulator's state in the store and restores it, so the events still waiting
/// when a run stops (retries, later opens) are reported by the next run.
public enum SimulatorPersistence {
    /// Restores the saved state into `simulator`; returns the simulator's clock, or nil when
    /// nothing was saved.
    @discardableResult
    public static func restore(_ simulator: MailgunSimulator, from store: any SimulatorStateStore) throws -> Date? {
        guard let data = try store.savedSimulatorState(domain: key(simulator)) else { return nil }
        let state = try JSONDecoder().decode(SimulatorState.self, from: data)
        simulator.restore(state)
        return state.clock
    }

    /// Saves `simulator`'s state in the store.
    public static func save(_ simulator: MailgunSimulator, to store: any SimulatorStateStore) throws {
        try store.saveSimulatorState(try JSONEncoder().encode(simulator.state()), domain: key(simulator))
    }

    /// The simulator of the default domain (the first demo agency's, `serve`'s default) keeps the
    /// store's original key; another domain's is kept by its domain.
    static func key(_ simulator: MailgunSimulator) -> String? {
        simulator.domain == MailgunSimulator.defaultDomain ? nil : simulator.domain
    }
}
