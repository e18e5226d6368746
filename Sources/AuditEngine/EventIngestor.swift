import AuditCore
import AuditStore
import Foundation
import Mailgun

/// The one ingest path: every provider event — from the simulator, a JSON-lines file or
/// a webhook — goes decode → store once → re-derive status → update email, roll-ups and
/// suppression list, in one transaction per batch.
public final class EventIngestor: Sendable {
    /// The store the events go to (either backend: ``EventIngestStore``).
    public let store: any EventIngestStore
    /// The account that owns emails built from unknown messages.
    public let defaultAccountID: Int64?
    /// Lines per store transaction (at most).
    public let batchSize: Int
    /// Lines a file ingest reads, decodes and hands to the writer at a time. A store that takes
    /// several batches in one transaction (``BatchGroupingIngestStore``: SQLite, one writer)
    /// gets chunks of this size and commits every ``batchSize`` lines, so a large transaction
    /// does not mean more decoded events in memory (about 2.5 KB each, several chunks in
    /// flight); any other store commits each chunk of ``batchSize`` lines.
    public let chunkSize: Int
    /// Where "now" comes from: an event dated more than a day after it is refused.
    public let clock: any AuditClock
    /// The longest input line read from a file; a longer one is reported and skipped unread.
    public let maximumLineBytes: Int
    /// More stores (each on its own connection) that store a file's batches at the same time
    /// as ``store``, one transaction each: for a store whose transactions may run at once
    /// (PostgreSQL: each batch locks its emails' rows, so every email's events are stored once
    /// and its status is derived from all of them whichever batch commits first). Empty for
    /// SQLite, which has one writer.
    public let additionalWriters: [any EventIngestStore]

    /// Lines per transaction when the caller names none, on a store that groups chunks into one
    /// transaction. Measured on a 1,000,000-email store (docs/performance.md, "One transaction
    /// for several chunks"): fewer commits, and each email re-derived once for the events it
    /// gets within one.
    public static let groupedBatchSize = 16_000
    /// Lines per transaction when the caller names none, on any other store.
    public static let plainBatchSize = 4_000
    /// Lines a file ingest decodes at a time when the caller names no ``chunkSize``.
    public static let defaultChunkSize = 4_000

    /// ``store`` when it takes several chunks in one transaction and has no additional writers.
    private let grouping: (any BatchGroupingIngestStore)?

    /// - Parameters:
    ///   - batchSize: lines per transaction; nil for ``groupedBatchSize`` on a store that groups
    ///     chunks (``BatchGroupingIngestStore``, with no additional writers), else ``plainBatchSize``.
    ///   - chunkSize: see ``chunkSize``.
    ///   - additionalWriters: see ``additionalWriters``; used by ``ingest(fileAt:afterBatch:)``.
    public init(store: any EventIngestStore, defaultAccountID: Int64? = nil, batchSize: Int? = nil,
                chunkSize: Int = defaultChunkSize, clock: any AuditClock = SystemClock(), maximumLineBytes: Int = 4 << 20,
                additionalWriters: [any EventIngestStore] = []) {
        self.store = store
        self.additionalWriters = additionalWriters
        self.defaultAccountID = defaultAccountID
        grouping = additionalWriters.isEmpty ? store as? any BatchGroupingIngestStore : nil
        self.batchSize = max(1, batchSize ?? (grouping != nil ? Self.groupedBatchSize : Self.plainBatchSize))
        self.chunkSize = max(1, grouping != nil ? min(chunkSize, self.batchSize) : self.batchSize)
        self.clock = clock
        self.maximumLineBytes = max(1, maximumLineBytes)
    }

    /// Ingests JSON lines; `firstLineNumber` numbers them for error messages.
    /// A malformed line is reported and skipped; the rest of the batch is stored.
    public func ingest(lines: [String], firstLineNumber: Int = 1) throws -> IngestReport {
        var report = IngestReport()
        var start = 0
        let lines = lines.map { InputLine.text($0, invalidUTF8: 0) }
        while start < lines.count {
            let end = min(lines.count, start + batchSize)
            report.merge(try ingestBatch(lines[start..<end], firstLineNumber: firstLineNumber + start))
            start = end
        }
        return report
    }

    /// What one decoded event becomes on the ingest path, for a caller that stores it itself
    /// (the webhook receiver, which binds the webhook's token in the same transaction).
    public enum PreparedEvent: Sendable {
        /// An event to store.
        case event(IncomingEvent)
        /// An event that does not concern an outgoing email: nothing to store, not an error.
        case ignored
        /// A field holds a value the ingest path refuses.
        case refused(field: String, problem: String)
    }

    /// Maps a decoded event as ``ingest(lines:firstLineNumber:)`` maps each line before storing it.
    public func prepare(_ decoded: DecodedMailgunEvent) -> PreparedEvent {
        switch MailgunEventMapping.map(decoded, now: clock.now) {
        case .event(let value): .event(value)
        case .ignored: .ignored
        case .refused(let field, let problem): .refused(field: field, problem: problem)
        }
    }

    /// Streams a JSON-lines file (or standard input for "-") in chunks of ``chunkSize`` lines,
    /// so memory stays flat.
    ///
    /// Reading and decoding run on a second thread, one chunk ahead of the store, so the two
    /// cores work at once; at most two decoded chunks wait in memory. The decoding and the
    /// compaction of each chunk are split across the cores too: they cost more than the store
    /// step (a profile of a 200,000-email ingest: 60% of the CPU on the reading thread, zlib a
    /// third of it), so the reading thread would otherwise set the pace while the writer waited.
    /// A store that groups chunks (``BatchGroupingIngestStore``) takes ``batchSize`` lines' worth
    /// of chunks in each transaction, freeing each chunk once stored. `afterBatch`, when given,
    /// is called with each transaction's own report as soon as it has committed.
    public func ingest(fileAt path: String, afterBatch: ((IngestReport) -> Void)? = nil) throws -> IngestReport {
        let reader = try LineReader(path: path, maximumLineBytes: maximumLineBytes)
        let writers = [store] + additionalWriters
        // One queue per writer: with several writers each takes the events of its own messages
        // (``IngestLanes``), so they never wait on each other's message locks.
        let handoffs = writers.map { _ in BatchHandoff(capacity: 2) }
        let chunkSize = self.chunkSize
        let clock = self.clock
        let producer = Thread {
            var lanes = IngestLanes(count: handoffs.count, batchSize: chunkSize)
            var cancelled: Bool { handoffs.contains { $0.isCancelled } }
            func hand(_ ready: [(lane: Int, batch: PreparedBatch)]) {
                for (lane, batch) in ready {
                    handoffs[lane].freeSpent()
                    handoffs[lane].put(batch)
                }
            }
            var batch: [InputLine] = []
            batch.reserveCapacity(chunkSize)
            var first = 1, lineNumber = 0
            while !cancelled, let item = reader.next() {
                lineNumber += 1
                switch item {
                case .line(let text, let invalid): batch.append(.text(text, invalidUTF8: invalid))
                case .tooLong(let bytes): batch.append(.tooLong(bytes: bytes, limit: reader.maximumLineBytes))
                }
                if batch.count == chunkSize {
                    hand(lanes.add(Self.prepare(batch, firstLineNumber: first, concurrently: true, now: clock.now)))
                    batch.removeAll(keepingCapacity: true)
                    first = lineNumber + 1
                }
            }
            if !batch.isEmpty, !cancelled {
                hand(lanes.add(Self.prepare(batch, firstLineNumber: first, concurrently: true, now: clock.now)))
            }
            if !cancelled { hand(lanes.drain()) }
            for handoff in handoffs { handoff.finish() }
        }
        producer.start()
        let outcome = WritersOutcome()
        let callback = UncheckedSendable(afterBatch)
        // Each writer takes its lane's batches and stores them on its own connection; the
        // first failure stops the reading and the other writers.
        let chunksPerTransaction = max(1, self.batchSize / chunkSize)
        let write: @Sendable (UncheckedSendable<any EventIngestStore>, BatchHandoff) -> Void = { writer, handoff in
            do {
                if let grouping = self.grouping {
                    try self.storeGrouped(handoff, on: grouping, chunksPerTransaction: chunksPerTransaction) {
                        outcome.add($0, callback.value)
                    }
                } else {
                    while let prepared = handoff.take() {
                        let batchReport = try self.store(prepared, on: writer.value)
                        handoff.giveBack(prepared)
                        outcome.add(batchReport, callback.value)
                    }
                }
            } catch {
                outcome.fail(error)
                for other in handoffs { other.cancel() }
                for other in handoffs { while other.take() != nil {} }
            }
        }
        let others = DispatchGroup()
        for (writer, handoff) in zip(writers, handoffs).dropFirst() {
            let boxed = UncheckedSendable(writer)
            others.enter()
            Thread { write(boxed, handoff); others.leave() }.start()
        }
        write(UncheckedSendable(store), handoffs[0])
        others.wait()
        return try outcome.report()
    }

    /// Stores the chunks `handoff` hands out, `chunksPerTransaction` to a transaction, each
    /// chunk given back to the producer's thread (to be freed there) as soon as the store has
    /// stored it; `stored` gets each transaction's report once it has committed.
    private func storeGrouped(_ handoff: BatchHandoff, on writer: any BatchGroupingIngestStore, chunksPerTransaction: Int,
                              stored: (IngestReport) -> Void) throws {
        var upcoming: PreparedBatch?
        while true {
            if upcoming == nil { upcoming = handoff.take() }
            guard upcoming != nil else { return }
            var report = IngestReport()
            var taken = 0
            var inHand: PreparedBatch?
            let started = DispatchTime.now().uptimeNanoseconds
            let applied = try writer.apply(batches: {
                if let done = inHand.take() { handoff.giveBack(done) }
                guard taken < chunksPerTransaction else { return nil }
                if upcoming == nil { upcoming = handoff.take() }
                guard let chunk = upcoming.take() else { return nil }
                taken += 1
                report.merge(chunk.report)
                let events = chunk.incoming
                inHand = chunk
                return events
            }, defaultAccountID: defaultAccountID)
            if let done = inHand.take() { handoff.giveBack(done) }
            report.add(applied)
            report.seconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            stored(report)
        }
    }

    private func ingestBatch(_ lines: ArraySlice<InputLine>, firstLineNumber: Int) throws -> IngestReport {
        try store(Self.prepare(Array(lines), firstLineNumber: firstLineNumber, concurrently: true, now: clock.now), on: store)
    }

    /// One line of input as read.
    enum InputLine {
        /// The line's text; `invalidUTF8` counts sequences that were not UTF-8 (replaced by U+FFFD).
        case text(String, invalidUTF8: Int)
        /// A line over the reader's limit, skipped unread.
        case tooLong(bytes: Int, limit: Int)
    }

    /// Decoded and mapped lines, ready for the store.
    struct PreparedBatch: @unchecked Sendable {
        var report = IngestReport()
        var incoming: [IncomingEvent] = []
    }

    /// Decodes and maps a batch (on all cores when `concurrently`); events dated after
    /// `now` + 1 day are refused.
    static func prepare(_ lines: [InputLine], firstLineNumber: Int, concurrently: Bool, now: Date) -> PreparedBatch {
        let started = DispatchTime.now().uptimeNanoseconds
        var prepared = PreparedBatch()
        prepared.incoming.reserveCapacity(lines.count)
        var decoded = decode(lines, firstLineNumber: firstLineNumber, concurrently: concurrently)
        for index in decoded.indices {
            let lineNumber = firstLineNumber + index
            if case .text(_, let invalid) = lines[index] {
                prepared.report.recordInvalidUTF8(line: lineNumber, sequences: invalid)
            }
            // Moved out of the array, not copied (a copy retains every string of the event).
            switch decoded[index].take() {
            case .none: continue  // blank line
            case .some(.failure(let problem)):
                prepared.report.lines += 1
                prepared.report.record(problem)
            case .some(.success(let event)):
                prepared.report.lines += 1
                switch MailgunEventMapping.map(event, now: now) {
                case .event(let value): prepared.incoming.append(value)
                case .ignored: prepared.report.ignored += 1
                case .refused(let field, let problem):
                    prepared.report.record(MailgunDecodingError(line: lineNumber, field: field, problem: problem))
                }
            }
        }
        // Compressing here keeps the deflate work off the writer's transaction (the file
        // ingest prepares on its reading thread), in two halves at once when `concurrently`.
        compact(&prepared.incoming, concurrently: concurrently)
        prepared.report.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return prepared
    }

    /// Compacts the events' raw JSON (``RawJSONCompactor``), on all cores when `concurrently`.
    static func compact(_ events: inout [IncomingEvent], concurrently: Bool) {
        let workers = !concurrently || events.count < 256 ? 1 : ProcessInfo.processInfo.activeProcessorCount
        guard workers > 1 else {
            RawJSONCompactor().prepare(&events)
            return
        }
        // Each worker prepares its own part of the array in place (parts copied out and joined
        // again retained and released every string of every event twice: perf, 06/12/2026).
        let count = events.count, chunk = (count + workers - 1) / workers
        events.withUnsafeMutableBufferPointer { buffer in
            let base = UncheckedSendable(buffer)
            DispatchQueue.concurrentPerform(iterations: (count + chunk - 1) / chunk) { part in
                RawJSONCompactor().prepare(UnsafeMutableBufferPointer(rebasing: base.value[(part * chunk)..<min(count, (part + 1) * chunk)]))
            }
        }
    }

    /// Stores a prepared batch in one transaction of `writer`.
    private func store(_ prepared: PreparedBatch, on writer: any EventIngestStore) throws -> IngestReport {
        var report = prepared.report
        let started = DispatchTime.now().uptimeNanoseconds
        if !prepared.incoming.isEmpty {
            report.add(try writer.apply(prepared.incoming, defaultAccountID: defaultAccountID))
        }
        report.seconds += Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return report
    }

    /// Decodes lines (on all cores when `concurrently`); results keep the input order. Blank lines give nil.
    static func decode(_ lines: [InputLine], firstLineNumber: Int, concurrently: Bool) -> [Result<DecodedMailgunEvent, MailgunDecodingError>?] {
        let count = lines.count
        let workers = !concurrently || count < 256 ? 1 : ProcessInfo.processInfo.activeProcessorCount
        let chunk = (count + workers - 1) / max(workers, 1)
        // The workers write straight into the array's storage (no copy of the decoded events afterwards).
        return Array(unsafeUninitializedCapacity: count) { results, initialized in
        results.initialize(repeating: nil)
        initialized = count
        let base = UncheckedSendable(results)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let lower = worker * chunk, upper = min(count, lower + chunk)
            guard lower < upper else { return }
            for index in lower..<upper {
                let line: String
                switch lines[index] {
                case .text(let text, _): line = text
                case .tooLong(let bytes, let limit):
                    base.value[index] = .failure(MailgunDecodingError(
                        line: firstLineNumber + index, field: "(json)",
                        problem: "line is \(bytes) bytes long, over the limit of \(limit) bytes; skipped unread"))
                    continue
                }
                if MailgunEventDecoder.isBlank(line) { continue }
                do {
                    base.value[index] = .success(try MailgunEventDecoder.decode(line: line, lineNumber: firstLineNumber + index,
                                                                                fields: .ingest))
                } catch let error as MailgunDecodingError {
                    base.value[index] = .failure(error)
                } catch {
                    base.value[index] = .failure(MailgunDecodingError(line: firstLineNumber + index, field: "(json)", problem: "\(error)"))
                }
            }
        }
        }
    }
}

/// Carries a value across a concurrency boundary where the caller guarantees exclusive access per index.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}


/// What the writers of one file ingest have stored, or the first error one of them met.
private final class WritersOutcome: @unchecked Sendable {
    private let lock = NSLock()
    private var merged = IngestReport()
    private var failure: (any Error)?

    /// Adds a stored batch's report (and tells `afterBatch`, one batch at a time).
    func add(_ batch: IngestReport, _ afterBatch: ((IngestReport) -> Void)?) {
        lock.lock()
        defer { lock.unlock() }
        afterBatch?(batch)
        merged.merge(batch)
    }

    /// Keeps the first error.
    func fail(_ error: any Error) {
        lock.lock()
        defer { lock.unlock() }
        if failure == nil { failure = error }
    }

    /// The merged report, or the first error.
    func report() throws -> IngestReport {
        lock.lock()
        defer { lock.unlock() }
        if let failure { throw failure }
        return merged
    }
}
