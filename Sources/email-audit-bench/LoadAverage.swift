import Foundation

/// The machine's load, printed beside the benchmark's figures (they are only comparable at like load).
enum LoadAverage {
    /// The 1, 5 and 15-minute load averages (`/proc/loadavg`) and the number of cores.
    static func now() -> String {
        guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
        return text.split(separator: " ").prefix(3).joined(separator: " ") + " on \(ProcessInfo.processInfo.activeProcessorCount) cores"
    }
}
