import AuditCore
import AuditStore
import Foundation

/// Support's removal of a suppression: recorded in the store's trail, then told to the
/// provider so later sends to the address go through.
public enum SuppressionRemoval {
    /// Removes `address` from the reader's account's suppression list with `reason`, then
    /// from `provider`'s lists (when one is given).
    ///
    /// - Throws: ``StoreError/needsSupportRole(user:action:)`` for a staff user, and nothing
    ///   changes, in the store or at the provider; the provider's error when the store recorded
    ///   the removal but the provider could not be told (the caller says so; retrying is safe).
    public static func remove(_ address: String, reason: String, reader: AccountScopedReader,
                              provider: (any EmailProvider)?, at time: Date = Date()) throws {
        try reader.removeSuppression(address: address, reason: reason, at: time)
        try provider?.removeSuppression(address, at: time)
    }

    /// Removes `address` as above, telling the demo simulator of the reader's account saved
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
