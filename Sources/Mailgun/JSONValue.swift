import AuditCore

/// A parsed JSON value. Objects keep their members in the order received.
///
/// Internal to the module: the public surface is ``MailgunEvent`` and friends.
enum JSONValue {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([JSONMember])

    /// The value of the last member named `key`, when this is an object.
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        var found: JSONValue?
        for member in members where member.key == key { found = member.value }
        return found
    }

    /// A short, human-readable rendering for error messages (compact JSON, cut at 40 characters).
    var snippet: String {
        var writer = JSONWriter()
        writer.write(self)
        let text = writer.text
        guard text.count > 40 else { return text }
        return String(text.prefix(37)) + "..."
    }

    /// The name of the JSON type, for error messages.
    var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

/// One member of a JSON object.
struct JSONMember {
    var key: String
    var value: JSONValue
}

extension JSONWriter {
    /// Writes any JSON value compactly, keeping object members in their order.
    mutating func write(_ value: JSONValue) {
        switch value {
        case .null: writeRaw("null")
        case .bool(let flag): writeRaw(flag ? "true" : "false")
        case .number(let number): writeNumber(number)
        case .string(let text): writeString(text)
        case .array(let items):
            bytes.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                write(item)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                writeString(member.key)
                bytes.append(UInt8(ascii: ":"))
                write(member.value)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }
}
