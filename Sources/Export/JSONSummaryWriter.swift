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
        write(summary, extras: SummaryExtras(summary: summary, statusDetail: nil), into: &output)
    }

    public var carriesExtras: Bool { true }

    public mutating func write(_ summary: EmailSummary, extras: SummaryExtras, into output: inout some TextOutputStream) {
        var object: [String: Any] = [
            "id": summary.id,
            "created": ISO8601DateFormatter().string(from: summary.createdAt),
            "createdLocal": format.dateTime(summary.createdAt),
            "to": summary.to,
            "subject": summary.subject,
            "raisedBy": summary.raisedByName,
            "status": summary.status.displayName,
            "activity": summary.activity.displayName,
            "statusCode": extras.code,
            "statusMessage": extras.message,
            "recommendedAction": extras.recommendedAction,
        ]
        if let code = extras.statusDetail?.code { object["smtpCode"] = code }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        output.write((first ? "\n  " : ",\n  ") + String(decoding: data, as: UTF8.self))
        first = false
    }

    public mutating func end(into output: inout some TextOutputStream) {
        output.write(first ? "]\n" : "\n]\n")
    }
}
