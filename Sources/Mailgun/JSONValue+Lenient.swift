import AuditCore

/// Lenient readings of JSON values (see also `JSONParser+Lenient.swift`): a value of an
/// unexpected type reads as nil instead of failing the event.
extension JSONValue {
    /// A string, or a number/boolean written as text.
    var lenientString: String? {
        switch self {
        case .string(let text): return text
        case .number, .bool: return compactText
        default: return nil
        }
    }

    /// An integer, also from an integral float (`550.0`) or a numeric string (`"550"`).
    var lenientInt: Int? {
        switch self {
        case .number(let number): return Self.exactInt(number)
        case .string(let text):
            let trimmed = text.trimmed
            if let value = Int(trimmed) { return value }
            return Double(trimmed).flatMap(Self.exactInt)
        default: return nil
        }
    }

    /// A finite floating-point number, also from a numeric string.
    var lenientDouble: Double? {
        switch self {
        case .number(let number): return number
        case .string(let text):
            guard let value = Double(text.trimmed), value.isFinite else { return nil }
            return value
        default: return nil
        }
    }

    /// A boolean, also from `"true"`/`"false"`/`"yes"`/`"no"` or the numbers 1 and 0.
    var lenientBool: Bool? {
        switch self {
        case .bool(let flag): return flag
        case .number(let number): return number == 1 ? true : number == 0 ? false : nil
        case .string(let text):
            switch text.trimmed.lowercased() {
            case "true", "yes", "1": return true
            case "false", "no", "0": return false
            default: return nil
            }
        default: return nil
        }
    }

    /// The members of an object, or nil.
    var members: [JSONMember]? {
        if case .object(let members) = self { return members }
        return nil
    }

    /// Compact JSON text of this value (numbers that are integers print without a fraction).
    var compactText: String {
        var writer = JSONWriter()
        writer.write(self)
        return writer.text
    }

    static func exactInt(_ number: Double) -> Int? {
        guard number.isFinite, number == number.rounded(), abs(number) < 9_007_199_254_740_992 else { return nil }
        return Int(number)
    }
}
