import Foundation

/// Hands rows in batches to a second thread, which turns them into file bytes while the
/// calling thread fetches (or generates) the next ones.
///
/// At most two batches wait at any time, so memory stays flat: a fast producer blocks until
/// the consumer catches up. The first error the consumer throws is rethrown to the producer
/// on its next `append` or on `finish`. Batches are consumed in order, on one thread.
final class RowPipeline: @unchecked Sendable {
    private let condition = NSCondition()
    private var waiting: [[ExportRow]] = []
    private var closed = false
    private var stopped = false
    private var failure: (any Error)?
    private var running = true
    private var batch: [ExportRow] = []
    private let batchSize: Int
    private let consume: ([ExportRow]) throws -> Void

    /// Starts the consumer thread.
    /// - Parameter consume: called on the consumer thread with each batch, in order.
    init(batchSize: Int = 2048, consume: @escaping ([ExportRow]) throws -> Void) {
        self.batchSize = max(1, batchSize)
        self.consume = consume
        batch.reserveCapacity(self.batchSize)
        let thread = Thread { [self] in work() }
        thread.name = "export-format"
        thread.start()
    }

    /// Adds one row; hands the batch over when it is full.
    func append(_ row: ExportRow) throws {
        batch.append(row)
        if batch.count >= batchSize { try handOver() }
    }

    /// Hands over what is left, waits for the consumer to finish, and rethrows its error.
    func finish() throws {
        if !batch.isEmpty { try handOver() }
        condition.lock()
        closed = true
        condition.broadcast()
        while running { condition.wait() }
        let failure = failure
        condition.unlock()
        if let failure { throw failure }
    }

    /// Stops the consumer without finishing the batches still waiting.
    func stop() {
        condition.lock()
        stopped = true
        closed = true
        waiting.removeAll()
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }

    private func handOver() throws {
        condition.lock()
        while waiting.count >= 2, failure == nil { condition.wait() }
        if let failure {
            condition.unlock()
            throw failure
        }
        waiting.append(batch)
        condition.broadcast()
        condition.unlock()
        batch = []
        batch.reserveCapacity(batchSize)
    }

    private func work() {
        while true {
            condition.lock()
            while waiting.isEmpty, !closed { condition.wait() }
            if stopped || waiting.isEmpty {
                running = false
                condition.broadcast()
                condition.unlock()
                return
            }
            let next = waiting.removeFirst()
            condition.broadcast()
            condition.unlock()
            do {
                try consume(next)
            } catch {
                condition.lock()
                failure = error
                stopped = true
                running = false
                condition.broadcast()
                condition.unlock()
                return
            }
        }
    }
}
