import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A zip archive (PKWARE APPNOTE 6.3) written front to back: each entry's local header with
/// its sizes and CRC, its deflated bytes, and at the end the central directory. ZIP64 records
/// are written when an entry, an offset or the directory passes the 32-bit limits (or always,
/// with `forceZip64`, which the tests use to read such an archive back).
///
/// Every write goes through a ``ByteSink``, so a full disk is an error, not a short file.
final class ZipWriter {
    /// Bytes already deflated: in memory, or in a file (a sheet's rows).
    enum Piece {
        case bytes([UInt8])
        case file(String)
    }

    /// A raw deflate stream made of pieces laid end to end. Every piece but the last must end
    /// with a sync flush (``Deflater/syncFlush()``) and the last with the final block.
    struct DeflatedEntry {
        var pieces: [Piece]
        var crc: UInt32
        var uncompressedSize: Int64
        var compressedSize: Int64
    }

    private struct Record {
        var name: [UInt8]
        var crc: UInt32
        var compressedSize: Int64
        var uncompressedSize: Int64
        var offset: Int64
        var zip64: Bool
    }

    private let sink: ByteSink
    private let forceZip64: Bool
    private let dosTime: UInt16
    private let dosDate: UInt16
    private var records: [Record] = []
    private var offset: Int64 = 0

    /// Creates the archive file, which must not exist yet.
    /// - Parameters:
    ///   - modified: the entries' modification time, as a wall-clock time in `timeZone`.
    init(path: String, modified: Date, timeZone: TimeZone, forceZip64: Bool = false) throws {
        sink = try ByteSink(creating: path)
        self.forceZip64 = forceZip64
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: modified)
        let year = min(max((parts.year ?? 1980) - 1980, 0), 127)
        dosDate = UInt16(year << 9 | (parts.month ?? 1) << 5 | (parts.day ?? 1))
        dosTime = UInt16((parts.hour ?? 0) << 11 | (parts.minute ?? 0) << 5 | (parts.second ?? 0) / 2)
    }

    /// Adds an entry deflated from `bytes`.
    func add(_ name: String, bytes: [UInt8]) throws {
        let deflated = Deflater.compress(bytes, format: .raw)
        let crc = Deflater.checksum(bytes)
        try add(name, DeflatedEntry(pieces: [.bytes(deflated)], crc: crc, uncompressedSize: Int64(bytes.count),
                                   compressedSize: Int64(deflated.count)))
    }

    /// Adds an entry from bytes already deflated.
    func add(_ name: String, _ entry: DeflatedEntry) throws {
        let zip64 = forceZip64 || entry.uncompressedSize >= 0xFFFF_FFFF || entry.compressedSize >= 0xFFFF_FFFF
        let record = Record(name: Array(name.utf8), crc: entry.crc, compressedSize: entry.compressedSize,
                            uncompressedSize: entry.uncompressedSize, offset: offset, zip64: zip64)
        var header = Bytes()
        header.u32(0x0403_4B50)
        header.u16(zip64 ? 45 : 20)
        header.u16(0)  // flags
        header.u16(8)  // deflate
        header.u16(dosTime); header.u16(dosDate)
        header.u32(entry.crc)
        header.u32(zip64 ? 0xFFFF_FFFF : UInt32(entry.compressedSize))
        header.u32(zip64 ? 0xFFFF_FFFF : UInt32(entry.uncompressedSize))
        header.u16(UInt16(record.name.count))
        header.u16(zip64 ? 20 : 0)
        header.bytes += record.name
        if zip64 {
            header.u16(0x0001); header.u16(16)
            header.u64(UInt64(entry.uncompressedSize)); header.u64(UInt64(entry.compressedSize))
        }
        try emit(header.bytes)
        var copied: Int64 = 0
        for piece in entry.pieces {
            switch piece {
            case .bytes(let bytes):
                try emit(bytes)
                copied += Int64(bytes.count)
            case .file(let path):
                copied += try copy(path)
            }
        }
        guard copied == entry.compressedSize else {
            throw ExportError.writeFailed(sink.path, reason: "zip entry \(name): \(copied) bytes, expected \(entry.compressedSize)")
        }
        records.append(record)
    }

    /// Writes the central directory and closes the file.
    func finish() throws {
        let directoryStart = offset
        for record in records {
            // Only the fields that overflow go in the ZIP64 field (readers such as ZIPFoundation
            // take an offset of 0 there for "absent").
            let bigOffset = record.offset >= 0xFFFF_FFFF
            let zip64 = record.zip64 || bigOffset
            let extraLength: UInt16 = (record.zip64 ? 16 : 0) + (bigOffset ? 8 : 0)
            var header = Bytes()
            header.u32(0x0201_4B50)
            header.u16(3 << 8 | (zip64 ? 45 : 20))  // made by Unix
            header.u16(zip64 ? 45 : 20)
            header.u16(0)
            header.u16(8)
            header.u16(dosTime); header.u16(dosDate)
            header.u32(record.crc)
            header.u32(record.zip64 ? 0xFFFF_FFFF : UInt32(record.compressedSize))
            header.u32(record.zip64 ? 0xFFFF_FFFF : UInt32(record.uncompressedSize))
            header.u16(UInt16(record.name.count))
            header.u16(zip64 ? 4 + extraLength : 0)
            header.u16(0)  // comment
            header.u16(0)  // disk
            header.u16(0)  // internal attributes
            header.u32(0o100644 << 16)
            header.u32(bigOffset ? 0xFFFF_FFFF : UInt32(record.offset))
            header.bytes += record.name
            if zip64 {
                header.u16(0x0001); header.u16(extraLength)
                if record.zip64 { header.u64(UInt64(record.uncompressedSize)); header.u64(UInt64(record.compressedSize)) }
                if bigOffset { header.u64(UInt64(record.offset)) }
            }
            try emit(header.bytes)
        }
        let directorySize = offset - directoryStart
        let zip64 = forceZip64 || records.count >= 0xFFFF || directoryStart >= 0xFFFF_FFFF || directorySize >= 0xFFFF_FFFF
        var end = Bytes()
        if zip64 {
            let recordStart = offset
            end.u32(0x0606_4B50)
            end.u64(44)
            end.u16(3 << 8 | 45); end.u16(45)
            end.u32(0); end.u32(0)
            end.u64(UInt64(records.count)); end.u64(UInt64(records.count))
            end.u64(UInt64(directorySize)); end.u64(UInt64(directoryStart))
            end.u32(0x0706_4B50)
            end.u32(0); end.u64(UInt64(recordStart)); end.u32(1)
        }
        end.u32(0x0605_4B50)
        end.u16(0); end.u16(0)
        end.u16(zip64 ? 0xFFFF : UInt16(records.count)); end.u16(zip64 ? 0xFFFF : UInt16(records.count))
        end.u32(zip64 ? 0xFFFF_FFFF : UInt32(directorySize))
        end.u32(zip64 ? 0xFFFF_FFFF : UInt32(directoryStart))
        end.u16(0)
        try emit(end.bytes)
        try sink.finish()
    }

    /// Closes the file after a failure (the caller removes it).
    func abandon() { sink.abandon() }

    private func emit(_ bytes: [UInt8]) throws {
        try sink.write(bytes: bytes)
        offset += Int64(bytes.count)
    }

    /// Appends a file's bytes; returns how many.
    private func copy(_ path: String) throws -> Int64 {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw ExportError.writeFailed(sink.path, reason: "cannot reopen \(path)") }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 1 << 18)
        var total: Int64 = 0
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress!, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw ExportError.writeFailed(sink.path, reason: String(cString: strerror(errno)))
            }
            if count == 0 { return total }
            try sink.write(data: buffer[0..<count])
            offset += Int64(count)
            total += Int64(count)
        }
    }

    /// Little-endian fields.
    private struct Bytes {
        var bytes: [UInt8] = []
        mutating func u16(_ value: UInt16) { bytes += [UInt8(value & 0xFF), UInt8(value >> 8)] }
        mutating func u32(_ value: UInt32) { for shift in stride(from: 0, to: 32, by: 8) { bytes.append(UInt8((value >> UInt32(shift)) & 0xFF)) } }
        mutating func u64(_ value: UInt64) { for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8((value >> UInt64(shift)) & 0xFF)) } }
    }
}
