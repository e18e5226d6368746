import Foundation

/// The recording side of the store contract: what the engine calls to record emails raised by
/// staff (Pending, not yet handed to the provider) and to read one back by id. Both backends
/// conform (see ``PortfolioStore``).
///
/// A batch is recorded whole or not at all: an unknown account, staff member or unit (or one
/// of another account), a malformed To or Cc address (``NewEmail/addressProblem``), text with a
/// NUL character or a time outside 1970-9999 refuses the batch and writes nothing. The daily,
/// monthly and yearly roll-ups count each email on its local day in the store's zone.
public protocol EmailRecordingStore: AnyObject, Sendable {
    /// Records emails as Pending in one transaction and returns their ids, in order.
    func record(_ emails: [NewEmail]) throws -> [Int64]
    /// The email `id` of `accountID`; nil when there is none or it belongs to another account.
    func recordedEmail(id: Int64, inAccount accountID: Int64) throws -> Email?
    /// The units the email `id` of `accountID` was recorded against, ascending (empty for
    /// another account's email).
    func linkedUnitIDs(emailID: Int64, inAccount accountID: Int64) throws -> [Int64]
}

extension EmailAddress {
    /// Whether a bare address is well formed enough to record: one "@" with text either side,
    /// no spaces, control characters or the header punctuation `<>(),;:"[]\`. Looser than
    /// ``isValid(_:)`` (which the intake applies): the store keeps what providers accepted.
    public static func isWellFormed(_ address: String) -> Bool {
        let parts = address.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { return false }
        return !address.unicodeScalars.contains { scalar in
            scalar.properties.isWhitespace || scalar.properties.generalCategory == .control
                || "<>(),;:\"[]\\".unicodeScalars.contains(scalar)
        }
    }
}

extension NewEmail {
    /// Why the email's To or Cc addresses cannot be recorded (one line naming the address,
    /// shown as terminal-safe text), nil when they are well formed.
    public var addressProblem: String? {
        let bareTo = EmailAddress.bare(to)
        if !EmailAddress.isWellFormed(bareTo) {
            return "the To address \(Self.quoted(to)) is not a well-formed email address"
        }
        for address in cc where !EmailAddress.isWellFormed(EmailAddress.bare(address)) {
            return "the Cc address \(Self.quoted(address)) of the email to \(Self.quoted(to)) is not a well-formed email address"
        }
        return nil
    }

    private static func quoted(_ text: String) -> String {
        let shown = String(text.prefix(80).unicodeScalars.map { scalar -> Character in
            scalar.properties.generalCategory == .control ? "?" : Character(scalar)
        })
        return "\"\(shown)\""
    }
}
