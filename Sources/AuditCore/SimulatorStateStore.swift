import Foundation

/// Where a provider simulator keeps its state between runs (its clock, the events still due,
/// its suppression lists), so a later `simulate` or `demo` carries on from the last one. The
/// state is opaque JSON; each sending domain has its own (nil: the first demo agency's, the
/// key every store has always used). SQLite keeps it in `meta`, PostgreSQL in `store_meta`,
/// under the same keys.
public protocol SimulatorStateStore: AnyObject, Sendable {
    /// The saved state of the simulator for `domain` (nil: the first one), if any.
    func savedSimulatorState(domain: String?) throws -> Data?
    /// Replaces the saved state of the simulator for `domain` (nil: the first one).
    func saveSimulatorState(_ data: Data, domain: String?) throws
}

/// The key a simulator's state is saved under, the same on both backends.
public enum SimulatorStateKey {
    /// The first (Harbour Lets's) simulator keeps the key it always had; another sending domain
    /// gets its own.
    public static func key(domain: String?) -> String {
        domain.map { "simulator_state:\($0)" } ?? "simulator_state"
    }
}

/// What seeding a demo store and running its simulation (`seed`, `demo`, `simulate`) need of a
/// store, on either backend: the portfolio, recording, ingest, the hand-over queue,
/// notifications (the demo agencies' preferences and the digests of each hand-over) and the
/// simulators' saved state. The same seed gives the same emails and statuses on both.
public protocol DemoStore: PortfolioStore, EmailRecordingStore, EventIngestStore, HandOverQueueStore, NotificationStore,
    SimulatorStateStore {
    /// The zone of the store's local days (creation times are drawn in it).
    var timeZone: TimeZone { get }
    /// Where the store is, for messages: a file path, or a database URL (never with a password).
    var storeDescription: String { get }
    /// Every user who may sign in (support first, then by account and name).
    func users() throws -> [AppUser]
}
