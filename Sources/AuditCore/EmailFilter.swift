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

/// The To filter: a whole address, or a prefix written with a trailing `*`.
public enum AddressPattern: Sendable, Hashable, CustomStringConvertible {
    case exact(String)
    case prefix(String)

    /// Parses "alice@example.net" or "alice*". Case-insensitive; surrounding spaces ignored.
    /// Returns nil for empty text.
    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !trimmed.isEmpty else { return nil }
        if trimmed.hasSuffix("*") {
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
        }
    }

    /// Whether an address matches (case-insensitive).
    public func matches(_ address: String) -> Bool {
        let lower = address.lowercased()
        switch self {
        case .exact(let value): return lower == value
        case .prefix(let stem): return lower.hasPrefix(stem)
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
    public var dateRange: DateRangeChoice

    public init(accountID: Int64? = nil, raisedBy: Set<Int64> = [], statuses: Set<EmailStatus> = [],
                to: AddressPattern? = nil, dateRange: DateRangeChoice = .today) {
        self.accountID = accountID
        self.raisedBy = raisedBy
        self.statuses = statuses
        self.to = to
        self.dateRange = dateRange
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
}
