import Foundation

/// Reads a file (or standard input, for "-") line by line in large chunks.
final class LineReader: @unchecked Sendable {  // used by one thread at a time
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    private static let chunkSize = 1 << 20

    init(path: String) throws {
        if path == "-" {
            handle = FileHandle.standardInput
        } else {
            guard FileManager.default.fileExists(atPath: path) else {
                throw EngineError.fileNotFound(path)
            }
            guard let opened = FileHandle(forReadingAtPath: path) else { throw EngineError.unreadable(path) }
            handle = opened
        }
    }

    deinit {
        if handle !== FileHandle.standardInput { try? handle.close() }
    }

    /// The next line without its terminator ("\n" or "\r\n"), or nil at the end.
    func nextLine() -> String? {
        while true {
            let found: String?? = buffer.withUnsafeBufferPointer { bytes -> String?? in
                let count = bytes.count - position
                guard count > 0, let base = bytes.baseAddress else { return .none }
                let start = base + position
                guard let hit = memchr(start, 0x0A, count) else { return .none }
                let newline = UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self))
                var length = newline - start
                if length > 0, start[length - 1] == 0x0D { length -= 1 }
                let line = String(decoding: UnsafeBufferPointer(start: start, count: length), as: UTF8.self)
                position += (newline - start) + 1
                return .some(line)
            }
            if case .some(let line) = found { return line }
            if atEnd {
                guard position < buffer.count else { return nil }
                let line = String(decoding: buffer[position...], as: UTF8.self)
                position = buffer.count
                return line
            }
            let chunk = handle.readData(ofLength: Self.chunkSize)
            if chunk.isEmpty {
                atEnd = true
            } else {
                buffer.removeSubrange(0..<position)
                position = 0
                buffer.append(contentsOf: chunk)
            }
        }
    }
}
