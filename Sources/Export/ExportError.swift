import AuditCore
import Foundation

/// Why an export did not produce its file. Every case reads as one line.
public enum ExportError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file exists and replacing it was not asked for.
    case fileExists(String)
    /// The folder is missing or cannot be written, or the path is a folder.
    case unwritable(String, reason: String)
    /// Writing failed part-way (a full disk, an I/O error).
    case writeFailed(String, reason: String)
    /// More rows than a PDF may hold.
    case tooManyRowsForPDF(rows: Int, limit: Int)
    /// The person cancelled.
    case cancelled
    /// The store could not be read.
    case storeFailed(String)

    /// The seed's own sentence for a PDF of more rows than a person can read.
    public static let tooManyResultsSentence = "There are too many results for this search. Please refine your search criteria."

    public var description: String {
        switch self {
        case .fileExists(let path):
            "\(path) already exists; choose another name, or use --force to replace it"
        case .unwritable(let path, let reason):
            "cannot write \(path): \(reason)"
        case .writeFailed(let path, let reason):
            "could not write \(path): \(reason); no file was left"
        case .tooManyRowsForPDF(let rows, let limit):
            "\(Self.tooManyResultsSentence) (\(Count.text(rows)) rows; a PDF holds at most \(Count.text(limit))). Export to Excel or CSV for every row."
        case .cancelled:
            "export cancelled; no file was left"
        case .storeFailed(let reason):
            "could not read the store: \(reason)"
        }
    }
}

