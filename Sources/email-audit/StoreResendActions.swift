import AuditCore
import AuditStore
import Foundation
import TerminalUI

/// `R` in View: the resend is recorded Pending through the same store writer the suppression
/// changes use (opened for writing on first use); the batch feeder of `serve`, `demo` or
/// `simulate` hands it over.
extension StoreSuppressionActions: ResendActions {
    func resend(emailID: Int64, to: String, updateContacts: Bool, accountID: Int64) throws -> ResendOutcome {
        try reader(accountID).resend(emailID: emailID, to: to, updateContacts: updateContacts)
    }
}
