import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A buffered, append-only file written with POSIX calls, so a full disk or an I/O error
/// surfaces as a thrown ``ExportError`` rather than being lost.
final class ByteSink {
    let path: String
    private let descriptor: Int32
    private var buffer: [UInt8] = []
    private let capacity: Int
    /// Bytes handed to `write` so far (flushed or not).
    private(set) var bytesWritten: Int64 = 0
    private var closed = false

    /// Creates the file, which must not exist yet (`O_EXCL`).
    init(creating path: String, capacity: Int = 1 << 18) throws {
        self.path = path
        self.capacity = capacity
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ExportError.unwritable(path, reason: String(cString: strerror(errno))) }
        descriptor = fd
        buffer.reserveCapacity(capacity)
    }

    deinit {
        if !closed { close(descriptor) }
    }

    @inline(__always)
    func write(_ text: String) throws {
        var text = text
        text.withUTF8 { buffer.append(contentsOf: $0) }
        bytesWritten &+= Int64(text.utf8.count)
        if buffer.count >= capacity { try flush() }
    }

    func write(bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        bytesWritten &+= Int64(bytes.count)
        if buffer.count >= capacity { try flush() }
    }

    func write<D: DataProtocol>(data: D) throws {
        buffer.append(contentsOf: data)
        bytesWritten &+= Int64(data.count)
        if buffer.count >= capacity { try flush() }
    }

    func flush() throws {
        var offset = 0
        while offset < buffer.count {
            let written = buffer.withUnsafeBytes { raw in
                Glibc.write(descriptor, raw.baseAddress! + offset, raw.count - offset)
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw ExportError.writeFailed(path, reason: String(cString: strerror(errno)))
            }
            offset += written
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, syncs to disk and closes.
    func finish() throws {
        try flush()
        if fsync(descriptor) != 0, errno != EINVAL {
            let reason = String(cString: strerror(errno))
            close(descriptor)
            closed = true
            throw ExportError.writeFailed(path, reason: reason)
        }
        closed = true
        if close(descriptor) != 0 { throw ExportError.writeFailed(path, reason: String(cString: strerror(errno))) }
    }

    /// Closes without caring about errors (the file is about to be removed).
    func abandon() {
        if !closed { close(descriptor); closed = true }
    }
}
