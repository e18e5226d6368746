import Foundation

/// A small, strict JSON parser over UTF-8 bytes (RFC 8259).
///
/// Written for throughput on Mailgun event lines; `make bench` measures it against
/// `JSONDecoder` and `JSONSerialization` (figures in docs/benchmark.txt).
/// It is a value type with no shared state, so any number of threads may parse at once.
struct JSONParser {
    /// Why the input is not JSON, and where.
    struct SyntaxError: Error {
        /// 1-based column (byte offset + 1) of the problem.
        var column: Int
        var problem: String
    }

    /// An object member's name: the raw bytes between the quotes when it has no escapes
    /// (the usual case, compared without making a `String`), otherwise the decoded text.
    struct Key {
        var raw: UnsafeBufferPointer<UInt8>
        var decoded: String?

        /// Whether the name is exactly `name`.
        @inline(__always)
        func `is`(_ name: StaticString) -> Bool {
            guard raw.count == name.utf8CodeUnitCount else { return decoded.map { $0 == name.description } ?? false }
            return memcmp(raw.baseAddress!, name.utf8Start, raw.count) == 0
        }

        /// The name as a string.
        var string: String { decoded ?? String(decoding: raw, as: UTF8.self) }
    }

    let bytes: UnsafeBufferPointer<UInt8>
    /// Whether event members only the ingest reads are kept (the others are skipped but
    /// syntax-checked): ``MailgunEventDecoder/Fields/ingest``.
    var keepsIngestFieldsOnly = false
    /// The offset of the next byte to read.
    private(set) var position = 0
    private var depth = 0

    private static let maximumDepth = 128

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// Parses the whole input as one JSON value; only whitespace may follow it.
    mutating func parseDocument() throws(SyntaxError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        try expectEnd()
        return value
    }

    /// Checks that only whitespace is left.
    mutating func expectEnd() throws(SyntaxError) {
        skipWhitespace()
        if position < bytes.count {
            throw fail("unexpected \(describeByte(at: position)) after the end of the JSON value")
        }
    }

    /// The next significant byte (skipping whitespace), or nil at the end of the input.
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return position < bytes.count ? bytes[position] : nil
    }

    // MARK: Streaming

    /// Reads an object member by member: `body` is called with each member's name and must
    /// consume exactly the member's value (with any `parse`/`read`/`skip` method).
    mutating func readObject(_ body: (inout JSONParser, Key) throws(SyntaxError) -> Void) throws(SyntaxError) {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "{") else {
            throw fail(position < bytes.count ? "expected '{', found \(describeByte(at: position))" : "unexpected end of input")
        }
        depth += 1
        guard depth <= Self.maximumDepth else { throw fail("nesting deeper than \(Self.maximumDepth) levels") }
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return
        }
        while true {
            let key = try parseKey()
            skipWhitespace()
            try body(&self, key)
            skipWhitespace()
            guard position < bytes.count else { throw fail("unexpected end of input") }
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: ",") { continue }
            if byte == UInt8(ascii: "}") { break }
            position -= 1
            throw fail("expected ',' or '}', found \(describeByte(at: position))")
        }
        depth -= 1
    }

    /// Reads an array element by element: `body` must consume exactly one element.
    mutating func readArray(_ body: (inout JSONParser) throws(SyntaxError) -> Void) throws(SyntaxError) {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "[") else {
            throw fail(position < bytes.count ? "expected '[', found \(describeByte(at: position))" : "unexpected end of input")
        }
        depth += 1
        guard depth <= Self.maximumDepth else { throw fail("nesting deeper than \(Self.maximumDepth) levels") }
        position += 1
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return
        }
        while true {
            skipWhitespace()
            try body(&self)
            skipWhitespace()
            guard position < bytes.count else { throw fail("unexpected end of input") }
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: ",") { continue }
            if byte == UInt8(ascii: "]") { break }
            position -= 1
            throw fail("expected ',' or ']', found \(describeByte(at: position))")
        }
        depth -= 1
    }

    /// Reads a member name and the ':' after it.
    private mutating func parseKey() throws(SyntaxError) -> Key {
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
            throw fail(position < bytes.count ? "expected a member name, found \(describeByte(at: position))" : "unexpected end of input")
        }
        let start = position + 1
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "\""), bytes[end] != UInt8(ascii: "\\"), bytes[end] >= 0x20 {
            end += 1
        }
        let key: Key
        if end < bytes.count, bytes[end] == UInt8(ascii: "\"") {
            key = Key(raw: UnsafeBufferPointer(rebasing: bytes[start..<end]), decoded: nil)
            position = end + 1
        } else {
            key = Key(raw: UnsafeBufferPointer(rebasing: bytes[start..<start]), decoded: try parseString())
        }
        skipWhitespace()
        guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
            throw fail(position < bytes.count ? "expected ':', found \(describeByte(at: position))" : "unexpected end of input")
        }
        position += 1
        return key
    }

    /// Skips one value of any type, checking its syntax, without building it.
    mutating func skipValue() throws(SyntaxError) {
        skipWhitespace()
        guard position < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): try readObject { parser, _ throws(SyntaxError) in try parser.skipValue() }
        case UInt8(ascii: "["): try readArray { parser throws(SyntaxError) in try parser.skipValue() }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try parseNumber()
        default: throw fail("unexpected \(describeByte(at: position))")
        }
    }

    private mutating func skipString() throws(SyntaxError) {
        let start = position
        position += 1
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return
            }
            if byte == UInt8(ascii: "\\") {
                // Let the full parser validate the escapes.
                position = start
                _ = try parseString()
                return
            }
            if byte < 0x20 { throw fail("control character in a string") }
            position += 1
        }
        throw fail("unterminated string")
    }

    // MARK: Values

    /// Parses one value into a tree (whitespace before it must already be skipped).
    mutating func parseValue() throws(SyntaxError) -> JSONValue {
        skipWhitespace()
        guard position < bytes.count else { throw fail("unexpected end of input") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw fail("unexpected \(describeByte(at: position))")
        }
    }

    private mutating func parseObject() throws(SyntaxError) -> JSONValue {
        depth += 1
        guard depth <= Self.maximumDepth else { throw fail("nesting deeper than \(Self.maximumDepth) levels") }
        position += 1  // {
        var members: [JSONMember] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw fail(position < bytes.count ? "expected a member name, found \(describeByte(at: position))" : "unexpected end of input")
            }
            let key = try parseString()
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw fail(position < bytes.count ? "expected ':', found \(describeByte(at: position))" : "unexpected end of input")
            }
            position += 1
            skipWhitespace()
            let value = try parseValue()
            members.append(JSONMember(key: key, value: value))
            skipWhitespace()
            guard position < bytes.count else { throw fail("unexpected end of input") }
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: ",") { continue }
            if byte == UInt8(ascii: "}") { break }
            position -= 1
            throw fail("expected ',' or '}', found \(describeByte(at: position))")
        }
        depth -= 1
        return .object(members)
    }

    private mutating func parseArray() throws(SyntaxError) -> JSONValue {
        depth += 1
        guard depth <= Self.maximumDepth else { throw fail("nesting deeper than \(Self.maximumDepth) levels") }
        position += 1  // [
        var items: [JSONValue] = []
        skipWhitespace()
        if position < bytes.count, bytes[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array(items)
        }
        while true {
            skipWhitespace()
            items.append(try parseValue())
            skipWhitespace()
            guard position < bytes.count else { throw fail("unexpected end of input") }
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: ",") { continue }
            if byte == UInt8(ascii: "]") { break }
            position -= 1
            throw fail("expected ',' or ']', found \(describeByte(at: position))")
        }
        depth -= 1
        return .array(items)
    }

    // MARK: Strings

    /// Parses a string (the next byte must be its opening quote).
    mutating func parseString() throws(SyntaxError) -> String {
        position += 1  // opening quote
        let start = position
        // Fast path: no escapes.
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") { break }
            if byte < 0x20 { throw fail("control character in a string") }
            position += 1
        }
        guard position < bytes.count else { throw fail("unterminated string") }
        // Slow path: copy what we have, then decode escapes.
        var buffer = Array(UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                position += 1
                guard position < bytes.count else { throw fail("unterminated string") }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""): buffer.append(0x22)
                case UInt8(ascii: "\\"): buffer.append(0x5C)
                case UInt8(ascii: "/"): buffer.append(0x2F)
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try parseHexQuad()
                    if (0xD800...0xDBFF).contains(scalar) {
                        // A high surrogate must be followed by an escaped low surrogate.
                        if position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                            position += 2
                            let low = try parseHexQuad()
                            if (0xDC00...0xDFFF).contains(low) {
                                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                            } else {
                                appendUTF8(0xFFFD, to: &buffer)
                                scalar = low
                            }
                        } else {
                            scalar = 0xFFFD
                        }
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        scalar = 0xFFFD
                    }
                    appendUTF8(scalar, to: &buffer)
                default:
                    position -= 1
                    throw fail("invalid escape \\\(Character(Unicode.Scalar(escape)))")
                }
            default:
                if byte < 0x20 { throw fail("control character in a string") }
                buffer.append(byte)
                position += 1
            }
        }
        throw fail("unterminated string")
    }

    private mutating func parseHexQuad() throws(SyntaxError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw fail("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw fail("invalid \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    private func appendUTF8(_ scalar: UInt32, to buffer: inout [UInt8]) {
        let scalar = Unicode.Scalar(scalar) ?? "\u{FFFD}"
        buffer.append(contentsOf: UTF8.encode(scalar)!)
    }

    // MARK: Numbers

    /// Exact powers of ten representable in a Double (10^0 ... 10^22).
    private static let exactPowersOfTen: [Double] = (0...22).map { exponent in
        var value = 1.0
        for _ in 0..<exponent { value *= 10 }
        return value
    }

    /// Parses a number (the next byte must be its first character).
    mutating func parseNumber() throws(SyntaxError) -> Double {
        let start = position
        var negative = false
        if bytes[position] == UInt8(ascii: "-") {
            negative = true
            position += 1
        }
        var mantissa: UInt64 = 0
        var digitCount = 0
        var fractionDigits = 0
        var exact = true
        // Integer part.
        guard position < bytes.count, isDigit(bytes[position]) else { throw fail("invalid number") }
        if bytes[position] == UInt8(ascii: "0") {
            position += 1
            if position < bytes.count, isDigit(bytes[position]) { throw fail("leading zero in a number") }
        } else {
            while position < bytes.count, isDigit(bytes[position]) {
                accumulate(bytes[position], into: &mantissa, digitCount: &digitCount, exact: &exact)
                position += 1
            }
        }
        // Fraction.
        if position < bytes.count, bytes[position] == UInt8(ascii: ".") {
            position += 1
            guard position < bytes.count, isDigit(bytes[position]) else { throw fail("invalid number") }
            while position < bytes.count, isDigit(bytes[position]) {
                accumulate(bytes[position], into: &mantissa, digitCount: &digitCount, exact: &exact)
                fractionDigits += 1
                position += 1
            }
        }
        // Exponent.
        if position < bytes.count, bytes[position] == UInt8(ascii: "e") || bytes[position] == UInt8(ascii: "E") {
            exact = false
            position += 1
            if position < bytes.count, bytes[position] == UInt8(ascii: "+") || bytes[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < bytes.count, isDigit(bytes[position]) else { throw fail("invalid number") }
            while position < bytes.count, isDigit(bytes[position]) { position += 1 }
        }
        // Clinger's fast path: an exact integer mantissa divided by an exact power of ten is
        // correctly rounded by IEEE division.
        if exact, mantissa <= 1 << 53, fractionDigits <= 22 {
            let value = Double(mantissa) / Self.exactPowersOfTen[fractionDigits]
            return negative ? -value : value
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else { throw fail("number out of range") }
        return value
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private func accumulate(_ byte: UInt8, into mantissa: inout UInt64, digitCount: inout Int, exact: inout Bool) {
        guard exact else { return }
        if digitCount >= 17 {
            exact = false
            return
        }
        mantissa = mantissa * 10 + UInt64(byte - UInt8(ascii: "0"))
        digitCount += 1
    }

    // MARK: Helpers

    private mutating func expectLiteral(_ literal: StaticString) throws(SyntaxError) {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { throw fail("unexpected end of input") }
        let expected = UnsafeBufferPointer(start: literal.utf8Start, count: count)
        for index in 0..<count where bytes[position + index] != expected[index] {
            throw fail("unexpected \(describeByte(at: position))")
        }
        position += count
    }

    mutating func skipWhitespace() {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D: position += 1
            default: return
            }
        }
    }

    func describeByte(at offset: Int) -> String {
        let byte = bytes[offset]
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
    }

    func fail(_ problem: String) -> SyntaxError {
        SyntaxError(column: position + 1, problem: problem)
    }
}
