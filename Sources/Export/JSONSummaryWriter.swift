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
    /// The one JSON writer, terminal-safe, reused row after row.
    var json = JSONWriter(capacity: 512, terminalSafe: true)

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
        json.reset()
        // Keys in sorted order, as before.
        json.beginObject()
        json.key("activity"); json.writeString(summary.activity.displayName)
        json.key("created"); json.writeString(ISO8601UTC.string(from: summary.createdAt))
        json.key("createdLocal"); json.writeString(format.dateTime(summary.createdAt))
        json.key("id"); json.writeInt(Int(summary.id))
        json.key("raisedBy"); json.writeString(summary.raisedByName)
        json.key("recommendedAction"); json.writeString(extras.recommendedAction)
        if let original = extras.links.resendOf { json.key("resendOf"); json.writeInt(Int(original)) }
        if !extras.links.resentAs.isEmpty {
            json.key("resentAs")
            json.beginArray()
            for id in extras.links.resentAs { json.element(); json.writeInt(Int(id)) }
            json.endArray()
        }
        if let code = extras.statusDetail?.code { json.key("smtpCode"); json.writeInt(code) }
        json.key("status"); json.writeString(summary.status.displayName)
        json.key("statusCode"); json.writeString(extras.code)
        json.key("statusMessage"); json.writeString(extras.message)
        json.key("subject"); json.writeString(summary.subject)
        json.key("to"); json.writeString(summary.to)
        json.endObject()
        output.write(first ? "\n  " : ",\n  ")
        output.write(json.text)
        first = false
    }

    public mutating func end(into output: inout some TextOutputStream) {
        output.write(first ? "]\n" : "\n]\n")
    }

    /// A JSON string literal for `text`: quote and backslash escaped, and every scalar
    /// that ``TerminalText/needsNeutralising(_:)`` written as `\u` and four hex digits.
    public static func quote(_ text: String) -> String {
        var json = JSONWriter(capacity: text.utf8.count + 2, terminalSafe: true)
        json.writeString(text)
        return json.text
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
