import Foundation

/// A one-line progress bar for `seed` and `demo` on standard error: emails raised of the
/// total, the rate and the events. It draws only when standard error is a terminal, at most
/// five times a second.
struct ProgressBar {
    let enabled: Bool
    private let started = Date()
    private var lastDraw = Date.distantPast

    init(enabled: Bool = isatty(STDERR_FILENO) == 1) {
        self.enabled = enabled
    }

    /// Redraws the bar when enough time has passed (always when `force`).
    mutating func update(done: Int, total: Int, events: Int, force: Bool = false) {
        guard enabled else { return }
        let now = Date()
        guard force || now.timeIntervalSince(lastDraw) >= 0.2 else { return }
        lastDraw = now
        let text = Self.line(done: done, total: total, events: events, seconds: now.timeIntervalSince(started))
        Console.progressLine("\(text)")
    }

    /// Ends the bar's line.
    func finish() {
        guard enabled else { return }
        Console.endProgressLine()
    }

    /// "[████······] 12,345 of 20,000 emails · 4,321 emails/s · 28,000 events".
    static func line(done: Int, total: Int, events: Int, seconds: Double, barWidth: Int = 24) -> String {
        let fraction = total > 0 ? min(1, Double(done) / Double(total)) : 1
        let filled = Int((fraction * Double(barWidth)).rounded(.down))
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: barWidth - filled)
        let rate = seconds > 0 ? Int(Double(done) / seconds) : 0
        func count(_ value: Int) -> String { value.formatted(.number.grouping(.automatic).locale(Locale(identifier: "en_GB"))) }
        return "[\(bar)] \(count(done)) of \(count(total)) emails · \(count(rate)) emails/s · \(count(events)) events"
    }
}
