import AuditCore
import AuditEngine
import AuditStorePostgres
import Demo
import Foundation
import TerminalUI

/// The screen's `r` (request) and `D` (remove) on the suppression list and `R` (resend) in View
/// on a PostgreSQL store: the signed-in user's changes through the store the screen reads
/// (one connection; its calls take turns). A removal is told to the provider as on SQLite
/// (``StoreSuppressionActions``): the demo's live simulators, else the simulator `seed` or
/// `demo` saved in the database, if any, so later sends to the address go through.
final class PostgresChangeActions: SuppressionActions, ResendActions, @unchecked Sendable {
    private let store: PostgresAuditStore
    private let user: AppUser
    /// The live providers (the demo's simulators); nil: the simulators saved in the store, if any.
    private let providers: DemoProviders?

    init(store: PostgresAuditStore, user: AppUser, providers: DemoProviders? = nil) {
        self.store = store
        self.user = user
        self.providers = providers
    }

    func requestRemoval(address: String, note: String, accountID: Int64) throws {
        try store.requestSuppressionRemoval(address: address, accountID: accountID, userID: user.id, note: note, at: Date())
    }

    func remove(address: String, reason: String, accountID: Int64) throws {
        let at = Date()
        try SuppressionRemoval.removeTellingDemoSimulator(address, accountID: accountID, liveProviders: providers,
                                                          savedIn: store, at: at) {
            try store.removeSuppression(address: address, accountID: accountID, userID: user.id, reason: reason, at: at)
        }
    }

    func resend(emailID: Int64, to: String, updateContacts: Bool, accountID: Int64) throws -> ResendOutcome {
        try store.resend(emailID: emailID, accountID: accountID, user: user, to: to, updateContacts: updateContacts, at: Date())
    }
}
