import Foundation

/// The people's side of the suppression lists in the store contract: a user asks support to
/// remove an address, and support removes it. Both backends conform (SQLite: `AuditDatabase`;
/// PostgreSQL: `PostgresAuditStore`) and one contract test suite runs against each.
///
/// Each change sets the active entry's request or removal columns and appends a line to the
/// entry's trail (``SuppressionHistoryItem``) in one transaction, after checking the user: a
/// staff user acts only in their own account, and only the support team may remove. A refused
/// change writes nothing. The address is compared bare and lower-cased.
public protocol SuppressionChangeStore: AnyObject, Sendable {
    /// Records user `userID`'s request that support remove the suppression of `address` in
    /// `accountID`, with `note` (the trail's "Removal requested").
    ///
    /// Refuses an unknown user or account, a staff user of another account ("… may not see
    /// account N."), an address not suppressed ("… is not on the suppression list."), and a
    /// note with a NUL character.
    func requestSuppressionRemoval(address: String, accountID: Int64, userID: Int64, note: String, at: Date) throws

    /// Removes the suppression of `address` in `accountID` for support user `userID`, with
    /// `reason` (the trail's "Removed"); a later provider event may add it again.
    ///
    /// Refuses as ``requestSuppressionRemoval(address:accountID:userID:note:at:)`` does, and a
    /// staff user ("… cannot remove a suppression: it needs the support role.").
    func removeSuppression(address: String, accountID: Int64, userID: Int64, reason: String, at: Date) throws
}

/// Resends in the store contract: an email recorded again as a new Pending email, linked to
/// the original both ways. Both backends conform (see ``SuppressionChangeStore``).
public protocol ResendStore: AnyObject, Sendable {
    /// Records a resend of email `emailID` of `accountID` by `user` at `time`, in one
    /// transaction: a new Pending email with the original's content, attachments and units,
    /// raised by the user (a support user working in another account gets that account's
    /// support staff record of their name, made on first use), to `to` (the original's To when
    /// nil); the link both ways (``ResendLinks``); and, with `updateContacts`, the account's
    /// contact records that used the original address moved to the new one, each change
    /// recorded.
    ///
    /// - Throws: ``ResendRefusal`` (another account's email is ``ResendRefusal/notFound(emailID:)``;
    ///   an address on the account's suppression list ``ResendRefusal/suppressed(_:)``), or the
    ///   store's "… may not see account N." for a staff user of another account. Nothing is
    ///   recorded then.
    func resend(emailID: Int64, accountID: Int64, user: AppUser, to: String?, updateContacts: Bool, at time: Date) throws -> ResendOutcome
}
