import AuditCore
import AuditStore
import Foundation

/// Raw JSON compactors shared by the request tasks: a ``RawJSONCompactor`` is not thread-safe,
/// so each compaction borrows one that nobody else holds and gives it back afterwards. Building
/// a compactor costs a zlib stream, so the idle ones are kept (at most `keep`).
final class CompactorPool: @unchecked Sendable {
    private let lock = NSLock()
    private var idle: [RawJSONCompactor] = []
    private let keep: Int

    init(keep: Int = 16) {
        self.keep = keep
    }

    /// `event` with its raw JSON in its stored form, prepared on the caller's thread.
    func compacted(_ event: IncomingEvent) -> IncomingEvent {
        let compactor = borrow()
        defer { giveBack(compactor) }
        var events = [event]
        compactor.prepare(&events)
        return events[0]
    }

    /// Compactors idle in the pool now.
    var idleCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return idle.count
    }

    private func borrow() -> RawJSONCompactor {
        lock.lock()
        let compactor = idle.popLast()
        lock.unlock()
        return compactor ?? RawJSONCompactor()
    }

    private func giveBack(_ compactor: RawJSONCompactor) {
        lock.lock()
        if idle.count < keep { idle.append(compactor) }
        lock.unlock()
    }
}
