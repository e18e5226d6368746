import Foundation

/// A small bounded queue between the thread that decodes batches and the one that stores them.
final class BatchHandoff: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [EventIngestor.PreparedBatch] = []
    private var spent: [EventIngestor.PreparedBatch] = []
    private var finished = false
    private var cancelled = false
    private let capacity: Int

    init(capacity: Int) {
        self.capacity = max(1, capacity)
    }

    /// Adds a batch, waiting while the queue is full.
    func put(_ item: EventIngestor.PreparedBatch) {
        condition.lock()
        while items.count >= capacity, !cancelled { condition.wait() }
        if !cancelled { items.append(item) }
        condition.broadcast()
        condition.unlock()
    }

    /// Takes the next batch, waiting for one; nil once the producer has finished and the queue is empty.
    func take() -> EventIngestor.PreparedBatch? {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty, !finished { condition.wait() }
        guard !items.isEmpty else { return nil }
        let item = items.removeFirst()
        condition.broadcast()
        return item
    }

    /// Hands a stored batch back, so that the producer's thread frees it (thousands of events'
    /// strings) rather than the writer's, whose time sets the ingest's pace.
    func giveBack(_ item: consuming EventIngestor.PreparedBatch) {
        condition.lock()
        spent.append(item)
        condition.unlock()
    }

    /// Frees the batches given back so far (on the calling thread).
    func freeSpent() {
        condition.lock()
        let batches = spent
        spent = []
        condition.unlock()
        _ = consume batches
    }

    /// The producer has no more batches.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// Stops the producer early (the consumer failed).
    func cancel() {
        condition.lock()
        cancelled = true
        items.removeAll()
        condition.broadcast()
        condition.unlock()
    }

    var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }
}
