import AuditCore
import Demo
import Foundation
import Testing
@testable import Mailgun

/// The module's own JSON parser against Foundation's `JSONSerialization` on valid documents:
/// seeded random documents with every number form, escapes (surrogate pairs included), raw
/// UTF-8, nesting and whitespace; both must read the same value.
@Suite("JSON parser differential")
struct JSONParserDifferentialTests {
    struct Generator {
        var random: SeededRandom

        mutating func whitespace() -> String {
            [" ", "", "", "\n", "\t", "\r\n  "].randomElement(using: &random)!
        }

        mutating func number() -> String {
            switch Int.random(in: 0..<8, using: &random) {
            case 0: return String(Int.random(in: -1_000...1_000, using: &random))
            case 1: return String(Int64.random(in: -(1 << 53)...(1 << 53), using: &random))
            case 2: return "\(Int.random(in: -99_999...99_999, using: &random)).\(String(Int.random(in: 0...999_999_999, using: &random)))"
            case 3: return "\(Int.random(in: 1...9, using: &random)).\(Int.random(in: 0...99, using: &random))e\(["", "+", "-"].randomElement(using: &random)!)\(Int.random(in: 0...300, using: &random))"
            case 4: return ["0", "-0", "0.0", "1E2", "1e-7", "123456789012345678", "0.1", "0.30000000000000004"].randomElement(using: &random)!
            case 5: return "1741947302.\(String(format: "%06d", Int.random(in: 0...999_999, using: &random)))"
            case 6: return String(Double.random(in: -1e6...1e6, using: &random))
            default: return "\(Int.random(in: 1...9, using: &random))\(String(repeating: "1", count: Int.random(in: 0...15, using: &random)))"
            }
        }

        mutating func string() -> String {
            var out = "\""
            for _ in 0..<Int.random(in: 0...12, using: &random) {
                switch Int.random(in: 0..<10, using: &random) {
                case 0: out += ["\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t"].randomElement(using: &random)!
                case 1: out += String(format: "\\u%04x", Int.random(in: 0x20...0xD7FF, using: &random))
                case 2:  // a surrogate pair, escaped
                    let scalar = Int.random(in: 0x10000...0x10FFFF, using: &random) - 0x10000
                    out += String(format: "\\ud%03x\\ud%03x", 0x800 + (scalar >> 10), 0xC00 + (scalar & 0x3FF))
                case 3: out += ["é", "Ł", "😀", "👩‍👩‍👧", "中", "\u{0301}", "\u{202E}"].randomElement(using: &random)!
                case 4: out += String(format: "\\u%04X", Int.random(in: 0...0x1F, using: &random))
                default: out += String(UnicodeScalar(UInt8.random(in: 0x20...0x7E, using: &random)))
                    .replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                }
            }
            return out + "\""
        }

        mutating func value(depth: Int) -> String {
            let choice = depth > 5 ? Int.random(in: 0..<4, using: &random) : Int.random(in: 0..<6, using: &random)
            switch choice {
            case 0: return ["null", "true", "false"].randomElement(using: &random)!
            case 1, 2: return number()
            case 3: return string()
            case 4:
                let items = (0..<Int.random(in: 0...5, using: &random)).map { _ in whitespace() + value(depth: depth + 1) + whitespace() }
                return "[" + items.joined(separator: ",") + "]"
            default:
                var seen: Set<String> = []
                var members: [String] = []
                for index in 0..<Int.random(in: 0...6, using: &random) {
                    let key = string().dropLast() + "_\(index)\""  // unique keys
                    guard seen.insert(String(key)).inserted else { continue }
                    members.append(whitespace() + key + whitespace() + ":" + whitespace() + value(depth: depth + 1) + whitespace())
                }
                return "{" + members.joined(separator: ",") + "}"
            }
        }
    }

    /// Whether the parser's value and Foundation's agree.
    static func same(_ ours: JSONValue, _ theirs: Any) -> Bool {
        switch ours {
        case .null: return theirs is NSNull
        case .bool(let flag):
            // Foundation on Linux gives booleans as NSNumber 0 and 1.
            if let value = theirs as? Bool { return value == flag }
            return (theirs as? NSNumber).map { $0.boolValue == flag && ($0.intValue == 0 || $0.intValue == 1) } ?? false
        case .number(let number):
            // Foundation keeps long decimals as NSDecimalNumber, whose doubleValue is not
            // correctly rounded: read its exact decimal text instead.
            let other: Double?
            if let decimal = theirs as? NSDecimalNumber, !(type(of: decimal) == NSNumber.self) {
                other = Double(decimal.stringValue)
            } else {
                other = (theirs as? NSNumber)?.doubleValue
            }
            guard let other else { return false }
            return number == other
        case .string(let text): return (theirs as? String) == text
        case .array(let items):
            guard let others = theirs as? [Any], others.count == items.count else { return false }
            return zip(items, others).allSatisfy { same($0, $1) }
        case .object(let members):
            guard let others = theirs as? [String: Any], others.count == members.count else { return false }
            return members.allSatisfy { member in others[member.key].map { same(member.value, $0) } ?? false }
        }
    }

    @Test func theParserReadsEveryValidDocumentLikeJSONSerialization() throws {
        var generator = Generator(random: SeededRandom(seed: 77))
        var compared = 0
        for _ in 0..<3_000 {
            let text = generator.whitespace() + generator.value(depth: 0) + generator.whitespace()
            let data = Data(text.utf8)
            let theirs = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            var bytes = Array(data)
            let ours: JSONValue = try bytes.withUnsafeMutableBufferPointer { buffer in
                var parser = JSONParser(bytes: UnsafeBufferPointer(buffer))
                return try parser.parseDocument()
            }
            #expect(Self.same(ours, theirs), "\(text)")
            // Skipping a value consumes exactly what parsing does.
            var skipBytes = Array(("[" + text + ",1]").utf8)
            let skipped: Bool = skipBytes.withUnsafeMutableBufferPointer { buffer in
                var parser = JSONParser(bytes: UnsafeBufferPointer(buffer))
                var count = 0
                do {
                    try parser.readArray { (parser: inout JSONParser) throws(JSONParser.SyntaxError) in
                        if count == 0 { try parser.skipValue() } else { _ = try parser.parseValue() }
                        count += 1
                    }
                    try parser.expectEnd()
                    return count == 2
                } catch {
                    return false
                }
            }
            #expect(skipped, "skip: \(text)")
            compared += 1
        }
        #expect(compared == 3_000)
    }
}
