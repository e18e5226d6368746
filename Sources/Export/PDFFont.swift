import AuditCore
import Foundation

/// The fonts a PDF's text is set in: an embedded TrueType font (every character the font
/// has, searchable through a ToUnicode map) with, per character it lacks, a fallback face
/// that fontconfig says has it (e.g. a CJK font for Chinese names), each embedded as a subset
/// of its own; or, when there is no TrueType font at all, the standard Helvetica with text
/// transliterated to ASCII.
///
/// A character no installed font has is drawn as U+FFFD (or "?") and counted for a warning,
/// never as a wrong glyph.
final class PDFFont {
    /// One embedded face and the glyphs used from it, with the text each stands for.
    private final class Face {
        let font: TrueTypeFont
        var used: [UInt16: String] = [:]
        init(font: TrueTypeFont) { self.font = font }
    }

    private var faces: [Face] = []
    private let lookup: (Unicode.Scalar) -> [FontLookup.Face]
    /// Where each character is drawn from: face and glyph.
    private var resolved: [UInt32: (face: Int, glyph: UInt16)] = [:]
    private var triedFiles: Set<FontLookup.Face> = []
    private var lookups = 0
    /// Characters that no font had, drawn as a substitute.
    private(set) var missing: Set<Unicode.Scalar> = []
    /// At most this many fontconfig searches per PDF (each runs `fc-list`).
    static let lookupLimit = 64
    /// At most this many fallback faces.
    static let fallbackLimit = 6

    /// - Parameters:
    ///   - trueType: the main font; nil for Helvetica.
    ///   - fallbacks: faces that have a given character, best first (fontconfig by default).
    init(trueType: TrueTypeFont?, fallbacks: @escaping (Unicode.Scalar) -> [FontLookup.Face] = FontLookup.trueTypeFaces) {
        if let trueType { faces = [Face(font: trueType)] }
        lookup = fallbacks
    }

    /// Whether the font is embedded (false: Helvetica, ASCII only).
    var isEmbedded: Bool { !faces.isEmpty }

    /// A warning naming the characters no font could show, if any.
    var missingWarning: String? {
        guard !missing.isEmpty else { return nil }
        let shown = missing.sorted { $0.value < $1.value }.prefix(8)
            .map { "U+" + String($0.value, radix: 16, uppercase: true) }.joined(separator: ", ")
        return "\(missing.count) character\(missing.count == 1 ? "" : "s") (\(shown)\(missing.count > 8 ? ", ..." : "")) "
            + "had no installed font and show as \u{FFFD}"
    }

    /// The text as this font can show it: unchanged when embedded, else in ASCII.
    func prepare(_ text: String) -> String {
        guard faces.isEmpty else { return text }
        return String(ASCIIFallback.text(text).unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? Character($0) : "?" })
    }

    /// The face and glyph that draw `scalar`: the main font's, a fallback's, or a substitute.
    @inline(__always)
    private func resolve(_ scalar: Unicode.Scalar) -> (face: Int, glyph: UInt16) {
        if let known = resolved[scalar.value] { return known }
        let found = search(scalar)
        resolved[scalar.value] = found
        return found
    }

    private func search(_ scalar: Unicode.Scalar) -> (face: Int, glyph: UInt16) {
        let main = faces[0].font
        if main.hasGlyph(for: scalar) { return (0, main.glyph(for: scalar)) }
        // Controls and format characters draw nothing; they are not worth a font search.
        let drawable = !(scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format)
        if drawable {
            for index in faces.indices.dropFirst() where faces[index].font.hasGlyph(for: scalar) {
                return (index, faces[index].font.glyph(for: scalar))
            }
            if lookups < Self.lookupLimit, faces.count <= Self.fallbackLimit {
                lookups += 1
                for candidate in lookup(scalar) where triedFiles.insert(candidate).inserted {
                    guard let font = try? TrueTypeFont(path: candidate.path, face: candidate.index) else { continue }
                    faces.append(Face(font: font))
                    if font.hasGlyph(for: scalar) { return (faces.count - 1, font.glyph(for: scalar)) }
                    if faces.count > Self.fallbackLimit { break }
                }
            }
        }
        missing.insert(scalar)
        for substitute in ["\u{FFFD}", "?"] as [Unicode.Scalar] where main.hasGlyph(for: substitute) {
            return (0, main.glyph(for: substitute))
        }
        return (0, 0)
    }

    /// A character's advance in 1000-unit em space.
    @inline(__always)
    private func units(_ scalar: Unicode.Scalar) -> Int {
        guard !faces.isEmpty else { return Self.helveticaWidth(scalar) }
        let (face, glyph) = resolve(scalar)
        return faces[face].font.pdfWidth(of: glyph)
    }

    /// The width of prepared text at `size` points.
    func width(_ text: String, size: Double) -> Double {
        var total = 0
        for scalar in text.unicodeScalars { total += units(scalar) }
        return Double(total) * size / 1000
    }

    /// Prepared text cut to `maxWidth` points, ending in "…" ("..." in Helvetica) when cut.
    func fit(_ text: String, size: Double, maxWidth: Double) -> String {
        let limit = Int(maxWidth * 1000 / size)
        var total = 0
        for scalar in text.unicodeScalars { total += units(scalar) }
        if total <= limit { return text }
        let ellipsis = faces.isEmpty ? "..." : "…"
        var budget = limit
        for scalar in ellipsis.unicodeScalars { budget -= units(scalar) }
        var used = 0
        var kept = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            let w = units(scalar)
            if used + w > budget { break }
            used += w
            kept.append(scalar)
        }
        return String(kept).trimmingCharacters(in: .whitespaces) + ellipsis
    }

    /// Text-showing operators for prepared text at `size` points, to go between BT and ET:
    /// `/F1 7 Tf <…> Tj`, switching font (`/F2`, …) wherever a fallback face draws a run.
    func show(_ text: String, size: Double) -> String {
        let sizeText = PDFWriter.number(size)
        guard !faces.isEmpty else {
            var literal = "/F1 \(sizeText) Tf ("
            for scalar in text.unicodeScalars {
                switch scalar {
                case "(", ")", "\\": literal += "\\" + String(scalar)
                default: literal.unicodeScalars.append(scalar)
                }
            }
            return literal + ") Tj"
        }
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count * 4 + 16)
        var current = -1
        for scalar in text.unicodeScalars {
            let (face, glyph) = resolve(scalar)
            if face != current {
                if current >= 0 { out += Array("> Tj ".utf8) }
                out += Array("/F\(face + 1) \(sizeText) Tf <".utf8)
                current = face
            }
            if faces[face].used[glyph] == nil {
                faces[face].used[glyph] = missing.contains(scalar) ? "\u{FFFD}" : String(scalar)
            }
            out.append(Self.hexDigits[Int(glyph >> 12)])
            out.append(Self.hexDigits[Int((glyph >> 8) & 0xF)])
            out.append(Self.hexDigits[Int((glyph >> 4) & 0xF)])
            out.append(Self.hexDigits[Int(glyph & 0xF)])
        }
        if current < 0 { return "/F1 \(sizeText) Tf <> Tj" }
        out += Array("> Tj".utf8)
        return String(decoding: out, as: UTF8.self)
    }

    static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    static func hex4(_ value: UInt16) -> String {
        String(decoding: [hexDigits[Int(value >> 12)], hexDigits[Int((value >> 8) & 0xF)],
                          hexDigits[Int((value >> 4) & 0xF)], hexDigits[Int(value & 0xF)]], as: UTF8.self)
    }

    /// The font resources: `/F1 n 0 R /F2 m 0 R …` for a resource dictionary.
    private(set) var resourceEntries = ""

    /// The font objects, numbered from `first`: per face used, a Type0 font and its parts
    /// (CID font, descriptor, font file, ToUnicode); or one Helvetica object. Sets
    /// ``resourceEntries``. Returns the objects and the next free number.
    func objects(startingAt first: Int, compress: ([UInt8]) -> [UInt8]) -> (objects: [(Int, [UInt8])], next: Int) {
        guard !faces.isEmpty else {
            resourceEntries = "/F1 \(first) 0 R"
            return ([(first, Array("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".utf8))], first + 1)
        }
        var objects: [(Int, [UInt8])] = []
        var entries: [String] = []
        var number = first
        for (index, face) in faces.enumerated() where index == 0 || !face.used.isEmpty {
            entries.append("/F\(index + 1) \(number) 0 R")
            // Subset tags differ per face, as PDF readers expect of distinct subsets.
            let tag = String(decoding: Array("EAUDI".utf8) + [UInt8(ascii: "A") + UInt8(index % 26)], as: UTF8.self)
            objects += Self.objects(of: face, name: tag + "+" + face.font.postScriptName, at: number, compress: compress)
            number += 5
        }
        resourceEntries = entries.joined(separator: " ")
        return (objects, number)
    }

    private static func objects(of face: Face, name: String, at fontObject: Int, compress: ([UInt8]) -> [UInt8]) -> [(Int, [UInt8])] {
        let trueType = face.font
        let used = face.used
        let glyphs = used.keys.sorted()
        var widths = "["
        for glyph in glyphs { widths += " \(glyph) [\(trueType.pdfWidth(of: glyph))]" }
        widths += " ]"
        let scale = { (v: Int) in v * 1000 / max(1, trueType.unitsPerEm) }
        let box = trueType.boundingBox
        let fontFile = trueType.subset(keeping: Set(glyphs))
        let packed = compress(fontFile)
        var cmap = """
            /CIDInit /ProcSet findresource begin
            12 dict begin
            begincmap
            /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def
            /CMapName /Adobe-Identity-UCS def
            /CMapType 2 def
            1 begincodespacerange
            <0000> <FFFF>
            endcodespacerange

            """
        var pending = glyphs.filter { $0 != 0 }
        while !pending.isEmpty {
            let block = pending.prefix(100)
            pending.removeFirst(block.count)
            cmap += "\(block.count) beginbfchar\n"
            for glyph in block {
                let utf16 = used[glyph]!.utf16.map { Self.hex4($0) }.joined()
                cmap += "<\(Self.hex4(glyph))> <\(utf16)>\n"
            }
            cmap += "endbfchar\n"
        }
        cmap += "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n"
        let packedCmap = compress(Array(cmap.utf8))
        return [
            (fontObject, Array("<< /Type /Font /Subtype /Type0 /BaseFont /\(name) /Encoding /Identity-H /DescendantFonts [\(fontObject + 1) 0 R] /ToUnicode \(fontObject + 4) 0 R >>".utf8)),
            (fontObject + 1, Array("<< /Type /Font /Subtype /CIDFontType2 /BaseFont /\(name) /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor \(fontObject + 2) 0 R /CIDToGIDMap /Identity /DW 1000 /W \(widths) >>".utf8)),
            (fontObject + 2, Array("<< /Type /FontDescriptor /FontName /\(name) /Flags 32 /FontBBox [\(scale(box.0)) \(scale(box.1)) \(scale(box.2)) \(scale(box.3))] /ItalicAngle 0 /Ascent \(scale(trueType.ascender)) /Descent \(scale(trueType.descender)) /CapHeight \(scale(trueType.ascender)) /StemV 80 /FontFile2 \(fontObject + 3) 0 R >>".utf8)),
            (fontObject + 3, Array("<< /Length \(packed.count) /Length1 \(fontFile.count) /Filter /FlateDecode >>\nstream\n".utf8) + packed + Array("\nendstream".utf8)),
            (fontObject + 4, Array("<< /Length \(packedCmap.count) /Filter /FlateDecode >>\nstream\n".utf8) + packedCmap + Array("\nendstream".utf8)),
        ]
    }

    /// Helvetica's advance widths (Adobe's AFM) for ASCII; 556 for anything else.
    static func helveticaWidth(_ scalar: Unicode.Scalar) -> Int {
        let v = Int(scalar.value)
        guard v >= 32, v < 127 else { return 556 }
        return helveticaWidths[v - 32]
    }

    static let helveticaWidths: [Int] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,
        556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,
        1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
        667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,
        333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,
        556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
    ]
}
