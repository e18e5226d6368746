import AuditCore
import AuditEngine
import AuditStore
import Demo
import Foundation

/// Times the first page of each filter and the 30-day count on a built store.
///
/// The filters are drawn from the SQLite store (its staff, contacts and subjects); the queries
/// run on `target`: that store itself, or a PostgreSQL reader of a copy of it.
struct QueryBench {
    let store: AuditDatabase
    /// Where the timed queries run (`store` unless the PostgreSQL benchmark gives its reader).
    var target: any QueryTarget
    let now: Date
    let samples: Int
    let seed: UInt64
    /// The store file, for the sqlite3 shell baseline; nil skips it.
    var shellPath: String?
    /// Time only the search rows (the other rows' filters are still drawn, so the search rows
    /// get the same filters as in a full run).
    var searchOnly = false
    /// List this many slowest samples of each search row.
    var slowest = 0
    /// When set, called with one fixed filter of each kind after the first pages (the
    /// PostgreSQL benchmark prints each first page's `EXPLAIN ANALYZE` through it).
    var explain: ((String, EmailFilter) throws -> Void)?

    init(store: AuditDatabase, target: (any QueryTarget)? = nil, now: Date, samples: Int, seed: UInt64,
         searchOnly: Bool = false, slowest: Int = 0) {
        self.store = store
        self.target = target ?? store
        self.now = now
        self.samples = samples
        self.seed = seed
        self.searchOnly = searchOnly
        self.slowest = slowest
    }

    func run() throws {
        var rng = SeededRandom(seed: seed)
        let accountID = try store.accountsByID().first?.id
        let staff = try store.staff(accountID: accountID)
        // The store's own contacts (the build sizes the portfolio to the number of emails).
        let addresses = try store.contactAddresses(accountID: accountID)
        let base = EmailFilter(accountID: accountID, dateRange: .all)
        print("First page (50 rows) of each filter, newest first, and counts (\(target.backendName)):")

        var searching = false
        // `timedWhenSearching`: a first-page row that --search-only times too (its draws unchanged).
        func bench(_ name: String, target: Double, timedWhenSearching: Bool = false,
                   _ makeFilter: (inout SeededRandom) -> EmailFilter) throws {
            var watch = Stopwatch()
            var timed: [(ms: Double, filter: EmailFilter)] = []
            let skipped = searchOnly && !searching && !timedWhenSearching
            for _ in 0..<samples {
                let filter = makeFilter(&rng)
                if skipped { continue }
                _ = try watch.time { try self.target.summaries(matching: filter, from: nil, direction: .older, limit: 50, now: now) }
                timed.append((watch.samples.last ?? 0, filter))
            }
            if skipped { return }
            print("  " + watch.line(name, target: target))
            for sample in timed.sorted(by: { $0.ms > $1.ms }).prefix(slowest) {
                print(String(format: "      %8.3f ms  ", sample.ms) + Self.describe(sample.filter))
            }
        }
        try bench("no filter (all dates)", target: self.target.pageTarget) { _ in base }
        try bench("date range: today", target: self.target.pageTarget) { _ in var f = base; f.dateRange = .today; return f }
        try bench("date range: random custom month", target: self.target.pageTarget) { rng in
            var f = base
            let first = CalendarDay(containing: now, in: store.timeZone).adding(days: -Int.random(in: 30...1_000, using: &rng))
            f.dateRange = .custom(from: first, through: first.adding(days: 30))
            return f
        }
        try bench("status: one of ten (random)", target: self.target.pageTarget) { rng in
            var f = base; f.statuses = [rng.pick(EmailStatus.allCases)]; return f
        }
        try bench("status: Failed + Complained + Rejected", target: self.target.pageTarget) { _ in
            var f = base; f.statuses = [.failed, .complained, .rejected]; return f
        }
        try bench("raised by: one staff member", target: self.target.pageTarget) { rng in
            var f = base; f.raisedBy = [rng.pick(staff).id]; return f
        }
        try bench("to: exact address", target: self.target.pageTarget) { rng in
            var f = base; f.to = .exact(rng.pick(addresses)); return f
        }
        try bench("to: prefix*", target: self.target.pageTarget, timedWhenSearching: true) { rng in
            var f = base; f.to = .prefix(String(rng.pick(addresses).prefix(3))); return f
        }
        try bench("combined: status + raised by + 30 days", target: self.target.pageTarget) { rng in
            var f = base
            f.statuses = [rng.pick([EmailStatus.delivered, .opened, .failed])]
            f.raisedBy = [rng.pick(staff).id]
            f.dateRange = .last30Days
            return f
        }

        if shellPath != nil || explain != nil, !searchOnly {
            // One fixed filter of each kind above, in the app and in the sqlite3 shell (or explained).
            let month = CalendarDay(containing: now, in: store.timeZone).adding(days: -400)
            var fixed: [(name: String, filter: EmailFilter)] = [("no filter (all dates)", base)]
            func add(_ name: String, _ change: (inout EmailFilter) -> Void) { var f = base; change(&f); fixed.append((name, f)) }
            add("date range: today") { $0.dateRange = .today }
            add("date range: a custom month") { $0.dateRange = .custom(from: month, through: month.adding(days: 30)) }
            add("status: Opened") { $0.statuses = [.opened] }
            add("status: Failed + Complained + Rejected") { $0.statuses = [.failed, .complained, .rejected] }
            if let first = staff.first { add("raised by: one staff member") { $0.raisedBy = [first.id] } }
            if let address = addresses.first {
                add("to: exact address") { $0.to = .exact(address) }
                add("to: prefix* (3 letters)") { $0.to = .prefix(String(address.prefix(3))) }
            }
            if let first = staff.first {
                add("combined: status + raised by + 30 days") { $0.statuses = [.delivered]; $0.raisedBy = [first.id]; $0.dateRange = .last30Days }
            }
            if let shellPath {
                try ShellBaseline(store: store, path: shellPath, now: now, runs: max(samples, 200)).run(fixed)
            }
            if let explain {
                // And the search rows' kinds.
                if let domain = addresses.first.map({ AddressPattern.domain(of: $0.lowercased()) }) {
                    add("to: *@domain") { $0.to = .domain(domain) }
                    add("subject + *@domain") { $0.subject = "statement"; $0.to = .domain(domain) }
                }
                if let address = addresses.first {
                    add("to: *part*") { $0.to = .contains(String(address.prefix { $0 != "@" }.suffix(5))) }
                }
                add("subject contains (common)") { $0.subject = "statement" }
                add("subject contains (rare)") { $0.subject = "Ticket #4" }
                for (name, filter) in fixed { try explain(name, filter) }
            }
        }

        searching = true
        try SearchBench(store: store, target: target, now: now, base: base, addresses: addresses, staff: staff)
            .run(bench: { try bench($0, target: $1, $2) }, breakdown: !searchOnly)
        if searchOnly { return }

        var count = Stopwatch()
        for _ in 0..<samples {
            var f = base
            f.dateRange = .last30Days
            _ = try count.time { try target.statusCounts(matching: f, now: now) }
        }
        print("  " + count.line("count per status: last 30 days", target: self.target.pageTarget))
        var countAll = Stopwatch()
        for _ in 0..<samples {
            _ = try countAll.time { try target.statusCounts(matching: base, now: now) }
        }
        print("  " + countAll.line("count per status: all dates", target: self.target.pageTarget))
    }

    /// A search sample's filter in a line (for `--slowest`).
    static func describe(_ filter: EmailFilter) -> String {
        var parts: [String] = []
        if let subject = filter.subject { parts.append("subject \"\(subject)\"") }
        if let to = filter.to { parts.append("to \(to)") }
        if !filter.statuses.isEmpty { parts.append("status \(filter.statuses.map(\.code).sorted())") }
        if !filter.raisedBy.isEmpty { parts.append("raised by \(filter.raisedBy.sorted())") }
        parts.append("dates \(filter.dateRange)")
        return parts.joined(separator: ", ")
    }
}
