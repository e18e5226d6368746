import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the password for a PostgreSQL store comes from. Never the command line or the URL
/// (``PostgresLocationError/passwordInURL``); in this order:
///
/// 1. The file named by the `--db-password-file` option (when the CLI gets it) or by the
///    environment variable ``fileVariable`` (`EMAIL_AUDIT_DB_PASSWORD_FILE`): the whole file is
///    the password, less one trailing line break. It must be a regular file that its group and
///    others cannot read; anything else is an error (the user asked for this file).
/// 2. The libpq password file: the file `PGPASSFILE` names, else `~/.pgpass`
///    (``PostgresPassFile``; ignored with a warning when others can read it, as libpq does).
/// 3. No password (trust, peer or certificate authentication).
public enum PostgresPassword {
    /// The environment variable naming a file that holds only the password.
    public static let fileVariable = "EMAIL_AUDIT_DB_PASSWORD_FILE"

    /// The password found, and the warnings to show (a password file that was ignored).
    public struct Resolution: Sendable, Equatable {
        /// The password, or nil to connect without one.
        public var password: String?
        /// Where it came from (a path), for messages; never the password itself.
        public var source: String?
        /// One line each, to print on standard error.
        public var warnings: [String]
    }

    /// Finds the password for `location`.
    /// - Parameters:
    ///   - passwordFile: the option's value, if given (it wins over the environment variable).
    ///   - environment: the process's environment (`EMAIL_AUDIT_DB_PASSWORD_FILE`, `PGPASSFILE`, `HOME`).
    public static func resolve(for location: PostgresLocation, passwordFile: String? = nil,
                               environment: [String: String] = ProcessInfo.processInfo.environment) throws(PostgresPasswordError) -> Resolution {
        if let path = passwordFile ?? environment[fileVariable].flatMap({ $0.isEmpty ? nil : $0 }) {
            return Resolution(password: try readPasswordFile(path), source: path, warnings: [])
        }
        let passFile: String
        if let named = environment["PGPASSFILE"], !named.isEmpty {
            passFile = named
        } else if let home = environment["HOME"], !home.isEmpty {
            passFile = (home.hasSuffix("/") ? home : home + "/") + ".pgpass"
        } else {
            return Resolution(password: nil, source: nil, warnings: [])
        }
        switch PostgresPassFile.read(path: passFile) {
        case .missing:
            return Resolution(password: nil, source: nil, warnings: [])
        case .ignored(let warning):
            return Resolution(password: nil, source: nil, warnings: ["WARNING: \(warning)"])
        case .read(let file):
            let password = file.password(for: location)
            return Resolution(password: password, source: password == nil ? nil : passFile, warnings: [])
        }
    }

    /// The password held in the file at `path` (less one trailing `\n` or `\r\n`).
    static func readPasswordFile(_ path: String) throws(PostgresPasswordError) -> String {
        var info = stat()
        guard stat(path, &info) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        guard (info.st_mode & S_IFMT) == S_IFREG else { throw .unreadable(path: path, reason: "not a regular file") }
        guard info.st_mode & 0o077 == 0 else { throw .tooOpen(path: path) }
        guard let data = FileManager.default.contents(atPath: path) else { throw .unreadable(path: path, reason: "permission denied") }
        var text = String(decoding: data, as: UTF8.self)
        // One Character either way: "\r\n" is a single grapheme in Swift.
        if text.hasSuffix("\r\n") || text.hasSuffix("\n") { text.removeLast() }
        guard !text.isEmpty else { throw .empty(path: path) }
        return text
    }
}

/// Why the named password file could not be used. The message names the file, never its content.
public enum PostgresPasswordError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case tooOpen(path: String)
    case empty(path: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "Cannot read the PostgreSQL password file \(path) (\(reason))."
        case .tooOpen(let path):
            "The PostgreSQL password file \(path) can be read by its group or others; run chmod 600 \(path)."
        case .empty(let path):
            "The PostgreSQL password file \(path) is empty."
        }
    }
}
