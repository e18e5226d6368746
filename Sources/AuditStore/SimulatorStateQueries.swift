import AuditCore
import Foundation
import GRDB

/// Where the provider simulator keeps its state between runs (clock, waiting events,
/// suppression lists), so a later `simulate` or `demo` carries on from the last one: the
/// `meta` row of ``SimulatorStateKey``.
extension AuditDatabase: SimulatorStateStore, DemoStore {
    /// The saved state (opaque JSON) of the simulator for `domain` (nil: the first one), if any.
    public func savedSimulatorState(domain: String? = nil) throws -> Data? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [SimulatorStateKey.key(domain: domain)])
                .map { Data($0.utf8) }
        }
    }

    /// Replaces the saved state of the simulator for `domain` (nil: the first one).
    public func saveSimulatorState(_ data: Data, domain: String? = nil) throws {
        try write { db in
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [SimulatorStateKey.key(domain: domain), String(decoding: data, as: UTF8.self)])
        }
    }

    /// The store's file path.
    public var storeDescription: String { path }
}
