import Foundation
import GRDB

/// Where the provider simulator keeps its state between runs (clock, waiting events,
/// suppression lists), so a later `simulate` or `demo` carries on from the last one.
extension AuditDatabase {
    static let simulatorStateKey = "simulator_state"

    /// The saved simulator state (opaque JSON), if any.
    public func savedSimulatorState() throws -> Data? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [Self.simulatorStateKey])
                .map { Data($0.utf8) }
        }
    }

    /// Replaces the saved simulator state.
    public func saveSimulatorState(_ data: Data) throws {
        try write { db in
            try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [Self.simulatorStateKey, String(decoding: data, as: UTF8.self)])
        }
    }
}
