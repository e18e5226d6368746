import AuditCore
import AuditStore
import AuditStorePostgres
import Foundation

/// What the commands and the screen that change the store need of a signed-in reader beyond
/// ``ReportingReader``: suppression requests and removals, and resends, in the reader's
/// account as its user. `AccountScopedReader` (SQLite) and `PostgresAuditReader` both have them.
protocol ChangingReader: ReportingReader {
    /// Asks support to remove the suppression of `address`, with a note.
    func requestSuppressionRemoval(address: String, note: String, at: Date) throws
    /// Removes the suppression of `address` with a reason (support only).
    func removeSuppression(address: String, reason: String, at: Date) throws
    /// Resends an email of the account as a new Pending one, linked both ways.
    func resend(emailID: Int64, to: String?, updateContacts: Bool, at: Date) throws -> ResendOutcome
}

extension AccountScopedReader: ChangingReader {}
extension PostgresAuditReader: ChangingReader {}
