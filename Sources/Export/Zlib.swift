import Foundation
import ZIPFoundation

/// zlib-format compression (RFC 1950: header, raw deflate, Adler-32), as a PDF's
/// FlateDecode filter expects, built on the zip library's raw deflate.
enum Zlib {
    static func compress(_ bytes: [UInt8]) -> [UInt8] {
        let input = Data(bytes)
        var output: [UInt8] = [0x78, 0x9C]
        do {
            _ = try Data.compress(size: Int64(input.count), bufferSize: 1 << 16, provider: { position, size in
                input.subdata(in: Int(position)..<min(input.count, Int(position) + size))
            }, consumer: { chunk in
                output.append(contentsOf: chunk)
            })
        } catch {
            // Stored (uncompressed) deflate blocks cannot fail.
            output = [0x78, 0x01] + stored(bytes)
        }
        let sum = adler32(bytes)
        output += [UInt8(sum >> 24), UInt8((sum >> 16) & 0xFF), UInt8((sum >> 8) & 0xFF), UInt8(sum & 0xFF)]
        return output
    }

    /// Deflate "stored" blocks: the data as it is, in blocks of at most 65,535 bytes.
    static func stored(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var start = 0
        repeat {
            let end = min(bytes.count, start + 65_535)
            let length = UInt16(end - start)
            out.append(end == bytes.count ? 1 : 0)
            out += [UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
            out += bytes[start..<end]
            start = end
        } while start < bytes.count
        return out
    }

    static func adler32(_ bytes: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + 5552)
            while index < end {
                a &+= UInt32(bytes[index]); b &+= a
                index += 1
            }
            a %= 65_521; b %= 65_521
        }
        return b << 16 | a
    }
}
