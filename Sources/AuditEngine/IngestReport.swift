import AuditCore
import Foundation
import Mailgun

/// What one ingest run did.
public struct IngestReport: Sendable, CustomStringConvertible {
    /// How many problems and line numbers a report keeps; the rest are only counted, so a file
    /// of a million bad lines takes no more memory than one of twenty.
    public static let keptProblems = 20

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
    /// The first ``keptProblems`` lines that could not be decoded or were refused, each naming
    /// the line and field.
    public var problems: [MailgunDecodingError] = []
    /// How many lines were malformed or refused in all (``problems`` keeps only the first few).
    public var malformed = 0
    /// Lines holding bytes that are not UTF-8 (each invalid sequence was replaced by U+FFFD).
    public var invalidUTF8Lines = 0
    /// Invalid UTF-8 sequences replaced, over all lines.
    public var invalidUTF8Sequences = 0
    /// The first ``keptProblems`` line numbers with invalid UTF-8.
    public var invalidUTF8LineNumbers: [Int] = []
    /// Wall-clock seconds spent decoding and storing.
    public var seconds: Double = 0

    public init() {}

    public var description: String {
        var text = "\(lines) lines: \(inserted) new events, \(duplicates) already stored, \(ignored) ignored, "
            + "\(createdEmails) emails created from unknown messages, \(statusChanges) status changes"
        if malformed > 0 { text += ", \(malformed) malformed" }
        if invalidUTF8Sequences > 0 {
            let shown = invalidUTF8LineNumbers.map(String.init).joined(separator: ", ")
            let more = invalidUTF8Lines > invalidUTF8LineNumbers.count ? ", …" : ""
            text += ", \(invalidUTF8Sequences) invalid UTF-8 byte sequence\(invalidUTF8Sequences == 1 ? "" : "s") "
                + "replaced by U+FFFD on \(invalidUTF8Lines) line\(invalidUTF8Lines == 1 ? "" : "s") (\(shown)\(more))"
        }
        return text
    }

    /// Counts a malformed or refused line, keeping it when fewer than ``keptProblems`` are kept.
    mutating func record(_ problem: MailgunDecodingError) {
        malformed += 1
        if problems.count < Self.keptProblems { problems.append(problem) }
    }

    /// Counts a line that held `sequences` invalid UTF-8 sequences.
    mutating func recordInvalidUTF8(line: Int, sequences: Int) {
        guard sequences > 0 else { return }
        invalidUTF8Lines += 1
        invalidUTF8Sequences += sequences
        if invalidUTF8LineNumbers.count < Self.keptProblems { invalidUTF8LineNumbers.append(line) }
    }

    /// Counts what one store transaction did (``ApplyResult``).
    mutating func add(_ applied: ApplyResult) {
        inserted += applied.inserted
        duplicates += applied.duplicates
        createdEmails += applied.createdEmails
        statusChanges += applied.statusChanges.count
    }

    /// Adds `other`'s counts and problems to this report (one report for several ingest runs).
    public mutating func merge(_ other: IngestReport) {
        lines += other.lines
        inserted += other.inserted
        duplicates += other.duplicates
        ignored += other.ignored
        createdEmails += other.createdEmails
        statusChanges += other.statusChanges
        malformed += other.malformed
        problems += other.problems.prefix(max(0, Self.keptProblems - problems.count))
        invalidUTF8Lines += other.invalidUTF8Lines
        invalidUTF8Sequences += other.invalidUTF8Sequences
        invalidUTF8LineNumbers += other.invalidUTF8LineNumbers.prefix(max(0, Self.keptProblems - invalidUTF8LineNumbers.count))
        seconds += other.seconds
    }
}
