/// Writes compact JSON into a byte buffer, deterministically: the project's one JSON writer
/// (Mailgun event lines, stored status details and lists, `query --format json`).
///
/// Callers write object members in sorted key order themselves; the writer only handles
/// separators, escaping and number formatting. Strings are written as UTF-8 with only
/// `"`, `\` and control characters escaped (`/` and non-ASCII are written as is); a writer made
/// with `terminalSafe: true` also escapes, as `\u` and four hex digits, every scalar that
/// ``TerminalText/needsNeutralising(_:)`` (DEL, C1, bidi controls, U+2028/U+2029, the BOM), so its
/// output can be printed and still parses back to the same text. Writing cannot fail: every
/// Swift string is valid UTF-8 and non-finite numbers are written as `null`.
public struct JSONWriter: Sendable {
    /// The UTF-8 JSON written so far.
    public var bytes: [UInt8] = []
    /// One entry per open object or array: whether the next member is its first.
    @usableFromInline var isFirst: [Bool] = []
    /// Whether strings also escape what a terminal would act on.
    @usableFromInline let terminalSafe: Bool

    /// A writer whose buffer has room for `capacity` bytes; `terminalSafe` as described above.
    public init(capacity: Int = 0, terminalSafe: Bool = false) {
        self.terminalSafe = terminalSafe
        bytes.reserveCapacity(capacity)
    }

    /// The JSON written so far.
    public var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Empties the buffer (keeping its capacity) for the next document.
    public mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        isFirst.removeAll(keepingCapacity: true)
    }

    // MARK: Structure

    /// Opens an object (`{`).
    @inlinable public mutating func beginObject() {
        bytes.append(UInt8(ascii: "{"))
        isFirst.append(true)
    }

    /// Closes the innermost object (`}`).
    @inlinable public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        isFirst.removeLast()
    }

    /// Opens an array (`[`).
    @inlinable public mutating func beginArray() {
        bytes.append(UInt8(ascii: "["))
        isFirst.append(true)
    }

    /// Closes the innermost array (`]`).
    @inlinable public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        isFirst.removeLast()
    }

    /// Writes the separator (if needed) and `"name":` for the next object member.
    @inlinable public mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
    }

    /// Writes the separator (if needed) and `"name":` for a member whose name is only known at run time.
    @inlinable public mutating func key(_ name: String) {
        separate()
        writeString(name)
        bytes.append(UInt8(ascii: ":"))
    }

    /// Writes the separator (if needed) before the next array element.
    @inlinable public mutating func element() {
        separate()
    }

    @inlinable mutating func separate() {
        if let last = isFirst.indices.last {
            if isFirst[last] {
                isFirst[last] = false
            } else {
                bytes.append(UInt8(ascii: ","))
            }
        }
    }

    // MARK: Scalars

    /// Writes `text` as it is (a literal such as `null` or `true`).
    @inlinable public mutating func writeRaw(_ text: StaticString) {
        bytes.append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Writes `true` or `false`.
    @inlinable public mutating func writeBool(_ flag: Bool) {
        writeRaw(flag ? "true" : "false")
    }

    /// Writes an integer in decimal.
    @inlinable public mutating func writeInt(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
    }

    /// Writes a floating-point value in Swift's shortest round-tripping form (`0.0`, `0.84`);
    /// non-finite values become `null`.
    @inlinable public mutating func writeDouble(_ value: Double) {
        guard value.isFinite else {
            writeRaw("null")
            return
        }
        bytes.append(contentsOf: value.description.utf8)
    }

    /// Writes a number as an integer when it is one, otherwise like ``writeDouble(_:)``.
    @inlinable public mutating func writeNumber(_ value: Double) {
        if value.isFinite, value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            writeInt(Int(value))
        } else {
            writeDouble(value)
        }
    }

    /// Writes epoch seconds with exactly six decimals (microseconds), e.g. `1741947302.417863`.
    @inlinable public mutating func writeTimestamp(_ seconds: Double) {
        guard seconds.isFinite, abs(seconds) < 9e12 else {
            writeDouble(seconds)
            return
        }
        let micros = Int((seconds * 1_000_000).rounded())
        let negative = micros < 0
        let magnitude = micros.magnitude
        if negative { bytes.append(UInt8(ascii: "-")) }
        writeInt(Int(magnitude / 1_000_000))
        bytes.append(UInt8(ascii: "."))
        var fraction = Int(magnitude % 1_000_000)
        var divisor = 100_000
        for _ in 0..<6 {
            bytes.append(UInt8(ascii: "0") + UInt8(fraction / divisor))
            fraction %= divisor
            divisor /= 10
        }
    }

    /// Writes a JSON string literal with the minimal escaping (or the terminal-safe one).
    @inlinable public mutating func writeString(_ text: String) {
        if terminalSafe, !TerminalText.isClean(text) {
            writeTerminalSafeString(text)
            return
        }
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                if runStart < index {
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                }
                runStart = index + 1
                bytes.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""): bytes.append(UInt8(ascii: "\""))
                case UInt8(ascii: "\\"): bytes.append(UInt8(ascii: "\\"))
                case 0x0A: bytes.append(UInt8(ascii: "n"))
                case 0x0D: bytes.append(UInt8(ascii: "r"))
                case 0x09: bytes.append(UInt8(ascii: "t"))
                case 0x08: bytes.append(UInt8(ascii: "b"))
                case 0x0C: bytes.append(UInt8(ascii: "f"))
                default:
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                              hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
                }
            }
            if runStart < utf8.count {
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<utf8.count]))
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// The slow path of ``writeString(_:)`` for text holding a scalar a terminal would act on.
    @usableFromInline mutating func writeTerminalSafeString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": writeRaw("\\\"")
            case "\\": writeRaw("\\\\")
            case "\n": writeRaw("\\n")
            case "\r": writeRaw("\\r")
            case "\t": writeRaw("\\t")
            default:
                if TerminalText.needsNeutralising(scalar) {
                    // Every such scalar is in the Basic Multilingual Plane: one \u escape.
                    let hex: [UInt8] = Array("0123456789abcdef".utf8)
                    let value = Int(scalar.value)
                    bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), hex[(value >> 12) & 0xF],
                                              hex[(value >> 8) & 0xF], hex[(value >> 4) & 0xF], hex[value & 0xF]])
                } else {
                    bytes.append(contentsOf: String(scalar).utf8)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
