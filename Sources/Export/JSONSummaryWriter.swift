import AuditCore
import Foundation

/// A JSON array of summary objects, written incrementally.
///
/// Text is kept whole, but every character a terminal would act on (C0, DEL, C1, bidi
/// controls, U+2028/U+2029, the byte-order mark) is written as a `\u` escape, so the
/// output is safe to print and still parses back to the stored text.
public struct JSONSummaryWriter: SummaryWriter {
    let format: UKDateFormat
    var first = true

    public init(timeZone: TimeZone) {
        format = UKDateFormat(timeZone: timeZone)
    }

    public mutating func begin(into output: inout some TextOutputStream) {
        output.write("[")
    }

    public mutating func write(_ summary: EmailSummary, into output: inout some TextOutputStream) {
        write(summary, extras: SummaryExtras(summary: summary, statusDetail: nil), into: &output)
    }

    public var carriesExtras: Bool { true }

    public mutating func write(_ summary: EmailSummary, extras: SummaryExtras, into output: inout some TextOutputStream) {
        // Keys in sorted order, as before.
        var fields: [(String, String)] = [
            ("activity", Self.quote(summary.activity.displayName)),
            ("created", Self.quote(ISO8601DateFormatter().string(from: summary.createdAt))),
            ("createdLocal", Self.quote(format.dateTime(summary.createdAt))),
            ("id", String(summary.id)),
            ("raisedBy", Self.quote(summary.raisedByName)),
            ("recommendedAction", Self.quote(extras.recommendedAction)),
        ]
        if let code = extras.statusDetail?.code { fields.append(("smtpCode", String(code))) }
        fields += [
            ("status", Self.quote(summary.status.displayName)),
            ("statusCode", Self.quote(extras.code)),
            ("statusMessage", Self.quote(extras.message)),
            ("subject", Self.quote(summary.subject)),
            ("to", Self.quote(summary.to)),
        ]
        let object = "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        output.write((first ? "\n  " : ",\n  ") + object)
        first = false
    }

    public mutating func end(into output: inout some TextOutputStream) {
        output.write(first ? "]\n" : "\n]\n")
    }

    /// A JSON string literal for `text`: quote and backslash escaped, and every scalar
    /// that ``TerminalText/needsNeutralising(_:)`` written as `\u` and four hex digits.
    public static func quote(_ text: String) -> String {
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if TerminalText.needsNeutralising(scalar) {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }

    /// JSON text (from any encoder) with every scalar that ``TerminalText/needsNeutralising(_:)``
    /// outside the layout's newlines written as `\u` and four hex digits. Such scalars can only stand inside
    /// strings, where the escape means the same character, so the JSON is unchanged in meaning.
    public static func escapingControls(_ json: String) -> String {
        var out = ""
        out.reserveCapacity(json.utf8.count)
        for scalar in json.unicodeScalars {
            if scalar != "\n", scalar != "\r", scalar != "\t", TerminalText.needsNeutralising(scalar) {
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            } else {
                out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
