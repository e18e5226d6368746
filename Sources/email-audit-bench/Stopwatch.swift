import Foundation

/// Times repeated operations and reports percentiles in milliseconds.
struct Stopwatch {
    private(set) var samples: [Double] = []

    mutating func time<T>(_ body: () throws -> T) rethrows -> T {
        let start = DispatchTime.now().uptimeNanoseconds
        let value = try body()
        samples.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        return value
    }

    func percentile(_ p: Double) -> Double {
        guard !samples.isEmpty else { return 0 }
        let sorted = samples.sorted()
        let rank = Int((p / 100 * Double(sorted.count - 1)).rounded(.up))
        return sorted[min(rank, sorted.count - 1)]
    }

    func line(_ name: String, target: Double? = nil) -> String {
        var text = String(format: "%-38@ p50 %7.3f ms   p99 %7.3f ms   (n=%d)", name as NSString, percentile(50), percentile(99), samples.count)
        if let target { text += percentile(99) <= target ? "   ok (target ≤ \(Int(target)) ms)" : "   OVER target ≤ \(Int(target)) ms" }
        return text
    }
}
