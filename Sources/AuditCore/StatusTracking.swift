import Foundation

/// Words for one event in the Status Tracking list.
public enum StatusTracking {
    /// One line describing an event, e.g.
    /// "Temporary Failure — attempt 2 — 452 4.2.2 mailbox full — retrying in 15 min".
    /// The text is neutralised for the terminal.
    public static func describe(_ event: ProviderEvent) -> String {
        var parts: [String] = []
        switch event.kind {
        case .failed:
            parts.append(event.isPermanentFailure ? (event.isDelayedBounce ? "Failed (late bounce)" : "Failed") : "Temporary Failure")
        case .stored: parts.append("Stored")
        default: parts.append(event.indicatedStatus?.displayName ?? event.kind.rawValue)
        }
        if let attempt = event.delivery?.attemptNumber, event.kind == .failed || attempt > 1 {
            parts.append("attempt \(attempt)")
        }
        if let reason = event.reason, event.kind == .failed, reason != "generic" {
            parts.append(reason)
        }
        if let delivery = event.delivery, event.kind == .failed || event.kind == .delivered {
            var code = delivery.code.map(String.init) ?? ""
            if let enhanced = delivery.enhancedCode, !enhanced.isEmpty { code += code.isEmpty ? enhanced : " " + enhanced }
            let text = [delivery.message, delivery.description].compactMap { $0 }.first(where: { !$0.isEmpty }) ?? ""
            let firstLine = text.split(separator: "\n").first.map(String.init) ?? ""
            let joined = [code, firstLine].filter { !$0.isEmpty }.joined(separator: " ")
            if !joined.isEmpty, !(event.kind == .delivered && joined == "250 OK") { parts.append(joined) }
            if let mx = delivery.mxHost, !mx.isEmpty, event.kind == .failed { parts.append("mx \(mx)") }
        }
        if let reject = event.rejectReason, !reject.isEmpty { parts.append(reject) }
        if let url = event.url, !url.isEmpty { parts.append(url) }
        if event.isTemporaryFailure, let retry = event.delivery?.retrySeconds, retry > 0 {
            parts.append("retrying in \(durationText(seconds: retry))")
        }
        return TerminalText.singleLine(parts.joined(separator: " — "))
    }

    /// "10 min", "1 h", "1 h 30 min", "45 s".
    public static func durationText(seconds: Int) -> String {
        if seconds < 60 { return "\(seconds) s" }
        let minutes = seconds / 60
        if minutes < 60 { return "\(minutes) min" }
        let hours = minutes / 60, rest = minutes % 60
        return rest == 0 ? "\(hours) h" : "\(hours) h \(rest) min"
    }
}
