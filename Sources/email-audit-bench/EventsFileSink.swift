import Foundation

/// Appends the simulator's event lines to the benchmark's JSON-lines file and counts them.
/// Called from one thread at a time (the bulk seeding calls it from its simulator thread).
final class EventsFileSink: @unchecked Sendable {
    private let file: FileHandle
    private let lock = NSLock()
    private var count = 0

    init(_ file: FileHandle) {
        self.file = file
    }

    /// Lines written so far.
    var lines: Int { lock.withLock { count } }

    /// Writes `lines`, each followed by a newline.
    func write(_ lines: [String]) throws {
        var text = lines.joined(separator: "\n")
        text += "\n"
        try file.write(contentsOf: Data(text.utf8))
        lock.withLock { count += lines.count }
    }
}
