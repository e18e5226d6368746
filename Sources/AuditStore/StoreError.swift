import Foundation
import GRDB

/// Why the store refused an operation. Every case reads as one clear line.
public enum StoreError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The file is not an email-audit database (another program's SQLite file, or not SQLite at all).
    /// It was left untouched.
    case notAnAuditDatabase(path: String)
    /// The file was written by a newer version of email-audit. It was left untouched.
    case newerSchema(path: String, found: Int, supported: Int)
    /// SQLite reports the file as damaged.
    case corrupt(path: String, underlying: String)
    /// The path names a FIFO, a device or another special file: only a regular file (or a new
    /// path) can be a store. Nothing was opened or created.
    case notARegularFile(path: String)
    /// A read-only open found no file at the path.
    case notFound(path: String)
    /// A read-only open found a store from an older email-audit that must first be upgraded
    /// by a command that writes.
    case olderSchema(path: String)
    /// SQLite reported an I/O error: on a healthy disk, the store's write-ahead log or
    /// shared-memory file (`-wal`, `-shm`) was deleted or replaced while it was in use (for
    /// example deleted while the screen had the store open).
    case journalLost(path: String, underlying: String)
    /// The file or its folder cannot be read or written by this user.
    case permissionDenied(path: String)
    /// The folder for a new database could not be created.
    case cannotCreateFolder(path: String, underlying: String)
    /// No account has this id.
    case unknownAccount(id: Int64)
    /// A user read or acted on an account that is not theirs (or gave no account).
    case accountNotPermitted(user: String, accountID: Int64?)
    /// A user needs the support role for the action.
    case needsSupportRole(user: String, action: String)
    /// There is no user with this id.
    case unknownUser(id: Int64)
    /// The address is not on the account's suppression list.
    case notSuppressed(address: String)
    /// No staff member has this id.
    case unknownStaff(id: Int64)
    /// No block has this id.
    case unknownBlock(id: Int64)
    /// No unit has this id.
    case unknownUnit(id: Int64)
    /// No email has this id.
    case unknownEmail(id: Int64)
    /// A value was rejected before it reached the database.
    case invalidValue(String)
    /// Any other SQLite failure.
    case database(path: String, underlying: String)
    /// Another process held the write lock past the busy timeout; nothing was changed.
    case busy(path: String)
    /// The retention archive could not be opened or written; the emails of the batch being
    /// archived were not deleted (earlier batches were archived, then deleted).
    case archive(path: String, problem: String)

    public var description: String {
        switch self {
        case .notAnAuditDatabase(let path):
            "\(path) is not an email-audit database (another program's file, or not SQLite); it was left untouched."
        case .newerSchema(let path, let found, let supported):
            "\(path) uses database schema version \(found), but this email-audit only knows up to version \(supported); upgrade email-audit. The file was left untouched."
        case .corrupt(let path, let underlying):
            "\(path) is damaged and cannot be read as an email-audit database (\(underlying))."
        case .notARegularFile(let path):
            "\(path) is not a regular file (a FIFO, device or other special file); a store must be a regular file or a new path."
        case .notFound(let path):
            "There is no email-audit database at \(path)."
        case .olderSchema(let path):
            "\(path) was written by an older email-audit and needs upgrading; run a command that writes (such as `email-audit ingest`) once."
        case .journalLost(let path, let underlying):
            "The email-audit database \(path) could not be read or written (\(underlying)): its \(path)-wal or \(path)-shm file was probably deleted or replaced while another process had the store open. Close every email-audit using it (the screen too), then run `email-audit check`; events written since the last checkpoint may need ingesting again."
        case .permissionDenied(let path):
            "Permission denied: cannot read or write the email-audit database \(path)."
        case .cannotCreateFolder(let path, let underlying):
            "Cannot create the folder \(path) for the email-audit database (\(underlying))."
        case .unknownAccount(let id): "There is no account with id \(id)."
        case .accountNotPermitted(let user, let accountID):
            accountID.map { "\(user) may not see account \($0)." } ?? "\(user) must choose an account."
        case .needsSupportRole(let user, let action): "\(user) cannot \(action): it needs the support role."
        case .unknownUser(let id): "There is no user with id \(id)."
        case .notSuppressed(let address): "\(address) is not on the suppression list."
        case .unknownStaff(let id): "There is no staff member with id \(id)."
        case .unknownBlock(let id): "There is no block with id \(id)."
        case .unknownUnit(let id): "There is no unit with id \(id)."
        case .unknownEmail(let id): "There is no email with id \(id)."
        case .invalidValue(let text): "Invalid value: \(text)."
        case .busy(let path):
            "Another process (serve, an ingest or a compact) kept \(path) locked for writing past the 10-second wait; nothing was changed. Try again when it is idle."
        case .database(let path, let underlying):
            "The email-audit database \(path) failed: \(underlying)."
        case .archive(let path, let problem):
            "Cannot use the archive \(path): \(problem). No email was deleted without being archived."
        }
    }

    /// Turns any error thrown while using the database at `path` into a `StoreError`.
    static func wrap(_ error: any Error, path: String) -> StoreError {
        if let store = error as? StoreError { return store }
        if let db = error as? DatabaseError {
            let text = TextSanitiser.oneLine(db.message ?? "\(db.resultCode)")
            switch db.resultCode {
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                return .busy(path: path)
            case .SQLITE_CORRUPT, .SQLITE_NOTADB:
                return .corrupt(path: path, underlying: text)
            case .SQLITE_READONLY, .SQLITE_PERM, .SQLITE_AUTH:
                return .permissionDenied(path: path)
            case .SQLITE_IOERR:
                // On a healthy disk a bare "disk I/O error" from a WAL store almost always means its
                // -wal or -shm file was deleted or replaced while another process had it open (the
                // new process finds frames the shared index promises but the new -wal lacks).
                return .journalLost(path: path, underlying: text)
            case .SQLITE_CANTOPEN:
                let fm = FileManager.default
                return fm.fileExists(atPath: path) && !fm.isReadableFile(atPath: path)
                    ? .permissionDenied(path: path) : .database(path: path, underlying: text)
            default:
                return .database(path: path, underlying: text)
            }
        }
        return .database(path: path, underlying: TextSanitiser.oneLine(String(describing: error)))
    }
}

/// Keeps error text on one line.
enum TextSanitiser {
    static func oneLine(_ text: String) -> String {
        text.split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
