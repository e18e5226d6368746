import AuditCore
import Foundation

/// The font a PDF's text is set in: an embedded TrueType font (every character the font
/// has, searchable through a ToUnicode map) or, when there is none, the standard Helvetica
/// with text transliterated to ASCII.
final class PDFFont {
    private let trueType: TrueTypeFont?
    /// Glyphs used so far, with the text each stands for (for the ToUnicode map).
    private(set) var used: [UInt16: String] = [:]

    init(trueType: TrueTypeFont?) {
        self.trueType = trueType
    }

    /// Whether the font is embedded (false: Helvetica, ASCII only).
    var isEmbedded: Bool { trueType != nil }

    /// The text as this font can show it: unchanged when embedded, else in ASCII.
    func prepare(_ text: String) -> String {
        guard trueType == nil else { return text }
        return String(ASCIIFallback.text(text).unicodeScalars.map { $0.isASCII && $0.value >= 0x20 ? Character($0) : "?" })
    }

    /// A character's advance in 1000-unit em space.
    @inline(__always)
    private func units(_ scalar: Unicode.Scalar) -> Int {
        if let trueType { return trueType.pdfWidth(of: trueType.glyph(for: scalar)) }
        return Self.helveticaWidth(scalar)
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
        let ellipsis = trueType == nil ? "..." : "…"
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

    /// The PDF string operand for prepared text (hex glyph ids, or an escaped literal).
    func operand(_ text: String) -> String {
        if let trueType {
            var hex: [UInt8] = [0x3C]
            hex.reserveCapacity(text.utf8.count * 4 + 2)
            for scalar in text.unicodeScalars {
                let glyph = trueType.glyph(for: scalar)
                if used[glyph] == nil { used[glyph] = String(scalar) }
                hex.append(Self.hexDigits[Int(glyph >> 12)])
                hex.append(Self.hexDigits[Int((glyph >> 8) & 0xF)])
                hex.append(Self.hexDigits[Int((glyph >> 4) & 0xF)])
                hex.append(Self.hexDigits[Int(glyph & 0xF)])
            }
            hex.append(0x3E)
            return String(decoding: hex, as: UTF8.self)
        }
        var literal = "("
        for scalar in text.unicodeScalars {
            switch scalar {
            case "(", ")", "\\": literal += "\\" + String(scalar)
            default: literal.unicodeScalars.append(scalar)
            }
        }
        return literal + ")"
    }

    static let hexDigits: [UInt8] = Array("0123456789ABCDEF".utf8)

    static func hex4(_ value: UInt16) -> String {
        String(decoding: [hexDigits[Int(value >> 12)], hexDigits[Int((value >> 8) & 0xF)],
                          hexDigits[Int((value >> 4) & 0xF)], hexDigits[Int(value & 0xF)]], as: UTF8.self)
    }

    /// The font objects: the Type0 font at `fontObject` and its parts at the next four
    /// numbers (CID font, descriptor, font file, ToUnicode), or one Helvetica object.
    func objects(fontObject: Int, compress: ([UInt8]) -> [UInt8]) -> [(Int, [UInt8])] {
        guard let trueType else {
            return [(fontObject, Array("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>".utf8))]
        }
        let name = "EAUDIT+" + trueType.postScriptName
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
