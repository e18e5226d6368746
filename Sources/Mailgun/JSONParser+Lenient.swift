/// Lenient streaming readers for optional fields: a value of an unexpected type is consumed
/// and read as nil instead of failing the event. Syntax errors still throw.
extension JSONParser {
    /// A string, or a number/boolean written as text; nil for null, objects and arrays.
    mutating func readLenientString() throws(SyntaxError) -> String? {
        switch peek() ?? 0 {
        case UInt8(ascii: "\""): return try parseString()
        case UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "n"), 0:
            try skipValue()
            return nil
        default: return try parseValue().lenientString
        }
    }

    /// An integer, also from an integral float or a numeric string.
    mutating func readLenientInt() throws(SyntaxError) -> Int? {
        switch peek() ?? 0 {
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return JSONValue.exactInt(try parseNumber())
        case UInt8(ascii: "\""): return JSONValue.string(try parseString()).lenientInt
        default:
            try skipValue()
            return nil
        }
    }

    /// A finite number, also from a numeric string.
    mutating func readLenientDouble() throws(SyntaxError) -> Double? {
        switch peek() ?? 0 {
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        case UInt8(ascii: "\""): return JSONValue.string(try parseString()).lenientDouble
        default:
            try skipValue()
            return nil
        }
    }

    /// A boolean, also from `"true"`/`"false"`/`"yes"`/`"no"` or 1 and 0.
    mutating func readLenientBool() throws(SyntaxError) -> Bool? {
        switch peek() ?? 0 {
        case UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "\""), UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseValue().lenientBool
        default:
            try skipValue()
            return nil
        }
    }

    /// An array of strings (other items stringified, nulls dropped); a lone string reads as one item.
    mutating func readLenientStringArray() throws(SyntaxError) -> [String]? {
        switch peek() ?? 0 {
        case UInt8(ascii: "["):
            var items: [String] = []
            try readArray { parser throws(SyntaxError) in
                if parser.peek() == UInt8(ascii: "\"") {
                    items.append(try parser.parseString())
                } else {
                    let value = try parser.parseValue()
                    if !value.isNull { items.append(value.lenientString ?? value.compactText) }
                }
            }
            return items
        case UInt8(ascii: "\""): return [try parseString()]
        default:
            try skipValue()
            return nil
        }
    }

    /// Whether the next value is an object (else it is skipped, and the caller leaves its field nil).
    mutating func nextIsObject() throws(SyntaxError) -> Bool {
        if peek() == UInt8(ascii: "{") { return true }
        try skipValue()
        return false
    }
}
