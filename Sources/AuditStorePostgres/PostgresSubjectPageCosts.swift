import Foundation

/// What the rest of a Subject page past its walk costs each way
/// (``PostgresAuditStore/subjectPage(matching:addresses:accountID:from:direction:limit:now:)``),
/// from the walk's figures. Every way reads the emails in date order until the page is full, so
/// each is priced for the same stretch of time: the rows it reads in it, as shares of all the
/// store's emails, times what a row costs.
///
/// A row's cost, measured on the 1,000,000-email benchmark store (05/12/2026, warm): a
/// trigram index candidate ~3 µs (a heap row fetched out of order, then checked: 2,000
/// candidates over 23 months in 6.3 ms); an email walked by the date index ~1.2 µs (1,000 in
/// 1.1-1.2 ms); by an address, domain or raiser's index ~3.3 µs (their rows are scattered: 4,000
/// in ~13 ms); by a status's rows in `email_statuses` ~1.5 µs, and ~5 µs more for each row
/// holding the text, whose email is then read by key (schema version 13: "statement" with
/// Failed over 30 days, 1,387 rows and 188 emails, 3.2-3.7 ms; Delivered, 4,000 rows and 79
/// emails, 4.2-4.6 ms; it was ~12 µs a row when every row's email was read for its subject).
struct SubjectPageCosts: Equatable, Sendable {
    /// The way to read the rest.
    enum Way: Equatable, Sendable {
        /// Month windows of the trigram index.
        case index
        /// Walking on through the walk's index ranges.
        case walk
        /// Walking on through the statuses' ranges of `email_statuses`.
        case walkByStatus
    }

    static let candidateCost = 3.0
    /// What each key a read of the search index asks for costs in each month partition it
    /// reads, µs: "t 2, Clarke" beside a raiser over 37 months at 1,000,000 emails, five
    /// trigrams and the key (17 candidates) 8.0-8.3 ms, one and the key (556) 3.2-4.3 ms.
    static let keyCost = 30.0
    static let dateWalkCost = 1.2
    static let rangeWalkCost = 3.3
    static let statusWalkCost = 1.5
    /// What reading a status row's email by key costs, µs (the rows holding the text).
    static let statusProbeCost = 5.0

    /// The share of emails holding the trigrams the index would be asked for.
    var candidates: Double
    /// The share of the walked emails with one of the filter's statuses (1: no statuses).
    var statuses: Double
    /// The share of all emails the walk's index range holds (1: the date index).
    var range = 1.0
    /// Whether the walk reads a narrower index than the date index.
    var narrowRange = false
    /// Whether the index's read asks for the range's own keys too (a raiser's, a domain's:
    /// ``PostgresSearchKeys``), so that its candidates are the text's within the range.
    var keyedRange = false
    /// The emails the index's candidates over every month would be, at most: the store's
    /// emails times their share (``candidates``, times ``range`` when the range is keyed).
    func candidatesOverEveryMonth(storeEmails: Double) -> Double {
        storeEmails * candidates * (keyedRange ? range : 1)
    }

    /// How many of a text's trigrams (in the order chosen) a read beside a range's key asks
    /// for: the number whose reads, `months` month partitions each, and candidates (the share
    /// of the sample holding the first k, `shares[k - 1]`, of the range's `rangeEmails`) cost
    /// least. Beside a raiser (a thirtieth of the emails) one trigram is usually cheapest,
    /// beside a domain of a sixth of them two or three.
    static func trigramsToAsk(shares: [Double], months: Int, rangeEmails: Double) -> Int {
        guard !shares.isEmpty else { return 0 }
        func cost(_ count: Int) -> Double {
            Double(count) * Double(months) * keyCost + shares[count - 1] * rangeEmails * candidateCost
        }
        return (1...shares.count).min { cost($0) < cost($1) } ?? 1
    }

    /// Whether the statuses can be walked as ranges of their own.
    var statusesWalkable = false

    /// The cheapest way (the index on a tie).
    var cheapest: Way {
        var best = (way: Way.index, cost: candidates * (keyedRange ? range : 1) * Self.candidateCost)
        let walk = range * (narrowRange ? Self.rangeWalkCost : Self.dateWalkCost)
        if walk < best.cost { best = (.walk, walk) }
        let byStatus = range * statuses * (Self.statusWalkCost + candidates * Self.statusProbeCost)
        if statusesWalkable, byStatus < best.cost { best = (.walkByStatus, byStatus) }
        return best.way
    }
}

/// A value kept for a while (a figure that changes slowly, such as the planner's row counts).
final class PostgresTimedValue<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: (value: Value, at: Date)?
    /// How long a value is kept.
    let lifetime: TimeInterval

    init(lifetime: TimeInterval) {
        self.lifetime = lifetime
    }

    /// The value, unless there is none or it is older than ``lifetime``.
    func value(now: Date) -> Value? {
        lock.lock()
        defer { lock.unlock() }
        guard let stored, now.timeIntervalSince(stored.at) < lifetime else { return nil }
        return stored.value
    }

    func store(_ value: Value, now: Date) {
        lock.lock()
        defer { lock.unlock() }
        stored = (value, now)
    }
}
