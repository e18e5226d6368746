import CExportZlib
import Foundation

/// A streaming deflate compressor on zlib, with the CRC-32 of what it was given.
///
/// `.raw` streams (RFC 1951, no header) are what a zip entry holds; `.zlib` streams (RFC 1950)
/// are what a PDF's FlateDecode filter expects. Compressed bytes go to `output` in chunks of
/// up to 256 KiB as they are produced, so memory stays flat however much goes in.
final class Deflater {
    /// The stream's framing.
    enum Format {
        /// Bare deflate, for zip entries.
        case raw
        /// zlib header and Adler-32 trailer, for PDF streams.
        case zlib
    }

    private var stream = z_stream()
    private var outputBuffer: [UInt8]
    private let output: (UnsafeRawBufferPointer) throws -> Void
    private var ended = false
    /// CRC-32 of the bytes given so far.
    private(set) var crc: UInt32 = 0
    /// Bytes given so far.
    private(set) var inputCount: Int64 = 0
    /// Compressed bytes handed to `output` so far.
    private(set) var outputCount: Int64 = 0

    /// - Parameters:
    ///   - level: zlib's 1 (fastest) to 9 (smallest).
    ///   - output: called with each chunk of compressed bytes.
    init(format: Format, level: Int32 = 1, output: @escaping (UnsafeRawBufferPointer) throws -> Void) {
        self.output = output
        outputBuffer = [UInt8](repeating: 0, count: 1 << 18)
        let status = ea_deflate_init(&stream, level, format == .raw ? -15 : 15)
        // Only a bad parameter or no memory fails here; both are programming or fatal errors.
        precondition(status == Z_OK, "deflateInit2 failed: \(status)")
    }

    deinit {
        if !ended { deflateEnd(&stream) }
    }

    /// Compresses `bytes` (more may follow).
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        crc = UInt32(crc32(uLong(crc), bytes.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(bytes.count)))
        inputCount += Int64(bytes.count)
        try run(bytes, flush: Z_NO_FLUSH)
    }

    /// Compresses `bytes` (more may follow).
    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Compresses the UTF-8 of `text` (more may follow).
    func write(_ text: String) throws {
        var text = text
        try text.withUTF8 { try write(UnsafeRawBufferPointer($0)) }
    }

    /// Ends the stream with an empty stored block, byte-aligned and not final, so that another
    /// raw deflate stream can follow it directly (see ``ZipWriter/Piece``).
    func syncFlush() throws {
        try run(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_SYNC_FLUSH)
        end()
    }

    /// Ends the stream with its final block (and, for `.zlib`, the Adler-32 trailer).
    func finish() throws {
        try run(UnsafeRawBufferPointer(start: nil, count: 0), flush: Z_FINISH)
        end()
    }

    private func end() {
        if !ended { deflateEnd(&stream); ended = true }
    }

    private func run(_ input: UnsafeRawBufferPointer, flush: Int32) throws {
        precondition(!ended, "deflate stream already ended")
        stream.next_in = UnsafeMutablePointer(mutating: input.baseAddress?.assumingMemoryBound(to: Bytef.self))
        stream.avail_in = uInt(input.count)
        let capacity = outputBuffer.count
        while true {
            let (status, produced) = outputBuffer.withUnsafeMutableBytes { buffer -> (Int32, Int) in
                stream.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.avail_out = uInt(capacity)
                let status = deflate(&stream, flush)
                return (status, capacity - Int(stream.avail_out))
            }
            if produced > 0 {
                outputCount += Int64(produced)
                try outputBuffer.withUnsafeBytes { try output(UnsafeRawBufferPointer(rebasing: $0[0..<produced])) }
            }
            if status == Z_STREAM_END { return }
            guard status == Z_OK || status == Z_BUF_ERROR else {
                throw ExportError.writeFailed("", reason: "deflate failed (\(status))")
            }
            // All input taken and, when flushing, the output buffer not filled: done.
            if stream.avail_in == 0, produced < capacity, flush != Z_FINISH { return }
        }
    }

    /// Deflates `bytes` in one go.
    static func compress(_ bytes: [UInt8], format: Format, level: Int32 = 6) -> [UInt8] {
        var result: [UInt8] = []
        let deflater = Deflater(format: format, level: level) { result.append(contentsOf: $0) }
        // Writing to memory cannot fail.
        try! deflater.write(bytes)
        try! deflater.finish()
        return result
    }

    /// The CRC-32 of `bytes`.
    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
    }

    /// The CRC-32 of `first` followed by `second`, from their CRCs and the second's length.
    static func crcCombine(_ first: UInt32, _ second: UInt32, secondLength: Int64) -> UInt32 {
        UInt32(crc32_combine(uLong(first), uLong(second), off_t(secondLength)))
    }
}
