import Foundation

/// Reads a file (or standard input, for "-") line by line in large chunks.
final class LineReader {
    private let handle: FileHandle
    private var buffer = Data()
    private var atEnd = false
    private var position = 0
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

    /// The next line without its terminator, or nil at the end.
    func nextLine() -> String? {
        while true {
            if let newline = buffer[position...].firstIndex(of: 0x0A) {
                var end = newline
                if end > position, buffer[end - 1] == 0x0D { end -= 1 }
                let line = String(decoding: buffer[position..<end], as: UTF8.self)
                position = newline + 1
                return line
            }
            if atEnd {
                guard position < buffer.endIndex else { return nil }
                let line = String(decoding: buffer[position...], as: UTF8.self)
                position = buffer.endIndex
                return line
            }
            let chunk = handle.readData(ofLength: Self.chunkSize)
            if chunk.isEmpty {
                atEnd = true
            } else {
                buffer = Data(buffer[position...]) + chunk
                position = buffer.startIndex
            }
        }
    }
}
