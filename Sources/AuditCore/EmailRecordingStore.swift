import Foundation

/// The recording side of the store contract: what the engine calls to record emails raised by
/// staff (Pending, not yet handed to the provider) and to read one back by id. Both backends
/// conform (see ``PortfolioStore``).
///
/// A batch is recorded whole or not at all: an unknown account, staff member or unit (or one
/// of another account), text with a NUL character (in an address too) or a time outside
/// 1970-9999 refuses the batch and writes nothing. A malformed address that can be stored
/// ("flat3@@gmail.com", "mary smith@hotmail.co.uk") is recorded as given, bare and
/// lower-cased: staff did send to it, the provider rejects it, and the audit must show that
/// (the intake and the screens check addresses before they record). The daily, monthly and
/// yearly roll-ups count each email on its local day in the store's zone.
public protocol EmailRecordingStore: AnyObject, Sendable {
    /// Records emails as Pending in one transaction and returns their ids, in order.
    func record(_ emails: [NewEmail]) throws -> [Int64]
    /// The email `id` of `accountID`; nil when there is none or it belongs to another account.
    func recordedEmail(id: Int64, inAccount accountID: Int64) throws -> Email?
    /// The units the email `id` of `accountID` was recorded against, ascending (empty for
    /// another account's email).
    func linkedUnitIDs(emailID: Int64, inAccount accountID: Int64) throws -> [Int64]
}
