import Testing
@testable import AuditCore

/// Transliteration for terminals that can only show ASCII.
@Suite struct ASCIIFallbackTests {
    @Test(arguments: [
        ("Tomasz Wiśniewski", "Tomasz Wisniewski"), ("Zoë Clarke", "Zoe Clarke"), ("Łukasz Nowak", "Lukasz Nowak"),
        ("Siobhán Ó Súilleabháin", "Siobhan O Suilleabhain"), ("Małgorzata Müller", "Malgorzata Muller"),
        ("Straße", "Strasse"), ("GROẞ", "GROSS"), ("Æthelred æsc", "AEthelred aesc"), ("Søren Ødegård", "Soren Odegard"),
        ("Đorđe Đukić", "Dorde Dukic"), ("Œuvre cœur", "OEuvre coeur"), ("Þóra Sigurðardóttir", "Thora Sigurdardottir"),
        ("Nguyễn Thị Ánh", "Nguyen Thi Anh"), ("François Brontë", "Francois Bronte"), ("İstanbul ılık", "Istanbul ilik"),
        ("Dáithí", "Daithi"), ("Chloé", "Chloe"), ("e\u{301}te\u{301}", "ete"), ("ﬁnance ﬂat", "finance flat"),
        ("ＡＢＣ１２３", "ABC123"), ("x²", "x2"), ("½ share", "1/2 share"),
    ])
    func lettersAreTransliterated(original: String, ascii: String) {
        #expect(ASCIIFallback.text(original) == ascii)
    }

    @Test(arguments: [
        ("Loading…", "Loading..."), ("need 60×15, have 50×12", "need 60x15, have 50x12"),
        ("Failure — attempt 2 – retry", "Failure - attempt 2 - retry"), ("“Flat 3” isn’t", "\"Flat 3\" isn't"),
        ("£1,250.00 and €20", "GBP1,250.00 and EUR20"), ("Status: All ▾", "Status: All v"), ("↑↓ more", "^v more"),
        ("Failed · Today", "Failed - Today"), ("✓ ok ✗ bad • item", "OK ok X bad * item"), ("a\u{00A0}b", "a b"),
        ("™ ©", "TM (c)"), ("bob\u{00AD}by", "bobby"),
    ])
    func punctuationHasItsCustomaryForm(original: String, ascii: String) {
        #expect(ASCIIFallback.text(original) == ascii)
    }

    @Test func charactersWithoutAnASCIIFormBecomeOneVisibleQuestionMarkEach() {
        #expect(ASCIIFallback.text("陈伟") == "??")
        #expect(ASCIIFallback.text("年次報告書のお知らせ") == "??????????")
        #expect(ASCIIFallback.text("서울 Block") == "?? Block")
        #expect(ASCIIFallback.text("Ticket 🎉 done") == "Ticket ? done")
        #expect(ASCIIFallback.text("👨‍👩‍👧 👍🏽 🇬🇧") == "? ? ?")
        #expect(ASCIIFallback.text("Ελένη Иван") == "????? ????")
        #expect(ASCIIFallback.text("\u{FFFD}") == "?")
    }

    @Test func invisibleCharactersDisappear() {
        #expect(ASCIIFallback.text("a\u{200D}b\u{FE0F}c\u{200B}") == "abc")
        #expect(ASCIIFallback.text("\u{301}") == "")
        #expect(ASCIIFallback.text("1\u{FE0F}\u{20E3}") == "1")
    }

    @Test func neutralisedControlsReadInCaretNotation() {
        let shown = TerminalText.singleLine("Rent \u{1B}[2J\u{07}x\u{7F}\u{0}")
        #expect(ASCIIFallback.text(shown) == "Rent ^[[2J^Gx^?^@")
    }

    @Test func lineDrawingIsKeptOnlyWhenAsked() {
        #expect(ASCIIFallback.text("┌─┐│├┼┤└┴┘┬") == "+-+|+++++++")
        #expect(ASCIIFallback.text("┌─┐│├┼┤└┴┘┬", keepingLineDrawing: true) == "┌─┐│├┼┤└┴┘┬")
        #expect(ASCIIFallback.text("═║╔", keepingLineDrawing: true) == "=|+")
        #expect(ASCIIFallback.text("Zoë │ ß", keepingLineDrawing: true) == "Zoe │ ss")
    }

    @Test func asciiTextIsUnchanged() {
        let text = "Plain ASCII: ~!@#$%^&*()_+{}|:\"<>?`-=[]\\;',./ 0123456789"
        #expect(ASCIIFallback.text(text) == text)
    }

    /// Every visible character of the scripts staff and leaseholders write in, and of the
    /// symbol blocks, has a non-empty form made of printable ASCII: nothing is ever eaten.
    @Test func everyVisibleCharacterHasAVisibleASCIIForm() {
        let blocks: [ClosedRange<UInt32>] = [
            0x00A0...0x036F, 0x0370...0x052F, 0x0590...0x06FF, 0x0900...0x097F, 0x1E00...0x1FFF, 0x2000...0x2BFF,
            0x3000...0x30FF, 0x4E00...0x4FFF, 0xAC00...0xAD00, 0xFB00...0xFB4F, 0xFF00...0xFFEF, 0x1F300...0x1F6FF,
        ]
        var checked = 0
        var eaten: [String] = []
        for block in blocks {
            for value in block {
                guard let scalar = Unicode.Scalar(value) else { continue }
                switch scalar.properties.generalCategory {
                case .nonspacingMark, .spacingMark, .enclosingMark, .format, .control, .unassigned, .surrogate,
                     .privateUse, .lineSeparator, .paragraphSeparator:
                    continue
                default:
                    break
                }
                let form = ASCIIFallback.form(of: Character(scalar))
                checked += 1
                if form.isEmpty || !form.unicodeScalars.allSatisfy({ $0.value >= 0x20 && $0.value < 0x7F }) {
                    eaten.append("U+\(String(value, radix: 16, uppercase: true)) \(scalar) → \(form.debugDescription)")
                }
            }
        }
        #expect(checked > 5_000)
        #expect(eaten.isEmpty, "\(eaten.count) characters: \(eaten.prefix(20).joined(separator: ", "))")
    }
}
