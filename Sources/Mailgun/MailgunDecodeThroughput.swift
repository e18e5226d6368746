import Foundation

/// A small, rerunnable measurement of ``MailgunEventDecoder`` throughput, for benchmarks and
/// for `scripts/mailgun-decode-throughput.sh`. Meaningful only in an optimised (release) build.
public enum MailgunDecodeThroughput {
    /// The outcome of one measurement.
    public struct Report: Sendable, Hashable, CustomStringConvertible {
        /// Lines decoded (all threads together).
        public var lines: Int
        /// Bytes decoded (all threads together).
        public var bytes: Int
        /// Wall-clock seconds.
        public var seconds: Double
        /// Threads used.
        public var threads: Int
        /// Lines that failed to decode (should be 0 for simulator output).
        public var failures: Int

        public var linesPerSecond: Double { seconds > 0 ? Double(lines) / seconds : 0 }
        public var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / seconds / 1_000_000 : 0 }

        public var description: String {
            let rate = Int(linesPerSecond.rounded())
            let megabytes = (megabytesPerSecond * 10).rounded() / 10
            return "\(lines) lines on \(threads) thread(s) in \((seconds * 1_000).rounded() / 1_000) s: \(rate) lines/s, \(megabytes) MB/s, \(failures) failures"
        }
    }

    /// Decodes `lines` repeatedly on `threads` threads at once until at least `minimumSeconds`
    /// have passed (whole passes over `lines` per thread).
    public static func measure(lines: [String], threads: Int = 1, minimumSeconds: Double = 1.0) -> Report {
        precondition(!lines.isEmpty && threads >= 1)
        let bytesPerPass = lines.reduce(0) { $0 + $1.utf8.count }
        let clock = ContinuousClock()
        let start = clock.now
        let passes = Counter()
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: threads) { _ in
            var localPasses = 0
            var localFailures = 0
            repeat {
                for (index, line) in lines.enumerated() {
                    do {
                        _ = try MailgunEventDecoder.decode(line: line, lineNumber: index + 1)
                    } catch {
                        localFailures += 1
                    }
                }
                localPasses += 1
            } while seconds(since: start, clock: clock) < minimumSeconds
            passes.add(localPasses)
            failures.add(localFailures)
        }
        let elapsed = seconds(since: start, clock: clock)
        return Report(lines: passes.value * lines.count, bytes: passes.value * bytesPerPass, seconds: elapsed,
                      threads: threads, failures: failures.value)
    }

    private static func seconds(since start: ContinuousClock.Instant, clock: ContinuousClock) -> Double {
        let duration = clock.now - start
        return Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }

    private final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var total = 0
        func add(_ amount: Int) { lock.withLock { total += amount } }
        var value: Int { lock.withLock { total } }
    }
}
