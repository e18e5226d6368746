import AuditCore

/// Resends from View (`R`), wired in by the executable (which opens the store for writing).
/// Acts as the signed-in user on `accountID`.
public protocol ResendActions: Sendable {
    /// Records `emailID` again as a new Pending email to `to`, linked both ways; with
    /// `updateContacts`, the account's contact records that used the old address move to `to`.
    ///
    /// - Throws: ``ResendRefusal`` (a suppressed address with its entry, a malformed address,
    ///   an email not in the account), and nothing is recorded.
    func resend(emailID: Int64, to: String, updateContacts: Bool, accountID: Int64) throws -> ResendOutcome
}
