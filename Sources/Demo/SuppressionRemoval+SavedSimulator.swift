import AuditCore
import AuditEngine
import AuditStore
import Foundation

/// Support's removal of a suppression on a seeded or demo store, whose simulated provider is
/// running live (`demo`) or saved in the store, on either backend.
extension SuppressionRemoval {
    /// `removeFromStore` removes `address` from the store's list of account `accountID`
    /// (checking the user's role; nothing is told to a simulator when it throws), then the
    /// account's demo simulator forgets the address, so later sends to it go through: the live
    /// one in `liveProviders` when given, else the one saved in `store` (a seeded or demo store,
    /// SQLite or PostgreSQL), which is saved again; a store with none: nothing more.
    public static func removeTellingDemoSimulator(_ address: String, accountID: Int64, liveProviders: DemoProviders? = nil,
                                                  savedIn store: any DemoStore, at time: Date = Date(),
                                                  removeFromStore: () throws -> Void) throws {
        if let liveProviders {
            try removeFromStore()
            try liveProviders.provider(forAccount: accountID)?.removeSuppression(address, at: time)
            return
        }
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
