import Foundation

/// A TrueType font read for embedding in a PDF: character to glyph mapping (cmap formats 4
/// and 12), advance widths, metrics, and a subsetter. A TrueType collection (.ttc) is read
/// for one of its faces.
///
/// The subset keeps every glyph id (so the PDF's identity glyph mapping and the widths stay
/// as they are) but only the outlines of the glyphs used — plus the components of composite
/// glyphs — survive in `glyf`; every other glyph is empty. `loca` is rewritten (long format),
/// the tables a PDF viewer does not need (layout, names, kerning, cmap) are dropped, and the
/// checksums are recomputed.
struct TrueTypeFont {
    let data: [UInt8]
    private let tables: [String: (offset: Int, length: Int)]
    let unitsPerEm: Int
    let numGlyphs: Int
    let ascender: Int
    let descender: Int
    let boundingBox: (Int, Int, Int, Int)
    private let advances: [UInt16]
    private let glyphOffsets: [Int]
    private var cmap: [UInt32: UInt16] = [:]
    let postScriptName: String

    enum FontError: Error { case malformed(String) }

    /// Reads the font at `path`; in a collection, the face numbered `face` (fontconfig's index).
    init(path: String, face: Int = 0) throws {
        guard let contents = FileManager.default.contents(atPath: path) else { throw FontError.malformed("unreadable") }
        data = [UInt8](contents)
        guard data.count > 12 else { throw FontError.malformed("too short") }
        // A collection's faces each have a table directory; their table offsets count from
        // the start of the file, as a single font's do.
        var directory = 0
        if Self.u32(data, 0) == 0x7474_6366 {  // "ttcf"
            let faces = Int(Self.u32(data, 8))
            guard face >= 0, face < faces, 12 + 4 * faces <= data.count else { throw FontError.malformed("no face \(face)") }
            directory = Int(Self.u32(data, 12 + 4 * face))
            guard directory + 12 <= data.count else { throw FontError.malformed("face directory") }
        }
        let version = Self.u32(data, directory)
        guard version == 0x0001_0000 || version == 0x7472_7565 else { throw FontError.malformed("not TrueType outlines") }
        let count = Int(Self.u16(data, directory + 4))
        var found: [String: (Int, Int)] = [:]
        for index in 0..<count {
            let record = directory + 12 + index * 16
            guard record + 16 <= data.count else { throw FontError.malformed("table directory") }
            let tag = String(decoding: data[record..<(record + 4)], as: UTF8.self)
            let offset = Int(Self.u32(data, record + 8)), length = Int(Self.u32(data, record + 12))
            guard offset + length <= data.count else { throw FontError.malformed("table \(tag)") }
            found[tag] = (offset, length)
        }
        tables = found.mapValues { (offset: $0.0, length: $0.1) }
        for required in ["head", "hhea", "maxp", "hmtx", "loca", "glyf", "cmap"] where found[required] == nil {
            throw FontError.malformed("no \(required) table")
        }
        let head = found["head"]!.0, hhea = found["hhea"]!.0, maxp = found["maxp"]!.0
        unitsPerEm = Int(Self.u16(data, head + 18))
        boundingBox = (Int(Self.i16(data, head + 36)), Int(Self.i16(data, head + 38)),
                       Int(Self.i16(data, head + 40)), Int(Self.i16(data, head + 42)))
        let longLoca = Self.i16(data, head + 50) == 1
        ascender = Int(Self.i16(data, hhea + 4))
        descender = Int(Self.i16(data, hhea + 6))
        let metrics = Int(Self.u16(data, hhea + 34))
        numGlyphs = Int(Self.u16(data, maxp + 4))
        let hmtx = found["hmtx"]!.0
        var advances: [UInt16] = []
        advances.reserveCapacity(numGlyphs)
        for glyph in 0..<numGlyphs {
            advances.append(Self.u16(data, hmtx + min(glyph, metrics - 1) * 4))
        }
        self.advances = advances
        let loca = found["loca"]!.0
        var offsets: [Int] = []
        offsets.reserveCapacity(numGlyphs + 1)
        for glyph in 0...numGlyphs {
            offsets.append(longLoca ? Int(Self.u32(data, loca + glyph * 4)) : Int(Self.u16(data, loca + glyph * 2)) * 2)
        }
        glyphOffsets = offsets
        postScriptName = Self.readPostScriptName(data, found["name"]) ?? "EmbeddedFont"
        cmap = try Self.readCmap(data, at: found["cmap"]!.0)
    }

    /// The glyph for a character (0, the missing-glyph box, when the font lacks it).
    func glyph(for scalar: Unicode.Scalar) -> UInt16 {
        cmap[scalar.value] ?? 0
    }

    /// Whether the font has a glyph for the character.
    func hasGlyph(for scalar: Unicode.Scalar) -> Bool {
        cmap[scalar.value] != nil
    }

    /// The advance width of a glyph, in font units.
    func advance(of glyph: UInt16) -> Int {
        Int(advances[min(Int(glyph), advances.count - 1)])
    }

    /// The advance width scaled to a 1000-unit em (PDF glyph space).
    func pdfWidth(of glyph: UInt16) -> Int {
        advance(of: glyph) * 1000 / max(1, unitsPerEm)
    }

    // MARK: Subsetting

    /// The font file with only `used` glyphs' outlines (and their components) kept.
    func subset(keeping used: Set<UInt16>) -> [UInt8] {
        let glyf = tables["glyf"]!.offset
        var keep = used
        keep.insert(0)
        // Composite glyphs pull in their components, transitively.
        var queue = Array(keep)
        while let glyph = queue.popLast() {
            for component in components(of: glyph, glyf: glyf) where keep.insert(component).inserted {
                queue.append(component)
            }
        }
        var newGlyf: [UInt8] = []
        var newLoca: [UInt8] = []
        for glyph in 0..<numGlyphs {
            Self.append32(&newLoca, UInt32(newGlyf.count))
            if keep.contains(UInt16(glyph)) {
                let start = glyphOffsets[glyph], end = glyphOffsets[glyph + 1]
                if end > start {
                    newGlyf.append(contentsOf: data[(glyf + start)..<(glyf + end)])
                    while newGlyf.count % 4 != 0 { newGlyf.append(0) }
                }
            }
        }
        Self.append32(&newLoca, UInt32(newGlyf.count))

        var out: [String: [UInt8]] = [:]
        for tag in ["head", "hhea", "maxp", "hmtx", "cvt ", "fpgm", "prep"] {
            if let table = tables[tag] { out[tag] = Array(data[table.offset..<(table.offset + table.length)]) }
        }
        out["glyf"] = newGlyf
        out["loca"] = newLoca
        // head: long loca offsets, checksum adjustment recomputed below.
        out["head"]![50] = 0; out["head"]![51] = 1
        out["head"]![8] = 0; out["head"]![9] = 0; out["head"]![10] = 0; out["head"]![11] = 0
        return Self.assemble(out)
    }

    private func components(of glyph: UInt16, glyf: Int) -> [UInt16] {
        let start = glyphOffsets[Int(glyph)], end = glyphOffsets[Int(glyph) + 1]
        guard end - start > 10, Self.i16(data, glyf + start) < 0 else { return [] }
        var at = glyf + start + 10
        var result: [UInt16] = []
        while at + 4 <= glyf + end {
            let flags = Self.u16(data, at)
            result.append(Self.u16(data, at + 2))
            at += 4 + ((flags & 0x1) != 0 ? 4 : 2)
            if flags & 0x8 != 0 { at += 2 } else if flags & 0x40 != 0 { at += 4 } else if flags & 0x80 != 0 { at += 8 }
            if flags & 0x20 == 0 { break }
        }
        return result
    }

    private static func assemble(_ tables: [String: [UInt8]]) -> [UInt8] {
        let tags = tables.keys.sorted()
        let count = tags.count
        var entrySelector = 0
        while (1 << (entrySelector + 1)) <= count { entrySelector += 1 }
        let searchRange = (1 << entrySelector) * 16
        var header: [UInt8] = []
        append32(&header, 0x0001_0000)
        append16(&header, UInt16(count)); append16(&header, UInt16(searchRange))
        append16(&header, UInt16(entrySelector)); append16(&header, UInt16(count * 16 - searchRange))
        var body: [UInt8] = []
        var offset = 12 + count * 16
        var headOffset = 0
        for tag in tags {
            let table = tables[tag]!
            header.append(contentsOf: Array(tag.utf8))
            append32(&header, checksum(table))
            append32(&header, UInt32(offset))
            append32(&header, UInt32(table.count))
            if tag == "head" { headOffset = offset }
            body.append(contentsOf: table)
            while body.count % 4 != 0 { body.append(0) }
            offset = 12 + count * 16 + body.count
        }
        var font = header + body
        let adjustment = 0xB1B0_AFBA &- checksum(font)
        font[headOffset + 8] = UInt8(adjustment >> 24); font[headOffset + 9] = UInt8((adjustment >> 16) & 0xFF)
        font[headOffset + 10] = UInt8((adjustment >> 8) & 0xFF); font[headOffset + 11] = UInt8(adjustment & 0xFF)
        return font
    }

    private static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var sum: UInt32 = 0
        var index = 0
        while index < bytes.count {
            var word: UInt32 = 0
            for k in 0..<4 { word = word << 8 | UInt32(index + k < bytes.count ? bytes[index + k] : 0) }
            sum = sum &+ word
            index += 4
        }
        return sum
    }

    // MARK: Reading

    private static func readCmap(_ data: [UInt8], at cmap: Int) throws -> [UInt32: UInt16] {
        let count = Int(u16(data, cmap + 2))
        var format4: Int?, format12: Int?
        for index in 0..<count {
            let record = cmap + 4 + index * 8
            let platform = u16(data, record), encoding = u16(data, record + 2)
            let subtable = cmap + Int(u32(data, record + 4))
            let format = u16(data, subtable)
            if format == 12, platform == 3 && encoding == 10 || platform == 0 { format12 = format12 ?? subtable }
            if format == 4, platform == 3 && encoding == 1 || platform == 0 { format4 = format4 ?? subtable }
        }
        var map: [UInt32: UInt16] = [:]
        if let table = format12 {
            let groups = Int(u32(data, table + 12))
            for group in 0..<groups {
                let at = table + 16 + group * 12
                let start = u32(data, at), end = u32(data, at + 4), first = u32(data, at + 8)
                guard end >= start, end - start < 0x11_0000 else { continue }
                for code in start...end { map[code] = UInt16(truncatingIfNeeded: first + (code - start)) }
            }
            return map
        }
        guard let table = format4 else { throw FontError.malformed("no Unicode cmap") }
        let segments = Int(u16(data, table + 6)) / 2
        let ends = table + 14, starts = ends + segments * 2 + 2
        let deltas = starts + segments * 2, rangeOffsets = deltas + segments * 2
        for segment in 0..<segments {
            let end = Int(u16(data, ends + segment * 2)), start = Int(u16(data, starts + segment * 2))
            let delta = Int(u16(data, deltas + segment * 2))
            let rangeOffset = Int(u16(data, rangeOffsets + segment * 2))
            guard start <= end, start != 0xFFFF else { continue }
            for code in start...end {
                var glyph: Int
                if rangeOffset == 0 {
                    glyph = (code + delta) & 0xFFFF
                } else {
                    let at = rangeOffsets + segment * 2 + rangeOffset + (code - start) * 2
                    guard at + 1 < data.count else { continue }
                    glyph = Int(u16(data, at))
                    if glyph != 0 { glyph = (glyph + delta) & 0xFFFF }
                }
                if glyph != 0 { map[UInt32(code)] = UInt16(glyph) }
            }
        }
        return map
    }

    private static func readPostScriptName(_ data: [UInt8], _ table: (Int, Int)?) -> String? {
        guard let (name, _) = table else { return nil }
        let count = Int(u16(data, name + 2)), storage = name + Int(u16(data, name + 4))
        for index in 0..<count {
            let record = name + 6 + index * 12
            guard u16(data, record + 6) == 6 else { continue }
            let platform = u16(data, record)
            let length = Int(u16(data, record + 8)), offset = storage + Int(u16(data, record + 10))
            guard offset + length <= data.count else { continue }
            let bytes = Array(data[offset..<(offset + length)])
            let text: String
            if platform == 1 {
                text = String(decoding: bytes, as: UTF8.self)
            } else {
                text = String(decoding: stride(from: 0, to: bytes.count - 1, by: 2).map { UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]) }, as: UTF16.self)
            }
            let clean = text.filter { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            if !clean.isEmpty { return clean }
        }
        return nil
    }

    static func u16(_ data: [UInt8], _ at: Int) -> UInt16 {
        guard at + 1 < data.count else { return 0 }
        return UInt16(data[at]) << 8 | UInt16(data[at + 1])
    }

    static func i16(_ data: [UInt8], _ at: Int) -> Int16 { Int16(bitPattern: u16(data, at)) }

    static func u32(_ data: [UInt8], _ at: Int) -> UInt32 {
        guard at + 3 < data.count else { return 0 }
        return UInt32(data[at]) << 24 | UInt32(data[at + 1]) << 16 | UInt32(data[at + 2]) << 8 | UInt32(data[at + 3])
    }

    static func append16(_ bytes: inout [UInt8], _ value: UInt16) {
        bytes.append(UInt8(value >> 8)); bytes.append(UInt8(value & 0xFF))
    }

    static func append32(_ bytes: inout [UInt8], _ value: UInt32) {
        bytes.append(UInt8(value >> 24)); bytes.append(UInt8((value >> 16) & 0xFF))
        bytes.append(UInt8((value >> 8) & 0xFF)); bytes.append(UInt8(value & 0xFF))
    }
}
