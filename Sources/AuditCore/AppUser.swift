import Foundation

/// Someone who signs in: a staff member of one account, or a member of the support team
/// (who belongs to no account and chooses one).
public struct AppUser: Sendable, Hashable, Codable {
    public var id: Int64
    /// The name shown in the header and the suppression trail.
    public var name: String
    /// The short name matched to the login name (`$USER`) and accepted by `--user`.
    public var login: String
    /// ``StaffRole/staff`` or ``StaffRole/support``.
    public var role: StaffRole
    /// The account a staff user belongs to; nil for the support team.
    public var accountID: Int64?
    /// The staff record emails raised by this user carry, when there is one.
    public var staffID: Int64?

    public init(id: Int64, name: String, login: String, role: StaffRole, accountID: Int64?, staffID: Int64?) {
        self.id = id
        self.name = name
        self.login = login
        self.role = role
        self.accountID = accountID
        self.staffID = staffID
    }

    /// Whether the user is on the support team (may choose any account and remove suppressions).
    public var isSupport: Bool { role == .support }

    /// The login a name gets: its ASCII spelling, lower case, words joined by dots
    /// ("Zoë Clarke" → "zoe.clarke", "Siobhán O'Connor" → "siobhan.oconnor").
    public static func login(forName name: String) -> String {
        let ascii = ASCIIFallback.text(name).lowercased()
        let words = ascii.split(whereSeparator: { $0 == " " || $0 == "-" }).map { word in
            String(word.filter { $0.isASCII && ($0.isLetter || $0.isNumber) })
        }
        let joined = words.filter { !$0.isEmpty }.joined(separator: ".")
        return joined.isEmpty ? "user" : joined
    }

    /// Whether `text` names this user: the login, or the name ignoring case and accents (an
    /// ASCII spelling such as "Lukasz Nowak" matches "Łukasz Nowak").
    public func isNamed(_ text: String) -> Bool {
        let wanted = text.trimmingCharacters(in: .whitespaces)
        guard !wanted.isEmpty else { return false }
        if login.caseInsensitiveCompare(wanted) == .orderedSame { return true }
        if name.compare(wanted, options: [.caseInsensitive, .diacriticInsensitive]) == .orderedSame { return true }
        return wanted.allSatisfy(\.isASCII) && ASCIIFallback.text(name).caseInsensitiveCompare(wanted) == .orderedSame
    }
}
