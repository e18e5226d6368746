import AuditCore
import AuditStorePostgres
import Foundation
import TerminalUI

/// The screen's `r` (request) and `D` (remove) on the suppression list and `R` (resend) in View
/// on a PostgreSQL store: the signed-in user's changes through the store the screen reads
/// (one connection; its calls take turns). A PostgreSQL store holds no saved demo simulator, so
/// a removal changes the store's list and trail only, as on a SQLite store without one.
final class PostgresChangeActions: SuppressionActions, ResendActions, @unchecked Sendable {
    private let store: PostgresAuditStore
    private let user: AppUser

    init(store: PostgresAuditStore, user: AppUser) {
        self.store = store
        self.user = user
    }

    func requestRemoval(address: String, note: String, accountID: Int64) throws {
        try store.requestSuppressionRemoval(address: address, accountID: accountID, userID: user.id, note: note, at: Date())
    }

    func remove(address: String, reason: String, accountID: Int64) throws {
        try store.removeSuppression(address: address, accountID: accountID, userID: user.id, reason: reason, at: Date())
    }

    func resend(emailID: Int64, to: String, updateContacts: Bool, accountID: Int64) throws -> ResendOutcome {
        try store.resend(emailID: emailID, accountID: accountID, user: user, to: to, updateContacts: updateContacts, at: Date())
    }
}
