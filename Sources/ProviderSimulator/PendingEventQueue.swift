/// Event lines waiting for their time, ordered by timestamp and then by the order in which
/// they were scheduled (a binary min-heap).
struct PendingEventQueue: Sendable {
    struct Entry: Sendable, Codable, Hashable {
        var micros: Int64
        var sequence: UInt64
        var line: String

        func precedes(_ other: Entry) -> Bool {
            micros != other.micros ? micros < other.micros : sequence < other.sequence
        }
    }

    private var heap: [Entry] = []
    private var nextSequence: UInt64 = 0

    var count: Int { heap.count }

    /// The waiting lines as stored (a valid heap), for saving the simulator's state.
    var entries: [Entry] { heap }
    var sequence: UInt64 { nextSequence }

    /// A queue restored from saved entries.
    init(entries: [Entry], nextSequence: UInt64) {
        heap = []
        self.nextSequence = nextSequence
        for entry in entries {
            heap.append(entry)
            siftUp(from: heap.count - 1)
        }
    }

    init() {}

    mutating func insert(_ line: String, at micros: Int64) {
        heap.append(Entry(micros: micros, sequence: nextSequence, line: line))
        nextSequence += 1
        siftUp(from: heap.count - 1)
    }

    /// Removes and returns, in order, every line due at or before `micros`.
    mutating func removeDue(through micros: Int64) -> [String] {
        var due: [String] = []
        while let first = heap.first, first.micros <= micros {
            due.append(first.line)
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                siftDown(from: 0)
            }
        }
        return due
    }

    private mutating func siftUp(from index: Int) {
        var child = index
        while child > 0 {
            let parent = (child - 1) / 2
            guard heap[child].precedes(heap[parent]) else { return }
            heap.swapAt(child, parent)
            child = parent
        }
    }

    private mutating func siftDown(from index: Int) {
        var parent = index
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < heap.count, heap[left].precedes(heap[smallest]) { smallest = left }
            if right < heap.count, heap[right].precedes(heap[smallest]) { smallest = right }
            if smallest == parent { return }
            heap.swapAt(parent, smallest)
            parent = smallest
        }
    }
}
