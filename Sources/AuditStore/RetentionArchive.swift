import CStoreZlib
import Foundation
import GRDB
#if canImport(Glibc)
import Glibc
#endif

/// The file retention writes the emails it deletes to: JSON Lines (one email a line, see
/// ``RetentionArchiveLine``), gzip-compressed when the name ends in `.gz`.
///
/// Each batch is appended, flushed and `fsync`ed before the transaction that deletes its emails
/// commits; a gzip archive gets one gzip member per batch (concatenated members are one valid
/// gzip file: `gzip -dc`, Python's `gzip.open`). The store records, in the same transaction as
/// the delete, the archive's path and its length after the batch (`meta.retention_archive`), so:
/// - an archive is appended to only when it is exactly what this store's last retention run left
///   (or empty); any other existing file is refused, never overwritten;
/// - bytes after the recorded length belong to a batch whose delete never committed (a run killed
///   between its fsync and its commit): the next run with the same archive cuts them off before
///   appending, so every deleted email is in the archive exactly once.
public final class RetentionArchive {
    /// The absolute path of the file.
    public let path: String
    /// Whether batches are gzip members.
    public let isCompressed: Bool
    /// What opening did, for a one-line message.
    public let opening: Opening
    /// The file's length after the last batch whose delete committed (or at opening).
    private(set) var committedLength: Int64
    private var descriptor: Int32

    /// What ``init(path:store:)`` found.
    public enum Opening: Sendable, Equatable {
        /// A new file was created.
        case created
        /// An empty file is used.
        case emptyFile
        /// The archive of this store's last retention run is appended to; `droppedBytes` were cut
        /// off its end (a batch whose delete did not commit).
        case appending(existingBytes: Int64, droppedBytes: Int64)
    }

    /// The meta key recording the archive retention last wrote: "LENGTH PATH".
    static let metaKey = "retention_archive"

    /// Opens (creating when missing) the archive at `path` for `store`'s retention.
    /// - Throws: ``StoreError/archive(path:problem:)`` when the file exists and is not empty and
    ///   not the one this store's last retention run wrote (it is left untouched), or cannot be
    ///   created or written.
    public init(path: String, store: AuditDatabase) throws {
        let absolute = Self.absolute(path)
        self.path = absolute
        isCompressed = absolute.lowercased().hasSuffix(".gz")
        var info = stat()
        if lstat(absolute, &info) == 0 {
            guard (info.st_mode & mode_t(S_IFMT)) == mode_t(S_IFREG) else {
                throw StoreError.archive(path: absolute, problem: "it exists and is not a regular file")
            }
            let existing = Int64(info.st_size)
            let recorded = try store.read { db in try Self.recorded(db) }
            let opening: Opening
            if existing == 0 {
                opening = .emptyFile
            } else if let recorded, recorded.path == absolute, existing >= recorded.length {
                opening = .appending(existingBytes: recorded.length, droppedBytes: existing - recorded.length)
            } else {
                throw StoreError.archive(path: absolute, problem: """
                    it already exists (\(existing) bytes) and is not the archive this store's last retention run wrote, \
                    so it is not overwritten or appended to; give a new file name
                    """)
            }
            let fd = open(absolute, O_WRONLY | O_CLOEXEC)
            guard fd >= 0 else { throw StoreError.archive(path: absolute, problem: String(cString: strerror(errno))) }
            descriptor = fd
            if case .appending(let keep, let dropped) = opening, dropped > 0 {
                guard ftruncate(fd, off_t(keep)) == 0, fsync(fd) == 0 else {
                    let reason = String(cString: strerror(errno))
                    close(fd)
                    throw StoreError.archive(path: absolute, problem: reason)
                }
            }
            committedLength = existing == 0 ? 0 : (recorded?.length ?? 0)
            recordedLength = recorded?.path == absolute ? recorded?.length : nil
            self.opening = opening
        } else {
            let fd = open(absolute, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw StoreError.archive(path: absolute, problem: String(cString: strerror(errno))) }
            descriptor = fd
            committedLength = 0
            opening = .created
            // The new name itself must survive a power cut before anything is deleted.
            let folder = open((absolute as NSString).deletingLastPathComponent, O_RDONLY | O_CLOEXEC)
            if folder >= 0 { _ = fsync(folder); close(folder) }
        }
    }

    deinit { close(descriptor) }

    static func absolute(_ path: String) -> String {
        let joined = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        return (joined as NSString).standardizingPath
    }

    /// The archive the store's last retention run wrote, read in `db`'s transaction.
    static func recorded(_ db: Database) throws -> (length: Int64, path: String)? {
        guard let value = try String.fetchOne(db, sql: "SELECT value FROM meta WHERE key = ?", arguments: [metaKey]),
              let space = value.firstIndex(of: " "), let length = Int64(value[..<space]) else { return nil }
        return (length, String(value[value.index(after: space)...]))
    }

    /// Appends one batch (complete lines), flushes and syncs it, and records the new length in
    /// `db`'s transaction (which then deletes the batch's emails). On failure the file is cut
    /// back to its committed length where possible and the error thrown rolls the transaction back.
    func append(_ lines: [UInt8], _ db: Database) throws {
        // Another run appending to the same file since this one opened it would interleave batches.
        let current = try Self.recorded(db).flatMap { $0.path == path ? $0.length : nil }
        if current != recordedLength {
            throw StoreError.archive(path: path, problem: "another retention run is writing to it")
        }
        let bytes = isCompressed ? try Self.gzipMember(lines) : lines
        do {
            try write(bytes, at: committedLength)
            // A retried transaction writes the same batch again at the same place; nothing may follow it.
            guard ftruncate(descriptor, off_t(committedLength + Int64(bytes.count))) == 0, fsync(descriptor) == 0 else { throw StoreError.archive(path: path, problem: String(cString: strerror(errno))) }
        } catch {
            _ = ftruncate(descriptor, off_t(committedLength))
            throw error
        }
        let length = committedLength + Int64(bytes.count)
        try db.execute(sql: "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                       arguments: [Self.metaKey, "\(length) \(path)"])
        pendingLength = length
    }

    /// What the store recorded for this file when it was opened or after this run's last batch
    /// (nil: it recorded another file or none).
    private var recordedLength: Int64?

    /// The length after the batch appended last, until its transaction commits.
    private var pendingLength: Int64?

    /// Called after the batch's transaction committed.
    func batchCommitted() {
        if let pendingLength {
            committedLength = pendingLength
            recordedLength = pendingLength
        }
        pendingLength = nil
    }

    /// Called when the batch's transaction rolled back: the bytes appended go.
    func batchRolledBack() {
        if pendingLength != nil { _ = ftruncate(descriptor, off_t(committedLength)) }
        pendingLength = nil
    }

    /// For tests: fail the next write as a full disk would.
    var failNextWrite = false

    private func write(_ bytes: [UInt8], at offset: Int64) throws {
        if failNextWrite {
            failNextWrite = false
            throw StoreError.archive(path: path, problem: String(cString: strerror(ENOSPC)))
        }
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { raw in
                pwrite(descriptor, raw.baseAddress! + written, raw.count - written, off_t(offset + Int64(written)))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw StoreError.archive(path: path, problem: String(cString: strerror(errno)))
            }
            written += result
        }
    }

    /// `bytes` as one complete gzip member (RFC 1952).
    static func gzipMember(_ bytes: [UInt8]) throws -> [UInt8] {
        var stream = z_stream()
        // 15 + 16: a gzip header and trailer around the deflate stream.
        guard ea_store_deflate_init(&stream, 3, 15 + 16, 8) == Z_OK else {
            throw StoreError.invalidValue("zlib could not start a gzip stream")
        }
        defer { deflateEnd(&stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(&stream, uLong(bytes.count))) + 64)
        let (status, produced) = bytes.withUnsafeBufferPointer { input in
            output.withUnsafeMutableBufferPointer { out -> (Int32, Int) in
                stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress)
                stream.avail_in = uInt(input.count)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(out.count)
                let status = deflate(&stream, Z_FINISH)
                return (status, out.count - Int(stream.avail_out))
            }
        }
        guard status == Z_STREAM_END else { throw StoreError.invalidValue("zlib could not compress the archive batch (\(status))") }
        output.removeSubrange(produced...)
        return output
    }
}

