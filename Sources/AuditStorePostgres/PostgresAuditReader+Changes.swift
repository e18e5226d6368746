import AuditCore
import Foundation

/// What a signed-in user changes through their reader on PostgreSQL, as through the SQLite
/// store's `AccountScopedReader`: suppression requests and removals, and resends, in the
/// reader's account, as the reader's user.
extension PostgresAuditReader {
    /// Asks support to remove the suppression of `address` in the reader's account, with a note.
    public func requestSuppressionRemoval(address: String, note: String, at: Date = Date()) throws {
        try store.requestSuppressionRemoval(address: address, accountID: account.id, userID: user.id, note: note, at: at)
    }

    /// Removes the suppression of `address` with a reason (support only; a staff user is refused
    /// with ``PostgresStoreError/needsSupportRole(user:action:)`` and nothing changes).
    public func removeSuppression(address: String, reason: String, at: Date = Date()) throws {
        try store.removeSuppression(address: address, accountID: account.id, userID: user.id, reason: reason, at: at)
    }

    /// Resends email `emailID` of the reader's account as the signed-in user (see ``ResendStore``).
    public func resend(emailID: Int64, to: String?, updateContacts: Bool, at: Date = Date()) throws -> ResendOutcome {
        try store.resend(emailID: emailID, accountID: account.id, user: user, to: to, updateContacts: updateContacts, at: at)
    }
}
