import AuditCore
import Foundation
import Mailgun

/// What one ingest run did.
public struct IngestReport: Sendable, CustomStringConvertible {
    /// Non-blank lines read.
    public var lines = 0
    /// Events stored for the first time.
    public var inserted = 0
    /// Events already in the store (ingesting the same file twice changes nothing).
    public var duplicates = 0
    /// Events that do not concern an outgoing email (for example inbound `stored`).
    public var ignored = 0
    /// Emails created for messages the store had never recorded.
    public var createdEmails = 0
    /// Emails whose status changed.
    public var statusChanges = 0
    /// Lines that could not be decoded, each naming the line and field.
    public var problems: [MailgunDecodingError] = []
    /// Wall-clock seconds spent decoding and storing.
    public var seconds: Double = 0

    public init() {}

    public var description: String {
        var text = "\(lines) lines: \(inserted) new events, \(duplicates) already stored, \(ignored) ignored, "
            + "\(createdEmails) emails created from unknown messages, \(statusChanges) status changes"
        if !problems.isEmpty { text += ", \(problems.count) malformed" }
        return text
    }

    mutating func merge(_ other: IngestReport) {
        lines += other.lines
        inserted += other.inserted
        duplicates += other.duplicates
        ignored += other.ignored
        createdEmails += other.createdEmails
        statusChanges += other.statusChanges
        problems += other.problems
        seconds += other.seconds
    }
}
