import AuditCore
import Foundation

/// A one-line progress report on standard error for long steps (`compact`'s retention and free
/// pages): drawn only when standard error is a terminal, at most five times a second, and always
/// for a step marked `final` (the last one, or one that must show at once).
struct ProgressLine {
    let enabled: Bool
    private var lastDraw = Date.distantPast

    init(enabled: Bool) {
        self.enabled = enabled
    }

    /// Redraws the line with `text` unless one was drawn under 0.2 s ago (always when `final`).
    mutating func draw(_ text: @autoclosure () -> DisplayText, final: Bool = false) {
        guard enabled else { return }
        let now = Date()
        guard final || now.timeIntervalSince(lastDraw) >= 0.2 else { return }
        lastDraw = now
        Console.progressLine(text())
    }

    /// Clears the line (before the summary or an error).
    func clear() {
        if enabled { Console.progressLine("") }
    }
}
