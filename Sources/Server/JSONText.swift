import Foundation

/// Small JSON answers written without Foundation's encoder (stable key order, no escaping surprises).
enum JSONText {
    indirect enum Value {
        case string(String)
        case int(Int64)
        case bool(Bool)
        case members([(String, Value)])
    }

    static func object(_ members: KeyValuePairs<String, Value>) -> String {
        render(.members(members.map { ($0.key, $0.value) }))
    }

    static func render(_ value: Value) -> String {
        switch value {
        case .string(let text): quoted(text)
        case .int(let number): String(number)
        case .bool(let flag): flag ? "true" : "false"
        case .members(let members): "{" + members.map { quoted($0.0) + ": " + render($0.1) }.joined(separator: ", ") + "}"
        }
    }

    static func quoted(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F || (0x80..<0xA0).contains(scalar.value) || scalar.value == 0x2028 || scalar.value == 0x2029 {
                    out += String(format: "\\u%04x", scalar.value)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}

extension JSONText.Value {
    static func object(_ members: KeyValuePairs<String, JSONText.Value>) -> JSONText.Value {
        .members(members.map { ($0.key, $0.value) })
    }
}
