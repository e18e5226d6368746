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

    /// The text with ASCII letters lower-cased and every other character as it is: how the
    /// stores compare Subject text (SQLite's LIKE; PostgreSQL's `translate` of A-Z).
    public static func asciiLowercased(_ text: String) -> String {
        // On the UTF-8 bytes: A-Z are bytes 65-90, which no multi-byte character contains, so
        // the result is valid UTF-8 (scalar by scalar it was ~20 times slower).
        var bytes = Array(text.utf8), changed = false
        for index in bytes.indices where bytes[index] &- 65 < 26 {
            bytes[index] += 32
            changed = true
        }
        return changed ? String(decoding: bytes, as: UTF8.self) : text
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
