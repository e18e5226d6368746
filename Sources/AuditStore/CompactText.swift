import CStoreZlib
import Foundation

/// Text stored compactly: the raw provider JSON of every event (`events.raw_json`).
///
/// A stored value is either TEXT, the text itself (stores before schema v8, and text that
/// compression would not shrink), or a BLOB in format 1:
///
///     byte 0      1 (the format)
///     bytes 1...  the text's UTF-8 length as an unsigned LEB128 varint
///     then        4 bytes: the CRC-32 of the UTF-8, little-endian
///     then        a raw deflate stream (RFC 1951, 8 KiB window) of the UTF-8, compressed
///                 against the preset dictionary ``CompactTextDictionary/version1``
///
/// Decoding gives back exactly the bytes that were encoded (the length and CRC are checked:
/// a raw deflate stream has no check of its own), so the
/// raw JSON read back is byte for byte what the provider sent.
enum CompactText {
    /// The first byte of a format-1 value.
    static let format1: UInt8 = 1
    /// deflate's window: 2^13 bytes, enough for the dictionary plus a typical event.
    static let windowBits: Int32 = 13
    /// zlib's memory level for the compressor (a smaller hash table to clear per value).
    static let memoryLevel: Int32 = 6
    /// zlib's compression level: 3 is within 10% of 6's size at about half its time.
    static let level: Int32 = 3

    /// Why a stored value could not be decoded.
    struct DecodingError: Error, CustomStringConvertible {
        let description: String
    }

    /// A reusable zlib compressor for format 1 (one per batch or thread). It loads the
    /// dictionary once into a primed stream and copies that stream for each value
    /// (`deflateCopy`: memory copies), where `deflateSetDictionary` per value would hash the
    /// whole 7.6 KB dictionary again for every event.
    final class Compressor {
        private var primed = z_stream()
        private var output: [UInt8] = []

        init() {
            let status = ea_store_deflate_init(&primed, CompactText.level, -CompactText.windowBits, CompactText.memoryLevel)
            // Only bad parameters or no memory fail here; both are programming or fatal errors.
            precondition(status == Z_OK, "deflateInit2 failed: \(status)")
            let dictionaryStatus = CompactTextDictionary.version1Bytes.withUnsafeBufferPointer { dictionary in
                deflateSetDictionary(&primed, dictionary.baseAddress, uInt(dictionary.count))
            }
            precondition(dictionaryStatus == Z_OK, "deflateSetDictionary failed: \(dictionaryStatus)")
        }

        deinit { deflateEnd(&primed) }

        /// The format-1 bytes of `text`, handed to `body` (valid only inside it), or nil when
        /// they would not be shorter than the text itself (store the text).
        func encode<Result>(_ text: String, _ body: (UnsafeRawBufferPointer?) throws -> Result) rethrows -> Result {
            var text = text
            let packed: Int? = text.withUTF8 { utf8 in compress(utf8) }
            guard let packed else { return try body(nil) }
            return try output.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<packed])) }
        }

        /// Compresses `utf8` into `output`; its used length, or nil when not shorter.
        private func compress(_ utf8: UnsafeBufferPointer<UInt8>) -> Int? {
            let count = utf8.count
            // Values this short never shrink: keep them as text.
            guard count >= 64 else { return nil }
            var stream = z_stream()
            let copyStatus = deflateCopy(&stream, &primed)
            precondition(copyStatus == Z_OK, "deflateCopy failed: \(copyStatus)")
            defer { deflateEnd(&stream) }
            let bound = Int(deflateBound(&stream, uLong(count))) + 15
            if output.count < bound { output = [UInt8](repeating: 0, count: max(bound, 4096)) }
            return output.withUnsafeMutableBufferPointer { out -> Int? in
                var header = 0
                out[header] = CompactText.format1
                header += 1
                var length = UInt64(count)
                repeat {
                    out[header] = UInt8(length & 0x7F) | (length >= 0x80 ? 0x80 : 0)
                    length >>= 7
                    header += 1
                } while length > 0
                let crc = UInt32(crc32(0, utf8.baseAddress, uInt(count)))
                for shift in stride(from: 0, to: 32, by: 8) {
                    out[header] = UInt8(truncatingIfNeeded: crc >> UInt32(shift))
                    header += 1
                }
                stream.next_in = UnsafeMutablePointer(mutating: utf8.baseAddress)
                stream.avail_in = uInt(count)
                stream.next_out = out.baseAddress! + header
                stream.avail_out = uInt(out.count - header)
                let status = deflate(&stream, Z_FINISH)
                precondition(status == Z_STREAM_END, "deflate did not finish within deflateBound: \(status)")
                let used = header + Int(stream.total_out)
                return used < count ? used : nil
            }
        }
    }

    /// A reusable zlib decompressor for format 1.
    final class Decompressor {
        private var stream = z_stream()

        init() {
            let status = ea_store_inflate_init(&stream, -CompactText.windowBits)
            precondition(status == Z_OK, "inflateInit2 failed: \(status)")
        }

        deinit { inflateEnd(&stream) }

        /// The text of the format-1 value `bytes`.
        func decode(_ bytes: UnsafeRawBufferPointer) throws -> String {
            guard bytes.count >= 2, bytes[0] == CompactText.format1 else {
                throw DecodingError(description: "a compact text value of unknown format \(bytes.first.map(String.init) ?? "(empty)")")
            }
            var offset = 1
            var length: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                guard offset < bytes.count, shift < 63 else { throw DecodingError(description: "a compact text value with a bad length") }
                let byte = bytes[offset]
                offset += 1
                length |= UInt64(byte & 0x7F) << shift
                shift += 7
                if byte & 0x80 == 0 { break }
            }
            guard length <= 1 << 31, offset + 4 <= bytes.count else {
                throw DecodingError(description: "a compact text value of \(length) bytes")
            }
            var crc: UInt32 = 0
            for shift in stride(from: 0, to: 32, by: 8) {
                crc |= UInt32(bytes[offset]) << UInt32(shift)
                offset += 1
            }
            inflateReset(&stream)
            let dictionaryStatus = CompactTextDictionary.version1Bytes.withUnsafeBufferPointer { dictionary in
                inflateSetDictionary(&stream, dictionary.baseAddress, uInt(dictionary.count))
            }
            guard dictionaryStatus == Z_OK else { throw DecodingError(description: "inflateSetDictionary failed: \(dictionaryStatus)") }
            let expected = Int(length)
            var failure: String?
            // One spare byte: a stream longer than its recorded length is caught, not truncated.
            let text = String(unsafeUninitializedCapacity: expected + 1) { out -> Int in
                stream.next_in = UnsafeMutablePointer(mutating: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self) + offset)
                stream.avail_in = uInt(bytes.count - offset)
                stream.next_out = out.baseAddress
                stream.avail_out = uInt(expected + 1)
                let status = inflate(&stream, Z_FINISH)
                let produced = expected + 1 - Int(stream.avail_out)
                if status != Z_STREAM_END || produced != expected || stream.avail_in != 0 {
                    failure = "a compact text value that does not inflate to its \(expected) bytes (zlib status \(status), \(produced) bytes)"
                    return 0
                }
                if UInt32(crc32(0, out.baseAddress, uInt(produced))) != crc {
                    failure = "a compact text value whose CRC-32 does not match"
                    return 0
                }
                return produced
            }
            if let failure { throw DecodingError(description: failure) }
            return text
        }
    }
}
