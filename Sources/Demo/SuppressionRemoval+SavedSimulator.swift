import AuditCore
import AuditEngine
import AuditStore
import Foundation

/// Support's removal of a suppression on a seeded or demo store, whose simulated provider is saved in the store.
extension SuppressionRemoval {
    /// Removes `address` as ``remove(_:reason:reader:provider:at:)`` does, telling the demo simulator of the reader's account saved
    /// in the store (when the store has one: a seeded or demo store), and saves it again, so a
    /// later `simulate` or `demo` sends to the address.
    public static func removeTellingSavedSimulator(_ address: String, reason: String, reader: AccountScopedReader,
                                                   at time: Date = Date()) throws {
        try removeTellingSavedSimulator(address, accountID: reader.account.id, savedIn: reader.database, at: time) {
            try reader.removeSuppression(address: address, reason: reason, at: time)
        }
    }

    /// The same on either backend: `removeFromStore` removes `address` from the store's list of
    /// account `accountID` (checking the user's role; nothing is told to the simulator when it
    /// throws), then the simulator of that account saved in `store` (a seeded or demo store,
    /// SQLite or PostgreSQL; none: nothing more) forgets the address and is saved again.
    public static func removeTellingSavedSimulator(_ address: String, accountID: Int64, savedIn store: any DemoStore,
                                                   at time: Date = Date(), removeFromStore: () throws -> Void) throws {
        guard try store.savedSimulatorState(domain: nil) != nil else {
            try removeFromStore()
            return
        }
        let (providers, _) = try DemoProviders.restore(from: store, seed: 1)
        try removeFromStore()
        try providers.provider(forAccount: accountID)?.removeSuppression(address, at: time)
        try providers.save(to: store)
    }
}
