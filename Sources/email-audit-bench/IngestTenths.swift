import AuditEngine
import Foundation

/// The ingest rate in each tenth of the ingest phase (by input lines), to show whether it
/// decays as the store grows.
struct IngestTenths {
    /// Lines the ingest will read (the simulator's event count).
    let totalLines: Int
    private var batches: [(lines: Int, inserted: Int, seconds: Double)] = []
    private var last = Date()

    init(totalLines: Int) {
        self.totalLines = max(1, totalLines)
    }

    /// Marks the start of the ingest.
    mutating func start() { last = Date() }

    /// Records one stored batch (``EventIngestor/ingest(fileAt:afterBatch:)``).
    mutating func record(_ batch: IngestReport) {
        let now = Date()
        batches.append((batch.lines, batch.inserted, now.timeIntervalSince(last)))
        last = now
    }

    /// Events stored per second in each tenth: each batch counts in the tenth its first line falls in.
    func rates() -> [(tenth: Int, events: Int, seconds: Double)] {
        var tenths = Array(repeating: (events: 0, seconds: 0.0), count: 10)
        var linesBefore = 0
        for batch in batches {
            let tenth = min(9, linesBefore * 10 / totalLines)
            tenths[tenth].events += batch.inserted
            tenths[tenth].seconds += batch.seconds
            linesBefore += batch.lines
        }
        return tenths.enumerated().map { (tenth: $0.offset + 1, events: $0.element.events, seconds: $0.element.seconds) }
    }

    /// One line per tenth, and the spread of the rates around their mean.
    func lines() -> [String] {
        let measured = rates().filter { $0.seconds > 0 }
        let perSecond = measured.map { Double($0.events) / $0.seconds }
        var out = measured.map { String(format: "  tenth %2d: %8d events in %6.1f s = %6.0f events/s", $0.tenth, $0.events, $0.seconds,
                                        Double($0.events) / $0.seconds) }
        if let low = perSecond.min(), let high = perSecond.max(), !perSecond.isEmpty {
            let mean = perSecond.reduce(0, +) / Double(perSecond.count)
            out.append(String(format: "  per tenth: min %.0f, max %.0f events/s (%+.0f%% / %+.0f%% of their mean %.0f; target within ±20%%)",
                              low, high, (low / mean - 1) * 100, (high / mean - 1) * 100, mean))
        }
        return out
    }
}
