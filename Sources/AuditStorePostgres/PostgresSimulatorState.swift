import AuditCore
import Foundation

/// The provider simulators' saved state on PostgreSQL: a `store_meta` row per sending domain,
/// under the SQLite store's keys (``SimulatorStateKey``), so `seed`, `demo` and `simulate`
/// carry on from the last run as they do on SQLite.
extension PostgresAuditStore: SimulatorStateStore, DemoStore {
    /// The saved state (opaque JSON) of the simulator for `domain` (nil: the first one), if any.
    public func savedSimulatorState(domain: String?) throws -> Data? {
        let key = SimulatorStateKey.key(domain: domain)
        return try rows("SELECT value FROM store_meta WHERE key = \(key)") { try $0[0].decode(String.self) }
            .first.map { Data($0.utf8) }
    }

    /// Replaces the saved state of the simulator for `domain` (nil: the first one).
    public func saveSimulatorState(_ data: Data, domain: String?) throws {
        let key = SimulatorStateKey.key(domain: domain)
        let value = String(decoding: data, as: UTF8.self)
        _ = try connection.execute("""
            INSERT INTO store_meta (key, value) VALUES (\(key), \(value))
            ON CONFLICT (key) DO UPDATE SET value = excluded.value
            """)
    }

    /// The database's location (never a password: URLs with one are refused).
    public var storeDescription: String { location }
}
