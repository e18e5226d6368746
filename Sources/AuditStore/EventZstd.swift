import CStoreZstd
import Foundation
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// The zstd side of compact text format 5 (``CompactText``): the frozen dictionary
/// (``EventZstdDictionary``) digested once per process, shared by every compressor and
/// decompressor (zstd's digested dictionaries are read-only, safe to share between threads),
/// and a frame's magic number, which every value leaves out.
///
/// Each value is one zstd frame without its 4-byte magic number, content size, checksum or
/// dictionary id (the value's header already holds the length and the CRC-32 of the original):
/// a frame header of 2 bytes. The reader puts the magic number back before decoding, so only
/// zstd's stable API is used. The level (``level``) is the writer's choice: any level reads with
/// the same dictionary, so changing it needs no new format byte.
enum EventZstd {
    /// zstd's level for events: the knee of size against time on the bench's events (docs/benchmark.txt).
    static let level: Int32 = 3

    /// The magic number's bytes as a frame starts with them.
    static let magic: [UInt8] = [0x28, 0xB5, 0x2F, 0xFD]

    /// The dictionary digested for compression at ``level``.
    nonisolated(unsafe) static let compressionDictionary: OpaquePointer = {
        let dictionary = EventZstdDictionary.version1
        let digested = dictionary.withUnsafeBytes { ZSTD_createCDict($0.baseAddress, $0.count, level) }
        // Only no memory fails here.
        guard let digested else { preconditionFailure("ZSTD_createCDict failed") }
        return digested
    }()

    /// The dictionary digested for decompression.
    nonisolated(unsafe) static let decompressionDictionary: OpaquePointer = {
        let dictionary = EventZstdDictionary.version1
        let digested = dictionary.withUnsafeBytes { ZSTD_createDDict($0.baseAddress, $0.count) }
        guard let digested else { preconditionFailure("ZSTD_createDDict failed") }
        return digested
    }()

    /// Contexts of finished compressors and decompressors, kept for the next ones: a context is
    /// about 100-200 KB, which malloc maps and unmaps, so making one per call (a decompressor per
    /// email read, a compressor per webhook) cost more than the values it coded.
    final class ContextPool: @unchecked Sendable {
        private let lock = NSLock()
        private var contexts: [OpaquePointer] = []
        /// At most this many are kept (about one per thread that codes events).
        private let limit = 8

        /// A kept context, if any.
        func take() -> OpaquePointer? { lock.withLock { contexts.popLast() } }

        /// Keeps `context` for reuse; false when the pool is full (then the caller frees it).
        func keep(_ context: OpaquePointer) -> Bool {
            lock.withLock {
                guard contexts.count < limit else { return false }
                contexts.append(context)
                return true
            }
        }
    }

    /// Compression contexts set up for format 5 (their parameters and dictionary stay set).
    static let compressionContexts = ContextPool()
    /// Decompression contexts.
    static let decompressionContexts = ContextPool()

    /// zstd's text for a result that ``isError(_:)``.
    static func errorName(_ code: Int) -> String {
        ZSTD_getErrorName(code).map { String(cString: $0) } ?? "zstd error \(code)"
    }

    /// Whether a zstd result is an error code.
    static func isError(_ code: Int) -> Bool { ZSTD_isError(code) != 0 }

    /// A compression context for format 5: the dictionary referenced, no content size, checksum
    /// or dictionary id in the frame. One per compressor (not thread-safe).
    final class Compressor {
        private let context: OpaquePointer

        init() {
            if let kept = EventZstd.compressionContexts.take() {
                context = kept
                return
            }
            guard let context = ZSTD_createCCtx() else { preconditionFailure("ZSTD_createCCtx failed") }
            self.context = context
            // Bad parameters are programming errors.
            for (parameter, value) in [(EA_ZSTD_c_contentSizeFlag, 0), (EA_ZSTD_c_checksumFlag, 0), (EA_ZSTD_c_dictIDFlag, 0)] {
                let status = ZSTD_CCtx_setParameter(context, Int32(parameter), Int32(value))
                precondition(!EventZstd.isError(status), "ZSTD_CCtx_setParameter: \(EventZstd.errorName(status))")
            }
            let status = ZSTD_CCtx_refCDict(context, EventZstd.compressionDictionary)
            precondition(!EventZstd.isError(status), "ZSTD_CCtx_refCDict: \(EventZstd.errorName(status))")
        }

        deinit {
            if !EventZstd.compressionContexts.keep(context) { ZSTD_freeCCtx(context) }
        }

        /// The most bytes ``compress(_:into:)`` writes for `count` input bytes.
        static func bound(_ count: Int) -> Int { ZSTD_compressBound(count) }

        /// Compresses `input` into `output` (at least ``bound(_:)`` bytes) as a frame without its
        /// magic number; the bytes written.
        func compress(_ input: UnsafeBufferPointer<UInt8>, into output: UnsafeMutableBufferPointer<UInt8>) -> Int {
            let written = ZSTD_compress2(context, output.baseAddress, output.count, input.baseAddress, input.count)
            // The output has the bound's room and the parameters are fixed: an error is a bug.
            precondition(!EventZstd.isError(written), "ZSTD_compress2: \(EventZstd.errorName(written))")
            precondition(written > 4 && output.prefix(4).elementsEqual(EventZstd.magic), "a zstd frame without its magic number")
            // Drop the magic number: the format byte already says what follows.
            memmove(output.baseAddress!, output.baseAddress! + 4, written - 4)
            return written - 4
        }
    }

    /// A decompression context for format 5 (not thread-safe).
    final class Decompressor {
        private let context: OpaquePointer
        private var frame: [UInt8] = EventZstd.magic

        init() {
            if let kept = EventZstd.decompressionContexts.take() {
                context = kept
                return
            }
            guard let context = ZSTD_createDCtx() else { preconditionFailure("ZSTD_createDCtx failed") }
            self.context = context
        }

        deinit {
            if !EventZstd.decompressionContexts.keep(context) { ZSTD_freeDCtx(context) }
        }

        /// Decompresses the magic-less frame `bytes` into `output`: the bytes produced, or a
        /// description of why it is not a whole frame that fits `output`.
        func decompress(_ bytes: UnsafeRawBufferPointer, into output: UnsafeMutableBufferPointer<UInt8>) -> Result<Int, CompactText.DecodingError> {
            frame.removeSubrange(4...)
            frame.append(contentsOf: bytes)
            // zstd writes nothing through a null destination, even of capacity 0.
            var spare: UInt8 = 0
            let produced = frame.withUnsafeBytes { source in
                output.count == 0
                    ? ZSTD_decompress_usingDDict(context, &spare, 0, source.baseAddress, source.count, EventZstd.decompressionDictionary)
                    : ZSTD_decompress_usingDDict(context, output.baseAddress, output.count, source.baseAddress, source.count,
                                                 EventZstd.decompressionDictionary)
            }
            if EventZstd.isError(produced) {
                return .failure(CompactText.DecodingError(description: "a compact text value whose zstd frame is damaged (\(EventZstd.errorName(produced)))"))
            }
            return .success(produced)
        }
    }
}
