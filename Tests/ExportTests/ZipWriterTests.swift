import Foundation
import Testing
import ZIPFoundation
@testable import Export

/// The Export module's own zip writer, read back by an independent reader (ZIPFoundation) and,
/// where Python is installed, by Python's zipfile.
@Suite("Zip writer")
struct ZipWriterTests {
    static let london = TimeZone(identifier: "Europe/London")!

    func folder() throws -> String {
        let path = NSTemporaryDirectory() + "zip-tests-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Text that compresses badly and well, so the deflate streams hold several blocks.
    static func sample(_ count: Int, seed: UInt64) -> [UInt8] {
        var state = seed
        return (0..<count).map { index in
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return index % 3 == 0 ? UInt8(truncatingIfNeeded: state >> 33) : UInt8(ascii: "a") + UInt8(index % 7)
        }
    }

    /// Writes an archive with a small entry and an entry made of three deflate streams laid end
    /// to end (the middle one from a file), as a workbook's sheet is written.
    func writeArchive(at path: String, in dir: String, forceZip64: Bool) throws -> [String: [UInt8]] {
        let head = Self.sample(1_000, seed: 1), body = Self.sample(700_000, seed: 2), tail = Self.sample(333, seed: 3)
        let zip = try ZipWriter(path: path, modified: Date(timeIntervalSince1970: 1_774_751_400), timeZone: Self.london,
                                forceZip64: forceZip64)
        try zip.add("small.txt", bytes: Array("Zoë Clarke, £12.00".utf8))
        var opening: [UInt8] = [], closing: [UInt8] = []
        let first = Deflater(format: .raw) { opening.append(contentsOf: $0) }
        try first.write(head)
        try first.syncFlush()
        let bodyPath = dir + "/body.deflate"
        _ = FileManager.default.createFile(atPath: bodyPath, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: bodyPath))
        let middle = Deflater(format: .raw) { try handle.write(contentsOf: Data($0)) }
        for start in stride(from: 0, to: body.count, by: 50_000) {
            try middle.write(Array(body[start..<min(body.count, start + 50_000)]))
        }
        try middle.syncFlush()
        try handle.close()
        let last = Deflater(format: .raw) { closing.append(contentsOf: $0) }
        try last.write(tail)
        try last.finish()
        let crc = Deflater.crcCombine(Deflater.crcCombine(first.crc, middle.crc, secondLength: middle.inputCount),
                                      last.crc, secondLength: last.inputCount)
        #expect(crc == Deflater.checksum(head + body + tail))
        try zip.add("dir/joined.xml", ZipWriter.DeflatedEntry(
            pieces: [.bytes(opening), .file(bodyPath), .bytes(closing)], crc: crc,
            uncompressedSize: Int64(head.count + body.count + tail.count),
            compressedSize: Int64(opening.count) + middle.outputCount + Int64(closing.count)))
        try zip.finish()
        return ["small.txt": Array("Zoë Clarke, £12.00".utf8), "dir/joined.xml": head + body + tail]
    }

    @Test(arguments: [false, true])
    func entriesReadBackWithZIPFoundation(forceZip64: Bool) throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/test.zip"
        let expected = try writeArchive(at: path, in: dir, forceZip64: forceZip64)
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read, pathEncoding: nil)
        #expect(Set(archive.map(\.path)) == Set(expected.keys))
        for (name, bytes) in expected {
            let entry = try #require(archive[name])
            var data = Data()
            // ZIPFoundation checks each entry's CRC-32 as it extracts.
            _ = try archive.extract(entry, skipCRC32: false) { data.append($0) }
            #expect(Array(data) == bytes, "\(name)")
        }
    }

    @Test(arguments: [false, true])
    func entriesReadBackWithPythonZipfile(forceZip64: Bool) throws {
        guard let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first(where: FileManager.default.isExecutableFile) else {
            print("skipped: no python3 to read the zip back with")
            return
        }
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/test.zip"
        let expected = try writeArchive(at: path, in: dir, forceZip64: forceZip64)
        let script = """
            import sys, zipfile, hashlib
            with zipfile.ZipFile(sys.argv[1]) as z:
                assert z.testzip() is None
                for info in sorted(z.infolist(), key=lambda i: i.filename):
                    print(info.filename, info.file_size, hashlib.sha256(z.read(info)).hexdigest())
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-c", script, path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        let lines = output.split(separator: "\n").map(String.init)
        #expect(lines.count == 2)
        #expect(lines.first?.hasPrefix("dir/joined.xml \(expected["dir/joined.xml"]!.count) ") == true)
        #expect(lines.last?.hasPrefix("small.txt \(expected["small.txt"]!.count) ") == true)
    }

    @Test func aZip64WorkbookReadsBackWhole() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var settings = ExportSettings()
        settings.forceZip64 = true
        let path = dir + "/zip64.xlsx"
        let rows = ExportWriterTests.rows(40)
        _ = try SummaryExport.run(format: .xlsx, destination: ExportDestination(path: path, replaceExisting: false),
                                  heading: ExportWriterTests.heading, settings: settings, expectedRows: rows.count,
                                  source: ExportWriterTests.source(rows))
        let archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read, pathEncoding: nil)
        #expect(Array(archive).count == 8)
        let entry = try #require(archive["xl/worksheets/sheet1.xml"])
        var data = Data()
        _ = try archive.extract(entry, skipCRC32: false) { data.append($0) }
        let sheet = String(decoding: data, as: UTF8.self)
        #expect(sheet.hasPrefix("<?xml") && sheet.hasSuffix("</worksheet>"))
        #expect(sheet.components(separatedBy: "<row ").count - 1 == 5 + 40 - 1)  // heading lines + header + rows
    }
}
