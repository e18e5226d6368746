import Foundation

/// How an email is linked to its resends: the email it is a resend of, and the emails it was
/// resent as (oldest first). Both directions are kept, so View, exports and JSON show either.
public struct ResendLinks: Sendable, Hashable, Codable {
    /// The email this one resends ("Resend of #M").
    public var resendOf: Int64?
    /// The emails this one was resent as, oldest first ("Resent as #N").
    public var resentAs: [Int64]
    /// The To of the original when the resend went to a corrected address.
    public var correctedFrom: String?
    /// How many contact records were changed to the corrected address with this resend.
    public var contactsUpdated: Int

    public init(resendOf: Int64? = nil, resentAs: [Int64] = [], correctedFrom: String? = nil, contactsUpdated: Int = 0) {
        self.resendOf = resendOf
        self.resentAs = resentAs
        self.correctedFrom = correctedFrom
        self.contactsUpdated = contactsUpdated
    }

    /// No link either way.
    public var isEmpty: Bool { resendOf == nil && resentAs.isEmpty }

    /// "Resend of #12", "Resent as #40, #41", both joined by "; ", or "" (the export cell).
    public var text: String {
        var parts: [String] = []
        if let resendOf { parts.append("Resend of #\(resendOf)") }
        if !resentAs.isEmpty { parts.append("Resent as " + resentAs.map { "#\($0)" }.joined(separator: ", ")) }
        return parts.joined(separator: "; ")
    }

    /// The email Enter in View goes to: the original of a resend, else its latest resend.
    public var jumpTarget: Int64? { resendOf ?? resentAs.last }
}

/// What a resend recorded.
public struct ResendOutcome: Sendable, Hashable, Codable {
    /// The new email (recorded Pending).
    public var newEmailID: Int64
    /// The email resent.
    public var originalID: Int64
    /// The address the new email goes to.
    public var to: String
    /// The original's address.
    public var originalTo: String
    /// Contact records of the account changed from the original address to `to`.
    public var contactsUpdated: Int

    public init(newEmailID: Int64, originalID: Int64, to: String, originalTo: String, contactsUpdated: Int) {
        self.newEmailID = newEmailID
        self.originalID = originalID
        self.to = to
        self.originalTo = originalTo
        self.contactsUpdated = contactsUpdated
    }

    /// Whether the resend went to another address than the original.
    public var addressChanged: Bool { to != originalTo }
}

/// Why a resend was refused; nothing was recorded. Every case reads as one line.
public enum ResendRefusal: Error, Sendable, Hashable, CustomStringConvertible {
    /// No email with this id in the account (another account's email reads the same).
    case notFound(emailID: Int64)
    /// The email is known only from provider events: its content was never recorded here.
    case notRecordedHere(emailID: Int64)
    /// The To typed is not an email address.
    case invalidAddress(String)
    /// The address is on the account's suppression list.
    case suppressed(SuppressionEntry)
    /// Updating contacts was asked for but the address did not change.
    case contactsNeedNewAddress

    public var description: String {
        switch self {
        case .notFound(let id):
            "no email with id \(id)"
        case .notRecordedHere(let id):
            "email \(id) was not recorded by this system (known only from the provider's events), so there is no content to resend"
        case .invalidAddress(let text):
            "'\(TerminalText.singleLine(text))' is not an email address (name@domain.tld); nothing was sent"
        case .suppressed(let entry):
            Self.suppressedLine(entry, timeZone: UKDateFormat.defaultTimeZone)
        case .contactsNeedNewAddress:
            "updating contacts needs a different address (--to); nothing was sent"
        }
    }

    /// "Not resent: x@y is suppressed (Complained since 01/12/2026 10:00: reason); ask support to
    /// remove it: S then r on the entry, or email-audit suppressions request x@y --note TEXT".
    public static func suppressedLine(_ entry: SuppressionEntry, timeZone: TimeZone) -> String {
        let address = TerminalText.singleLine(entry.address)
        return "not resent: \(address) is on the suppression list (\(suppressionWords(entry, timeZone: timeZone))); "
            + "to ask support to remove it: S then r on the entry, or \(removalCommand(entry.address))"
    }

    /// "Complained since 01/12/2026 10:00: the recipient marked an email as spam".
    public static func suppressionWords(_ entry: SuppressionEntry, timeZone: TimeZone) -> String {
        let since = UKDateFormat(timeZone: timeZone).dateTime(entry.createdAt)
        return "\(entry.kind.displayName) since \(since): \(TerminalText.singleLine(entry.reason))"
    }

    /// The command that asks support to remove the entry of `address`.
    public static func removalCommand(_ address: String) -> String {
        "email-audit suppressions request \(TerminalText.singleLine(address)) --note TEXT"
    }
}

extension EmailAddress {
    /// An address as typed (a resend's To): trimmed, a header value such as `Name <a@b.c>`
    /// reduced to the address, lower-cased; nil when it is not an email address (``isValid(_:)``).
    public static func typed(_ text: String) -> String? {
        let bare = bare(text.trimmingCharacters(in: .whitespacesAndNewlines)).lowercased()
        return isValid(bare) ? bare : nil
    }
}
