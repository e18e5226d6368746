import AuditCore
import Foundation

/// A JSON array of summary objects, written incrementally.
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
        let object: [String: Any] = [
            "id": summary.id,
            "created": ISO8601DateFormatter().string(from: summary.createdAt),
            "createdLocal": format.dateTime(summary.createdAt),
            "to": summary.to,
            "subject": summary.subject,
            "raisedBy": summary.raisedByName,
            "status": summary.status.displayName,
            "activity": summary.activity.displayName,
        ]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        output.write((first ? "\n  " : ",\n  ") + String(decoding: data, as: UTF8.self))
        first = false
    }

    public mutating func end(into output: inout some TextOutputStream) {
        output.write(first ? "]\n" : "\n]\n")
    }
}
