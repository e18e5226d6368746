import AuditCore

/// Changes to the suppression list the screen may ask for, wired in by the executable
/// (which opens the store for writing and tells the provider). Each acts as the signed-in
/// user on `accountID` and throws the store's one-line refusal (a staff user removing).
public protocol SuppressionActions: Sendable {
    /// Asks support to remove `address` from the account's list, with a note.
    func requestRemoval(address: String, note: String, accountID: Int64) throws
    /// Removes `address` from the account's list with a reason (support only).
    func remove(address: String, reason: String, accountID: Int64) throws
}
