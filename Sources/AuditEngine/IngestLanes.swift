import AuditCore
import AuditStore

/// Deals a file's prepared batches out to several writers by message: every event of one
/// provider message goes to the same writer (its lane), in the file's order, so two writers
/// never take the same message's lock and never wait on each other for it.
///
/// With one batch per writer in turn instead, consecutive batches of a time-ordered file share
/// messages (an email's accepted and delivered events arrive seconds apart), and each writer
/// waited on the other's message locks: at 1,000,000 emails on PostgreSQL the lock statement took
/// 239 s of a 272 s ingest (docs/postgres.md). A lane collects events until it holds a whole
/// batch, so each transaction is as large as with one writer.
struct IngestLanes {
    /// How many writers share the events.
    let count: Int
    /// Events per transaction.
    let batchSize: Int
    /// Each lane's events not yet handed to its writer, with the reports of the lines they came from.
    private var pending: [EventIngestor.PreparedBatch]

    init(count: Int, batchSize: Int) {
        self.count = max(1, count)
        self.batchSize = max(1, batchSize)
        pending = Array(repeating: EventIngestor.PreparedBatch(), count: self.count)
    }

    /// The lane of a message: the same for every event of the message, spread evenly over `count`.
    static func lane(of messageID: String, among count: Int) -> Int {
        guard count > 1 else { return 0 }
        return Int(UInt64(bitPattern: StoredEventCoding.messageHash(messageID)) % UInt64(count))
    }

    /// Adds a prepared batch; returns the batches now ready, each with its lane. With one lane
    /// the batch itself, at once. The batch's report (lines read, problems) travels with the
    /// first lane's events, so every line is counted once.
    mutating func add(_ prepared: consuming EventIngestor.PreparedBatch) -> [(lane: Int, batch: EventIngestor.PreparedBatch)] {
        guard count > 1 else { return [(0, prepared)] }
        pending[0].report.merge(prepared.report)
        // Each event is moved to its lane, not copied: a copy of an `IncomingEvent` retains a
        // dozen strings and arrays, and the batch's originals were then released (a profile of
        // the PostgreSQL ingest, 06/12/2026: 9% of the reading thread's time). Reversed in
        // place (swaps), then taken from the end, so every lane keeps the file's order.
        var incoming = prepared.incoming
        prepared.incoming = []
        incoming.reverse()
        while let event = incoming.popLast() {
            pending[Self.lane(of: event.messageID, among: count)].incoming.append(event)
        }
        var ready: [(lane: Int, batch: EventIngestor.PreparedBatch)] = []
        for lane in 0..<count where pending[lane].incoming.count >= batchSize {
            ready.append((lane, pending[lane]))
            pending[lane] = EventIngestor.PreparedBatch()
        }
        return ready
    }

    /// Every lane's remaining events (and reports), at the end of the file.
    mutating func drain() -> [(lane: Int, batch: EventIngestor.PreparedBatch)] {
        var ready: [(lane: Int, batch: EventIngestor.PreparedBatch)] = []
        for lane in 0..<count where !pending[lane].incoming.isEmpty || pending[lane].report.lines > 0
            || pending[lane].report.malformed > 0 || pending[lane].report.invalidUTF8Lines > 0 {
            ready.append((lane, pending[lane]))
            pending[lane] = EventIngestor.PreparedBatch()
        }
        return ready
    }
}
