import AuditStore
import Demo
import Foundation

/// Times reading one email's raw provider events back (decompressed), as View and `show` would.
struct RawEventsBench {
    let store: AuditDatabase
    let samples: Int
    let seed: UInt64

    func run() throws {
        let emails = try store.emailCount()
        guard emails > 0 else { return }
        var rng = SeededRandom(seed: seed)
        var watch = Stopwatch()
        var events = 0, bytes = 0
        for _ in 0..<samples {
            // Ids are dense from 1 in a benchmark store.
            let id = Int64(Int.random(in: 1...emails, using: &rng))
            let raw = try watch.time { try store.rawEvents(emailID: id) }
            events += raw.count
            bytes += raw.reduce(0) { $0 + $1.utf8.count }
        }
        print("  " + watch.line("one email's raw events (read + inflate)", target: 1)
              + String(format: "   %.1f events, %.0f bytes of JSON per email read", Double(events) / Double(samples),
                       Double(bytes) / Double(samples)))
    }
}
