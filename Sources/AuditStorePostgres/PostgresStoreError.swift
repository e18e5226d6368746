import Foundation
import NIOCore
import NIOPosix
import PostgresNIO

/// Why the PostgreSQL store refused or failed an operation. Every case reads as one clear line
/// in the style of the SQLite store's `StoreError`, and names the store by its URL (which never
/// holds a password), never by a password.
public enum PostgresStoreError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The server could not be reached, refused the login, or TLS failed.
    case cannotConnect(location: String, reason: String)
    /// The database holds tables but is not an email-audit store. Nothing was changed.
    case notAnAuditDatabase(location: String)
    /// The store was written by a newer version of email-audit. Nothing was changed.
    case newerSchema(location: String, found: Int, supported: Int)
    /// The server answered a statement with an error (SQLSTATE and its message).
    case server(location: String, sqlState: String, message: String)
    /// The connection was lost or closed while a statement ran.
    case connectionLost(location: String, reason: String)
    /// A transaction was begun inside another one on the same connection.
    case nestedTransaction
    /// No account has this id.
    case unknownAccount(id: Int64)
    /// No staff member has this id.
    case unknownStaff(id: Int64)
    /// No block has this id in the account named.
    case unknownBlock(id: Int64)
    /// No unit has this id in the account named.
    case unknownUnit(id: Int64)
    /// No email has this id in the account named.
    case unknownEmail(id: Int64)
    /// A value was rejected before it reached the database.
    case invalidValue(String)
    /// The signed-in user may not read that account (nil: they must choose one).
    case accountNotPermitted(user: String, accountID: Int64?)
    /// A user needs the support role for the action.
    case needsSupportRole(user: String, action: String)
    /// There is no user with this id.
    case unknownUser(id: Int64)
    /// The address is not on the account's suppression list.
    case notSuppressed(address: String)

    public var description: String {
        switch self {
        case .cannotConnect(let location, let reason):
            "Cannot connect to the PostgreSQL store \(location): \(reason)."
        case .notAnAuditDatabase(let location):
            "\(location) is not an email-audit database (it holds other tables); it was left untouched."
        case .newerSchema(let location, let found, let supported):
            "\(location) uses database schema version \(found), but this email-audit only knows up to version \(supported); upgrade email-audit. The database was left untouched."
        case .server(let location, let sqlState, let message):
            "The PostgreSQL store \(location) failed: \(message) (SQLSTATE \(sqlState))."
        case .connectionLost(let location, let reason):
            "The connection to the PostgreSQL store \(location) was lost: \(reason)."
        case .nestedTransaction:
            "A PostgreSQL transaction was begun inside another on the same connection."
        // The same words as the SQLite store's StoreError, so both backends read alike.
        case .unknownAccount(let id): "There is no account with id \(id)."
        case .unknownStaff(let id): "There is no staff member with id \(id)."
        case .unknownBlock(let id): "There is no block with id \(id)."
        case .unknownUnit(let id): "There is no unit with id \(id)."
        case .unknownEmail(let id): "There is no email with id \(id)."
        case .invalidValue(let text): "Invalid value: \(text)."
        case .accountNotPermitted(let user, let accountID):
            accountID.map { "\(user) may not see account \($0)." } ?? "\(user) must choose an account."
        case .needsSupportRole(let user, let action): "\(user) cannot \(action): it needs the support role."
        case .unknownUser(let id): "There is no user with id \(id)."
        case .notSuppressed(let address): "\(address) is not on the suppression list."
        }
    }

    /// The SQLSTATE of a ``server(location:sqlState:message:)`` error, else nil.
    public var sqlState: String? {
        if case .server(_, let state, _) = self { return state }
        return nil
    }

    /// Turns an error from PostgresNIO (or anything else) into a store error, on one line,
    /// without control characters (server messages can quote stored text).
    static func wrap(_ error: any Error, location: String, connecting: Bool = false) -> PostgresStoreError {
        if let store = error as? PostgresStoreError { return store }
        if let psql = error as? PSQLError {
            if let info = psql.serverInfo, let state = info[.sqlState] {
                let message = oneLine(info[.message] ?? "error") + (info[.detail].map { ": " + oneLine($0) } ?? "")
                return connecting ? .cannotConnect(location: location, reason: "\(message) (SQLSTATE \(state))")
                                  : .server(location: location, sqlState: state, message: message)
            }
            let reason = describe(psql)
            return connecting ? .cannotConnect(location: location, reason: reason) : .connectionLost(location: location, reason: reason)
        }
        let reason = systemReason(error) ?? oneLine(String(describing: error))
        return connecting ? .cannotConnect(location: location, reason: reason) : .connectionLost(location: location, reason: reason)
    }

    /// A system call's failure (no socket file there, connection refused, ...) as the system
    /// words it with its errno: NIO's own description names the call and leaves a parenthesis
    /// unbalanced ("connect(descriptor:addr:size:): No such file or directory) (errno: 2)").
    /// A host's connection attempts (NIO's `NIOConnectionError`) as their reasons, each once.
    private static func systemReason(_ error: any Error) -> String? {
        if let io = error as? IOError { return "\(String(cString: strerror(io.errnoCode))) (errno \(io.errnoCode))" }
        guard let attempts = error as? NIOConnectionError else { return nil }
        var reasons: [String] = []
        for failure in attempts.connectionErrors {
            let reason = systemReason(failure.error) ?? oneLine(String(describing: failure.error))
            if !reasons.contains(reason) { reasons.append(reason) }
        }
        if reasons.isEmpty, attempts.dnsAError != nil || attempts.dnsAAAAError != nil {
            return "the host name \(attempts.host) does not resolve"
        }
        return reasons.isEmpty ? nil : reasons.joined(separator: "; ")
    }

    /// PSQLError's description hides everything ("Generic description to prevent accidental
    /// leakage"); this names the code and the underlying error, which hold no secrets.
    private static func describe(_ error: PSQLError) -> String {
        switch error.code {
        case .sslUnsupported: return "the server does not support TLS (sslmode asks for it)"
        case .authMechanismRequiresPassword:
            return "the server asks for a password and none was found (see ~/.pgpass, PGPASSFILE or \(PostgresPassword.fileVariable))"
        case .unsupportedAuthMechanism: return "the server asks for an authentication method email-audit does not support"
        case .serverClosedConnection: return "the server closed the connection"
        case .clientClosedConnection: return "the connection was already closed"
        default:
            if let underlying = error.underlying { return systemReason(underlying) ?? oneLine(String(describing: underlying)) }
            return "\(error.code)"
        }
    }

    static func oneLine(_ text: String) -> String {
        String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? " " : Character($0) })
    }
}
