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
        let store = reader.database
        guard try store.savedSimulatorState() != nil else {
            try remove(address, reason: reason, reader: reader, provider: nil, at: time)
            return
        }
        let (providers, _) = try DemoProviders.restore(from: store, seed: 1)
        try remove(address, reason: reason, reader: reader, provider: providers.provider(forAccount: reader.account.id), at: time)
        try providers.save(to: store)
    }
}
