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

        /// Lines decoded per wall-clock second.
        public var linesPerSecond: Double { seconds > 0 ? Double(lines) / seconds : 0 }
        /// Megabytes (10^6 bytes) decoded per wall-clock second.
        public var megabytesPerSecond: Double { seconds > 0 ? Double(bytes) / seconds / 1_000_000 : 0 }

        /// One line such as `472020 lines on 1 thread(s) in 2.094 s: 225440 lines/s, 219.1 MB/s, 0 failures`.
        public var description: String {
            let rate = Int(linesPerSecond.rounded())
            let megabytes = (megabytesPerSecond * 10).rounded() / 10
            return "\(lines) lines on \(threads) thread(s) in \((seconds * 1_000).rounded() / 1_000) s: \(rate) lines/s, \(megabytes) MB/s, \(failures) failures"
        }
    }

    /// Decodes `lines` repeatedly until at least `minimumSeconds` have passed. With several
    /// `threads`, each thread takes its own share of the lines (as a parallel ingest would) and
    /// decodes it in whole passes.
    public static func measure(lines: [String], threads: Int = 1, minimumSeconds: Double = 1.0) -> Report {
        precondition(!lines.isEmpty && threads >= 1)
        let shares: [[String]] = (0..<threads).map { thread in
            stride(from: thread, to: lines.count, by: threads).map { lines[$0] }
        }
        let clock = ContinuousClock()
        let start = clock.now
        let decodedLines = Counter()
        let decodedBytes = Counter()
        let failures = Counter()
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            let share = shares[thread]
            let bytesPerPass = share.reduce(0) { $0 + $1.utf8.count }
            var passes = 0
            var localFailures = 0
            repeat {
                for (index, line) in share.enumerated() {
                    do {
                        _ = try MailgunEventDecoder.decode(line: line, lineNumber: index + 1)
                    } catch {
                        localFailures += 1
                    }
                }
                passes += 1
            } while seconds(since: start, clock: clock) < minimumSeconds
            decodedLines.add(passes * share.count)
            decodedBytes.add(passes * bytesPerPass)
            failures.add(localFailures)
        }
        let elapsed = seconds(since: start, clock: clock)
        return Report(lines: decodedLines.value, bytes: decodedBytes.value, seconds: elapsed, threads: threads,
                      failures: failures.value)
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
