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
}
