import Foundation

/// Text for terminals that can only show ASCII (a `C`, `POSIX` or other non-UTF-8 locale,
/// or `--ascii`).
///
/// Letters are transliterated (ś → s, ë → e, ß → ss, Ł → L, æ → ae, ø → o, đ → d):
/// Unicode compatibility decomposition with the combining marks dropped handles most of
/// them, and a table handles the letters decomposition leaves alone. Punctuation gets its
/// usual ASCII spelling ("…" → "...", "×" → "x", "—" → "-", "£" → "GBP"), the control
/// pictures used to neutralise control characters become caret notation (␛ → `^[`), and a
/// character with no ASCII form becomes one visible `?`, never nothing. Invisible
/// characters (combining marks, joiners, variation selectors) disappear.
///
/// The result can be longer than the input (ß → ss, … → ...), so measure and cut the
/// fallback text, never the original.
public enum ASCIIFallback {
    /// Shown for a character with no ASCII form.
    public static let unknown = "?"

    /// The ASCII form of `text`.
    ///
    /// - Parameter keepingLineDrawing: keep the light box-drawing characters (─ │ ┌ ┐ └ ┘
    ///   ├ ┤ ┬ ┴ ┼) for a caller that draws them another way (the curses alternate character
    ///   set); every other character is ASCII in the result.
    public static func text(_ text: String, keepingLineDrawing: Bool = false) -> String {
        if text.utf8.allSatisfy({ $0 < 0x80 }) { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count)
        for character in text {
            result += form(of: character, keepingLineDrawing: keepingLineDrawing)
        }
        return result
    }

    /// The ASCII form of one grapheme cluster: "" for an invisible one, `?` for one with no
    /// ASCII form.
    public static func form(of character: Character, keepingLineDrawing: Bool = false) -> String {
        if character.isASCII { return String(character) }
        var result = ""
        var unknownScalar = false
        for scalar in character.unicodeScalars {
            let value = scalar.value
            if value < 0x80 {
                result.unicodeScalars.append(scalar)
            } else if keepingLineDrawing, isLineDrawing(scalar) {
                result.unicodeScalars.append(scalar)
            } else if let mapped = table[value] {
                result += mapped
            } else if isInvisible(scalar) {
                continue
            } else {
                unknownScalar = true
            }
        }
        return unknownScalar ? unknown : result
    }

    /// Whether the scalar is one of the light box-drawing characters kept by
    /// `keepingLineDrawing` (each has a curses alternate-character-set equivalent).
    public static func isLineDrawing(_ scalar: Unicode.Scalar) -> Bool {
        lineDrawing.contains(scalar.value)
    }

    /// ─ │ ┌ ┐ └ ┘ ├ ┤ ┬ ┴ ┼
    static let lineDrawing: Set<UInt32> = [0x2500, 0x2502, 0x250C, 0x2510, 0x2514, 0x2518, 0x251C, 0x2524, 0x252C,
                                           0x2534, 0x253C]

    /// Combining marks, joiners, variation selectors and other characters that take no room.
    static func isInvisible(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark, .format: return true
        default: return false
        }
    }

    /// Spellings decomposition does not give: letters without a decomposition, and
    /// punctuation, symbols and line drawing with a customary ASCII form.
    static let overrides: [UInt32: String] = {
        var map: [UInt32: String] = [
            // Letters that do not decompose.
            0x00DF: "ss", 0x1E9E: "SS", 0x00C6: "AE", 0x00E6: "ae", 0x00D8: "O", 0x00F8: "o", 0x0141: "L", 0x0142: "l",
            0x0110: "D", 0x0111: "d", 0x00D0: "D", 0x00F0: "d", 0x00DE: "Th", 0x00FE: "th", 0x0152: "OE", 0x0153: "oe",
            0x0131: "i", 0x0237: "j", 0x0126: "H", 0x0127: "h", 0x0166: "T", 0x0167: "t", 0x014A: "N", 0x014B: "n",
            0x0138: "k", 0x0192: "f", 0x018F: "E", 0x0259: "e", 0x0190: "E", 0x025B: "e", 0x0186: "O", 0x0254: "o",
            0x0197: "I", 0x0268: "i", 0x0244: "U", 0x0289: "u", 0x01B5: "Z", 0x01B6: "z", 0x0181: "B", 0x0253: "b",
            0x018A: "D", 0x0257: "d", 0x0198: "K", 0x0199: "k", 0x01B3: "Y", 0x01B4: "y", 0x018E: "E", 0x01DD: "e",
            0x01B7: "Z", 0x0292: "z", 0x019F: "O", 0x0275: "o", 0x0180: "b", 0x0188: "c", 0x0187: "C", 0x01A4: "P",
            0x01A5: "p", 0x01AC: "T", 0x01AD: "t", 0x01AE: "T", 0x0288: "t", 0x0246: "E", 0x0247: "e", 0x024C: "R",
            0x024D: "r", 0x024E: "Y", 0x024F: "y", 0x0223: "ou", 0x0222: "OU", 0x01A2: "OI", 0x01A3: "oi",
            // Apostrophes, quotes, dashes, spaces.
            0x2018: "'", 0x2019: "'", 0x201A: "'", 0x201B: "'", 0x2032: "'", 0x2035: "'", 0x00B4: "'", 0x02B9: "'",
            0x02BB: "'", 0x02BC: "'", 0x02BD: "'", 0x02C8: "'", 0x201C: "\"", 0x201D: "\"", 0x201E: "\"",
            0x201F: "\"", 0x2033: "\"", 0x00AB: "<<", 0x00BB: ">>", 0x2039: "<", 0x203A: ">", 0x2010: "-",
            0x2011: "-", 0x2012: "-", 0x2013: "-", 0x2014: "-", 0x2015: "-", 0x2212: "-", 0x2043: "-", 0x00AD: "",
            0x2026: "...", 0x2044: "/", 0x2215: "/", 0x00A0: " ", 0x2007: " ", 0x202F: " ", 0x3000: " ",
            0x00A8: "\"", 0x00AF: "-", 0x00B8: ",",
            // Symbols.
            0x00D7: "x", 0x00F7: "/", 0x00B7: "-", 0x2022: "*", 0x2023: ">", 0x2027: "-", 0x2219: "-", 0x25E6: "o",
            0x00A3: "GBP", 0x20AC: "EUR", 0x00A5: "JPY", 0x00A2: "c", 0x00A9: "(c)", 0x00AE: "(R)", 0x00B0: "deg",
            0x00B1: "+/-", 0x00B5: "u", 0x00A1: "!", 0x00BF: "?", 0x00A6: "|", 0x00A7: "S.", 0x00B6: "P.",
            0x00AC: "!", 0x2030: "%o", 0x2116: "No", 0x2122: "TM",
            // Arrows, marks and triangles the screens use.
            0x2190: "<-", 0x2192: "->", 0x2191: "^", 0x2193: "v", 0x2194: "<->", 0x2195: "^v", 0x21D0: "<=",
            0x21D2: "=>", 0x25BE: "v", 0x25BC: "v", 0x25B4: "^", 0x25B2: "^", 0x25B8: ">", 0x25B6: ">", 0x25BA: ">",
            0x25C2: "<", 0x25C0: "<", 0x25C4: "<", 0x2713: "OK", 0x2714: "OK", 0x2705: "OK", 0x2717: "X", 0x2718: "X",
            0x2715: "X", 0x2716: "X", 0x274C: "X", 0x2605: "*", 0x2606: "*", 0x258F: "|", 0x2595: "|", 0x2588: "#",
            0x2591: "#", 0x2592: "#", 0x2593: "#",
            // Stand-ins for neutralised control characters (TerminalText).
            0xFFFD: "?", 0x2421: "^?",
        ]
        // Control pictures ␀…␟ (what TerminalText shows for C0 controls) in caret notation.
        for value in UInt32(0x2400)...0x241F {
            map[value] = "^" + String(Character(Unicode.Scalar(value - 0x2400 + 0x40)!))
        }
        // Box drawing: mostly horizontal lines become "-", vertical "|", double "=", the rest "+".
        for value in UInt32(0x2500)...0x257F {
            switch value {
            case 0x2500, 0x2501, 0x2504, 0x2505, 0x2508, 0x2509, 0x254C, 0x254D, 0x2574, 0x2576, 0x2578, 0x257A,
                 0x257C, 0x257E:
                map[value] = "-"
            case 0x2502, 0x2503, 0x2506, 0x2507, 0x250A, 0x250B, 0x254E, 0x254F, 0x2551, 0x2575, 0x2577, 0x2579,
                 0x257B, 0x257D, 0x257F:
                map[value] = "|"
            case 0x2550:
                map[value] = "="
            default:
                map[value] = "+"
            }
        }
        return map
    }()

    /// Every non-ASCII scalar with an ASCII form: the overrides, plus what compatibility
    /// decomposition (NFKD) without combining marks gives for Latin letters, punctuation,
    /// number forms, enclosed alphanumerics, ligatures and full-width forms.
    static let table: [UInt32: String] = {
        var map = overrides
        let ranges: [ClosedRange<UInt32>] = [
            0x00A0...0x024F, 0x0250...0x02FF, 0x1D00...0x1DBF, 0x1E00...0x1EFF, 0x2000...0x218F,
            0x2460...0x24FF, 0x2C60...0x2C7F, 0xA720...0xA7FF, 0xFB00...0xFB06, 0xFF01...0xFF5E,
        ]
        for range in ranges {
            for value in range where map[value] == nil {
                guard let scalar = Unicode.Scalar(value) else { continue }
                let decomposed = String(scalar).decomposedStringWithCompatibilityMapping
                guard !decomposed.unicodeScalars.elementsEqual([scalar]) else { continue }
                var ascii = ""
                var complete = true
                for part in decomposed.unicodeScalars {
                    if part.value >= 0x20, part.value < 0x7F {
                        ascii.unicodeScalars.append(part)
                    } else if let mapped = overrides[part.value] {
                        ascii += mapped
                    } else if isInvisible(part) {
                        continue
                    } else {
                        complete = false
                        break
                    }
                }
                if complete, !ascii.isEmpty { map[value] = ascii }
            }
        }
        return map
    }()
}
