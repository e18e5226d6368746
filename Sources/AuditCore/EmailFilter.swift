import Foundation

/// A position in the newest-first email list: rows are ordered by (createdAt, id) descending.
public struct EmailCursor: Sendable, Hashable, Codable {
    public var createdAt: Date
    public var id: Int64
    public init(createdAt: Date, id: Int64) {
        self.createdAt = createdAt
        self.id = id
    }
}

/// Which way to page from a cursor.
public enum PageDirection: Sendable, Hashable {
    /// Rows after the cursor in the newest-first list (older emails).
    case older
    /// Rows before the cursor (newer emails), returned newest first.
    case newer
}

/// The To filter: a whole address, a prefix written with a trailing `*`, a whole domain
/// written `*@domain`, or a part of the address written `*part*`.
public enum AddressPattern: Sendable, Hashable, CustomStringConvertible {
    case exact(String)
    case prefix(String)
    /// Every address at this domain (the text after the address's first `@`).
    case domain(String)
    /// Every address containing this text.
    case contains(String)

    /// Parses "alice@example.net", "alice*", "*@example.net" or "*hughes*". Case-insensitive;
    /// surrounding spaces ignored. Returns nil for empty text or a `*` anywhere else.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !trimmed.isEmpty else { return nil }
        if trimmed.hasPrefix("*@") {
            let domain = String(trimmed.dropFirst(2))
            guard !domain.isEmpty, !domain.contains("*"), !domain.contains("@") else { return nil }
            self = .domain(domain)
        } else if trimmed.hasPrefix("*") {
            guard trimmed.count > 2, trimmed.hasSuffix("*") else { return nil }
            let part = String(trimmed.dropFirst().dropLast())
            guard !part.contains("*"), !part.trimmingCharacters(in: .whitespaces).isEmpty else { return nil }
            self = .contains(part)
        } else if trimmed.hasSuffix("*") {
            let stem = String(trimmed.dropLast()).trimmingCharacters(in: .whitespaces)
            guard !stem.isEmpty, !stem.contains("*") else { return nil }
            self = .prefix(stem)
        } else {
            guard !trimmed.contains("*") else { return nil }
            self = .exact(trimmed)
        }
    }

    public var description: String {
        switch self {
        case .exact(let address): address
        case .prefix(let stem): stem + "*"
        case .domain(let domain): "*@" + domain
        case .contains(let part): "*" + part + "*"
        }
    }

    /// The domain of an address as the store indexes it: the text after the last `@`
    /// (the whole text when there is none).
    public static func domain(of address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return address }
        return String(address[address.index(after: at)...])
    }

    /// Whether an address matches (case-insensitive).
    public func matches(_ address: String) -> Bool {
        let lower = address.lowercased()
        switch self {
        case .exact(let value): return lower == value
        case .prefix(let stem): return lower.hasPrefix(stem)
        case .domain(let domain): return Self.domain(of: lower) == domain
        case .contains(let part): return lower.contains(part)
        }
    }
}

/// The four filters of the Email Audit screen, plus the account scope.
public struct EmailFilter: Sendable, Hashable {
    /// Only emails of this account; nil means every account (support tools only).
    public var accountID: Int64?
    /// Staff ids whose emails to show; empty means anyone.
    public var raisedBy: Set<Int64>
    /// Statuses to show; empty means all.
    public var statuses: Set<EmailStatus>
    public var to: AddressPattern?
    /// Text the subject must contain (case-insensitive for ASCII letters); nil means any subject.
    public var subject: String?
    public var dateRange: DateRangeChoice

    public init(accountID: Int64? = nil, raisedBy: Set<Int64> = [], statuses: Set<EmailStatus> = [],
                to: AddressPattern? = nil, subject: String? = nil, dateRange: DateRangeChoice = .today) {
        self.accountID = accountID
        self.raisedBy = raisedBy
        self.statuses = statuses
        self.to = to
        self.subject = subject
        self.dateRange = dateRange
    }

    /// Whether a subject contains ``subject`` as the store compares it (ASCII letters
    /// case-insensitive, as SQLite's LIKE does); true when no subject text is set.
    public func subjectMatches(_ text: String) -> Bool {
        guard let subject, !subject.isEmpty else { return true }
        return Self.asciiLowercased(text).contains(Self.asciiLowercased(subject))
    }

    static func asciiLowercased(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            (65...90).contains(scalar.value) ? Unicode.Scalar(scalar.value + 32)! : scalar
        }))
    }

    /// The filter a screen opens with: everything raised today.
    public static let `default` = EmailFilter()
}

/// Counts of emails per status.
public struct StatusCounts: Sendable, Hashable {
    public var byStatus: [EmailStatus: Int]
    public init(byStatus: [EmailStatus: Int] = [:]) {
        self.byStatus = byStatus
    }
    public var total: Int { byStatus.values.reduce(0, +) }
    public subscript(status: EmailStatus) -> Int { byStatus[status] ?? 0 }
}

/// Failures to one recipient domain, for the per-domain breakdown.
public struct DomainFailures: Sendable, Hashable {
    /// The text after the `@` of the recipients' addresses.
    public var domain: String
    public var failed: Int
    public var complained: Int
    public var rejected: Int
    public init(domain: String, failed: Int = 0, complained: Int = 0, rejected: Int = 0) {
        self.domain = domain
        self.failed = failed
        self.complained = complained
        self.rejected = rejected
    }
    /// Failed + Complained + Rejected.
    public var total: Int { failed + complained + rejected }

    /// The statuses the breakdown counts.
    public static let statuses: Set<EmailStatus> = [.failed, .complained, .rejected]

    /// Groups counts per (domain, status) into rows, most failures first (then by domain).
    public static func rows(_ counts: [(domain: String, status: EmailStatus, count: Int)]) -> [DomainFailures] {
        var byDomain: [String: DomainFailures] = [:]
        for item in counts {
            var row = byDomain[item.domain] ?? DomainFailures(domain: item.domain)
            switch item.status {
            case .failed: row.failed += item.count
            case .complained: row.complained += item.count
            case .rejected: row.rejected += item.count
            default: continue
            }
            byDomain[item.domain] = row
        }
        return byDomain.values.filter { $0.total > 0 }.sorted { a, b in
            a.total != b.total ? a.total > b.total : a.domain < b.domain
        }
    }
}

/// The read side of the audit, as screens and the CLI use it: one signed-in user's view of
/// one account at a time.
///
/// Every read answers for the reader's current account only, whatever a filter says: the
/// account is part of every query, not a filter a screen may forget. A support user moves to
/// another account with ``selectAccount(_:)``.
public protocol AuditReader: Sendable {
    /// One page of summaries matching `filter` in the reader's account, newest first, strictly
    /// after (older) or before (newer) `cursor`. With no cursor, `.older` starts at the newest
    /// email and `.newer` at the oldest.
    func summaries(matching filter: EmailFilter, from cursor: EmailCursor?, direction: PageDirection,
                   limit: Int, now: Date) throws -> [EmailSummary]
    /// Counts per status for the filter, in the reader's account.
    func statusCounts(matching filter: EmailFilter, now: Date) throws -> StatusCounts
    /// The whole email with its events and linked units (nil when it is not the account's).
    func detail(emailID: Int64) throws -> EmailDetail?
    /// Every unit of the account whose contacts use `address`.
    func unitSearch(address: String) throws -> [UnitContactRow]
    /// Staff of the reader's account (nil or its id; another account is refused), by name, including "External".
    func staff(accountID: Int64?) throws -> [StaffUser]
    /// The accounts the signed-in user may choose (their own; every account for support).
    func accounts() throws -> [Account]
    /// Makes `accountID` the reader's account (support only; staff may only stay in their own).
    func selectAccount(_ accountID: Int64) throws -> Account
    /// The account's suppression list, newest first.
    func suppressions() throws -> [SuppressionEntry]
    /// The active suppression of `address` in the account, if any.
    func suppression(for address: String) throws -> SuppressionEntry?
    /// The trail of `address`'s suppression entry in the account, oldest first.
    func suppressionHistory(address: String) throws -> [SuppressionHistoryItem]
    /// A number that changes whenever emails or events change (cheap to read).
    func changeToken() throws -> Int64
    /// The ids of the account's emails with a provider Message-ID (one per recipient), ascending
    /// (`accountID` nil or the reader's account; another account is refused).
    func emailIDs(messageID: String, accountID: Int64?) throws -> [Int64]
    /// Failed, Complained and Rejected emails of the filter in the reader's account per
    /// recipient domain, most first (only those of the three statuses the filter's own statuses allow).
    func domainBreakdown(matching filter: EmailFilter, now: Date) throws -> [DomainFailures]
    /// How the hand-over to the provider is going for an account (all accounts when nil):
    /// the feeder's last success and failure, and the emails Pending past the limit at `now`.
    func handOverHealth(accountID: Int64?, now: Date) throws -> HandOverHealth
}
