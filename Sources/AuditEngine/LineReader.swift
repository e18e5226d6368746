import Foundation

/// Reads a file (or standard input, for "-") line by line in large chunks, with bounded memory:
/// a line longer than ``maximumLineBytes`` is not kept (its bytes are skipped up to the next
/// newline) but reported as too long, so a file without newlines cannot fill memory.
final class LineReader: @unchecked Sendable {  // used by one thread at a time
    /// One line read.
    enum Item {
        /// A line without its terminator. Invalid UTF-8 bytes were replaced by U+FFFD;
        /// `invalidUTF8` counts the replaced sequences.
        case line(String, invalidUTF8: Int)
        /// A line longer than the limit, skipped; `bytes` is its length.
        case tooLong(bytes: Int)
    }

    /// The longest line kept (4 MiB by default: a Mailgun event is a few kilobytes).
    let maximumLineBytes: Int
    private let handle: FileHandle
    private var buffer: [UInt8] = []
    private var position = 0
    private var atEnd = false
    /// Bytes of an over-long line skipped so far (its start is no longer in the buffer).
    private var skipping: Int?
    private let chunkSize: Int

    init(path: String, maximumLineBytes: Int = 4 << 20) throws {
        self.maximumLineBytes = max(1, maximumLineBytes)
        chunkSize = min(1 << 20, max(4_096, maximumLineBytes))
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

    /// The next line, or nil at the end.
    func next() -> Item? {
        while true {
            // Where the next newline is in the buffered bytes, if there is one.
            let newline: Int? = buffer.withUnsafeBufferPointer { bytes in
                let count = bytes.count - position
                guard count > 0, let base = bytes.baseAddress,
                      let hit = memchr(base + position, 0x0A, count) else { return nil }
                return UnsafePointer<UInt8>(hit.assumingMemoryBound(to: UInt8.self)) - base
            }
            if let newline {
                let length = newline - position
                if let skipped = skipping {
                    skipping = nil
                    position = newline + 1
                    return .tooLong(bytes: skipped + length)
                }
                if length > maximumLineBytes {
                    position = newline + 1
                    return .tooLong(bytes: length)
                }
                var end = newline
                if end > position, buffer[end - 1] == 0x0D { end -= 1 }
                let item = Self.decode(buffer[position..<end])
                position = newline + 1
                return item
            }
            let pending = buffer.count - position
            if skipping != nil || pending > maximumLineBytes {
                // An over-long line: drop what is buffered and keep skipping to its newline.
                skipping = (skipping ?? 0) + pending
                buffer.removeAll(keepingCapacity: true)
                position = 0
            }
            if atEnd {
                if let skipped = skipping {
                    skipping = nil
                    return .tooLong(bytes: skipped)
                }
                guard position < buffer.count else { return nil }
                let item = Self.decode(buffer[position...])
                position = buffer.count
                return item
            }
            let chunk = handle.readData(ofLength: chunkSize)
            if chunk.isEmpty {
                atEnd = true
            } else {
                buffer.removeSubrange(0..<position)
                position = 0
                buffer.append(contentsOf: chunk)
            }
        }
    }

    /// Decodes a line, counting invalid UTF-8 sequences instead of replacing them silently.
    static func decode(_ bytes: ArraySlice<UInt8>) -> Item {
        if let valid = bytes.withUnsafeBufferPointer({ String(validating: $0, as: UTF8.self) }) {
            return .line(valid, invalidUTF8: 0)
        }
        var invalid = 0
        var text = String.UnicodeScalarView()
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): text.append(scalar)
            case .emptyInput: break loop
            case .error:
                invalid += 1
                text.append("\u{FFFD}")
            }
        }
        return .line(String(text), invalidUTF8: invalid)
    }
}
