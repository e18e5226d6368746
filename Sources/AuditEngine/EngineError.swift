import Foundation

/// Errors the engine reports to the person running it.
public enum EngineError: Error, CustomStringConvertible, Equatable {
    case fileNotFound(String)
    case unreadable(String)
    case noAccount
    case invalidEmail(String)
    case storeNotEmpty(String)

    public var description: String {
        switch self {
        case .fileNotFound(let path): "no such file: \(path)"
        case .unreadable(let path): "cannot read \(path)"
        case .noAccount: "the store has no account yet; run `email-audit seed` or ingest events first"
        case .invalidEmail(let reason): "cannot record the email: \(reason)"
        case .storeNotEmpty(let path): "\(path) already holds an agency; seed a new store with --db PATH"
        }
    }
}
