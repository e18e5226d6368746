import AuditCore
import AuditStore
import Demo
import Foundation

/// The search rows of the query benchmark: To by domain and by part, Subject contains, and
/// the per-domain breakdown, with texts drawn from the store's own addresses and subjects.
struct SearchBench {
    let store: AuditDatabase
    /// Where the breakdown runs (the rows run where `bench` runs them).
    let target: any QueryTarget
    let now: Date
    let base: EmailFilter
    let addresses: [String]
    let staff: [StaffUser]

    /// Words and phrases of the subjects the seeder writes, common and rare.
    static func subjectTexts(_ store: AuditDatabase, base: EmailFilter, now: Date, rng: inout SeededRandom) throws -> [String] {
        var texts = ["Payment received", "statement", "Flat 12", "Kingfisher", "boiler", "Section 20", "arrears", "Ticket #4"]
        // Pieces of real subjects spread over the store's three years.
        var filter = base
        for back in stride(from: 0, to: 1_000, by: 50) {
            let day = CalendarDay(containing: now, in: store.timeZone).adding(days: -back)
            filter.dateRange = .custom(from: day, through: day)
            for summary in try store.summaries(matching: filter, from: nil, direction: .older, limit: 3, now: now) {
                let characters = Array(summary.subject)
                guard characters.count > 12 else { continue }
                let length = Int.random(in: 5...12, using: &rng)
                let start = Int.random(in: 0...(characters.count - length), using: &rng)
                texts.append(String(characters[start..<(start + length)]).trimmingCharacters(in: .whitespaces))
            }
        }
        return texts.filter { $0.count >= 3 }
    }

    /// Times each search row through `bench`, then (when `breakdown`) the per-domain breakdown.
    func run(bench: (String, Double, (inout SeededRandom) -> EmailFilter) throws -> Void, breakdown timeBreakdown: Bool = true) throws {
        var textRNG = SeededRandom(seed: 99)
        let subjects = try Self.subjectTexts(store, base: base, now: now, rng: &textRNG)
        let domains = Array(Set(addresses.map { AddressPattern.domain(of: $0.lowercased()) })).sorted()
        try bench("to: *@domain", 20) { rng in
            var f = base; f.to = .domain(rng.pick(domains)); return f
        }
        try bench("to: *part* (4-7 letters of an address)", 20) { rng in
            let local = Array(rng.pick(addresses).lowercased().prefix { $0 != "@" })
            let length = min(local.count, Int.random(in: 4...7, using: &rng))
            let start = Int.random(in: 0...(local.count - length), using: &rng)
            var f = base; f.to = .contains(String(local[start..<(start + length)])); return f
        }
        try bench("subject contains", 20) { rng in
            var f = base; f.subject = rng.pick(subjects); return f
        }
        try bench("subject + *@domain", 20) { rng in
            var f = base; f.subject = rng.pick(subjects); f.to = .domain(rng.pick(domains)); return f
        }
        try bench("subject + status + 30 days", 20) { rng in
            var f = base
            f.subject = rng.pick(subjects)
            f.statuses = [rng.pick([EmailStatus.delivered, .failed, .rejected])]
            f.dateRange = .last30Days
            return f
        }
        try bench("subject + raised by", 20) { rng in
            var f = base; f.subject = rng.pick(subjects); f.raisedBy = [rng.pick(staff).id]; return f
        }
        guard timeBreakdown else { return }
        var breakdown = Stopwatch()
        var breakdownAll = Stopwatch()
        for _ in 0..<20 {
            var f = base
            f.dateRange = .last30Days
            _ = try breakdown.time { try target.domainBreakdown(matching: f, now: now) }
            _ = try breakdownAll.time { try target.domainBreakdown(matching: base, now: now) }
        }
        print("  " + breakdown.line("failures per domain (D): last 30 days"))
        print("  " + breakdownAll.line("failures per domain (D): all dates"))
    }
}
