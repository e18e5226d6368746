import Foundation

/// Reads this process's memory use from /proc.
enum Memory {
    /// Peak resident set size (VmHWM) in MB.
    static func peakResidentMegabytes() -> Double { field("VmHWM:") }
    /// Current resident set size (VmRSS) in MB.
    static func residentMegabytes() -> Double { field("VmRSS:") }

    private static func field(_ name: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix(name) {
            let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kilobytes / 1024
        }
        return 0
    }
}
