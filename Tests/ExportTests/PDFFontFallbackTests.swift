import Foundation
import Testing
@testable import Export

/// Characters the main PDF font lacks: drawn from a fallback face fontconfig finds (a CJK
/// font for Chinese names), or, when no font has them, as a visible substitute with a warning.
@Suite("PDF font fallback")
struct PDFFontFallbackTests {
    static func mainFont() -> TrueTypeFont? {
        FontLookup.trueTypePath(for: "DejaVu Sans").flatMap { try? TrueTypeFont(path: $0) }
    }

    @Test func aCharacterNoFontHasIsASubstituteWithAWarning() throws {
        guard let main = Self.mainFont() else {
            print("skipped: no TrueType font through fc-match")
            return
        }
        let font = PDFFont(trueType: main, fallbacks: { _ in [] })
        let shown = font.show("Wang 王", size: 7)
        #expect(!shown.contains("/F2"))
        #expect(font.missing == ["王"])
        let warning = try #require(font.missingWarning)
        #expect(warning.contains("U+738B") && warning.contains("\u{FFFD}"))
        // Drawn with the main font's replacement character, never glyph 0 or another letter.
        let replacement = main.glyph(for: "\u{FFFD}")
        #expect(replacement != 0 && shown.hasSuffix(PDFFont.hex4(replacement) + "> Tj"))
    }

    @Test func chineseComesFromAFallbackFaceOfACollection() throws {
        guard let main = Self.mainFont() else {
            print("skipped: no TrueType font through fc-match")
            return
        }
        let faces = FontLookup.trueTypeFaces(covering: "王")
        guard let first = faces.first else {
            if ProcessInfo.processInfo.environment["CI"] == "true" { Issue.record("no CJK TrueType font (apt-get install fonts-wqy-zenhei)") }
            print("skipped: no CJK TrueType font through fc-list")
            return
        }
        // A .ttc's faces are told apart by their index.
        if first.path.lowercased().hasSuffix(".ttc") {
            let face = try TrueTypeFont(path: first.path, face: first.index)
            #expect(face.hasGlyph(for: "秀"))
        }
        let font = PDFFont(trueType: main)
        let shown = font.show("Zoë 王秀英", size: 7)
        #expect(shown.hasPrefix("/F1 7 Tf <") && shown.contains("> Tj /F2 7 Tf <"))
        #expect(font.missing.isEmpty && font.missingWarning == nil)
        let (objects, next) = font.objects(startingAt: 10, compress: { Deflater.compress($0, format: .zlib) })
        #expect(next == 20 && objects.count == 10)
        #expect(font.resourceEntries == "/F1 10 0 R /F2 15 0 R")
        let fontFiles = objects.filter { String(decoding: $0.1.prefix(60), as: UTF8.self).contains("/Length1") }
        #expect(fontFiles.count == 2)
    }
}
