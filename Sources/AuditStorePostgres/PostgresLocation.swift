import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where a PostgreSQL store is: what `--db` / `EMAIL_AUDIT_DB` hold when they are a
/// `postgresql://` (or `postgres://`) URL, in libpq's connection-URI form:
///
///     postgresql://[user@][host][:port][/database][?param=value&...]
///
/// - `host` is a host name, an IPv4 address or an `[IPv6]` address for TCP; it may instead be a
///   Unix-socket directory, percent-encoded (`%2Fvar%2Frun%2Fpostgresql`) or given as the
///   parameter `?host=/path`. No host at all means the Unix socket in ``defaultSocketDirectory``.
/// - `port` defaults to 5432 (for a socket it names the socket file, `.s.PGSQL.5432`).
/// - `database` defaults to the user name, and `user` to the name of the user running the
///   program (as libpq does).
/// - Parameters: `host`, `port`, `dbname`, `user`, `sslmode` (`disable`, the default; `require`:
///   encrypted, the server's certificate not checked; `verify-full`: encrypted, the certificate
///   checked against the trusted roots and the host name) and `sslrootcert` (a PEM file of the
///   roots `verify-full` trusts instead of the system's). Parameters override the parts before `?`.
///
/// A password is refused: it would show in `ps`, in shell history and in the environment of
/// every child process. It comes from a password file instead (``PostgresPassword``).
public struct PostgresLocation: Sendable, Equatable, CustomStringConvertible {
    /// How the connection reaches the server.
    public enum Endpoint: Sendable, Equatable {
        /// TCP to a host name or address and port.
        case tcp(host: String, port: Int)
        /// The Unix socket `.s.PGSQL.<port>` in `directory`.
        case socket(directory: String, port: Int)
    }

    /// Whether, and how strictly, the connection is encrypted (libpq's `sslmode`, three of its values).
    public enum SSLMode: String, Sendable, Equatable, CaseIterable {
        /// No TLS (the default).
        case disable
        /// TLS required; the server's certificate is not checked (libpq's `require`).
        case require
        /// TLS required; the certificate must chain to a trusted root and name the host.
        case verifyFull = "verify-full"
    }

    /// The directory libpq on Debian looks in for the server's socket when no host is given.
    public static let defaultSocketDirectory = "/var/run/postgresql"
    /// The port when none is given.
    public static let defaultPort = 5432

    /// The role to connect as.
    public var user: String
    /// TCP host and port, or socket directory and port.
    public var endpoint: Endpoint
    /// The database to use.
    public var database: String
    /// TLS or not.
    public var sslMode: SSLMode
    /// A PEM file of trusted roots for `verify-full` (nil: the system's roots).
    public var sslRootCertificate: String?

    /// Whether `text` is meant as a PostgreSQL URL (`postgresql://` or `postgres://`, any case),
    /// rather than a path to a SQLite store.
    public static func isURL(_ text: String) -> Bool {
        scheme(of: text) != nil
    }

    /// Parses `url`; a missing user is the user running the program.
    public init(url: String) throws(PostgresLocationError) {
        try self.init(url: url, defaultUser: Self.currentUserName())
    }

    /// Parses `url`; a missing user is `defaultUser`.
    public init(url: String, defaultUser: String) throws(PostgresLocationError) {
        guard let schemeLength = Self.scheme(of: url) else { throw .notAURL }
        var rest = Substring(url.dropFirst(schemeLength))
        var query: Substring = ""
        if let mark = rest.firstIndex(of: "?") {
            query = rest[rest.index(after: mark)...]
            rest = rest[..<mark]
        }
        if rest.contains("#") { throw .invalid("a URL fragment ('#...') means nothing to PostgreSQL") }
        var authority = rest
        var path: Substring?
        if let slash = rest.firstIndex(of: "/") {
            authority = rest[..<slash]
            path = rest[rest.index(after: slash)...]
        }

        var user: String?
        var hostText: Substring = authority
        if let at = authority.lastIndex(of: "@") {
            let userInfo = authority[..<at]
            if userInfo.contains(":") { throw .passwordInURL }
            user = try Self.decode(userInfo, part: "user name")
            hostText = authority[authority.index(after: at)...]
        }
        if hostText.contains(",") { throw .invalid("give one host: several hosts (host1,host2) are not supported") }

        var host: String?
        var port: Int?
        if hostText.hasPrefix("[") {
            guard let close = hostText.firstIndex(of: "]") else { throw .invalid("an IPv6 address needs its closing ']'") }
            host = String(hostText[hostText.index(after: hostText.startIndex)..<close])
            let after = hostText[hostText.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { throw .invalid("expected ':port' after the IPv6 address") }
                port = try Self.port(after.dropFirst())
            }
        } else {
            if let colon = hostText.lastIndex(of: ":") {
                port = try Self.port(hostText[hostText.index(after: colon)...])
                hostText = hostText[..<colon]
            }
            if !hostText.isEmpty { host = try Self.decode(hostText, part: "host") }
        }

        var database: String?
        if let path, !path.isEmpty { database = try Self.decode(path, part: "database name") }
        var sslMode = SSLMode.disable
        var sslRootCertificate: String?
        if !query.isEmpty {
            for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
                guard let equals = pair.firstIndex(of: "=") else {
                    throw .invalid("the parameter '\(Self.shown(pair))' needs a value (name=value)")
                }
                let name = try Self.decode(pair[..<equals], part: "parameter name")
                let value = try Self.decode(pair[pair.index(after: equals)...], part: "value of \(name)")
                switch name {
                case "host": host = value.isEmpty ? nil : value
                case "port": port = try Self.port(Substring(value))
                case "dbname": database = value.isEmpty ? nil : value
                case "user": user = value.isEmpty ? nil : value
                case "sslmode":
                    guard let mode = SSLMode(rawValue: value) else {
                        throw .invalid("sslmode=\(Self.shown(value)) is not supported; use sslmode=disable, require or verify-full")
                    }
                    sslMode = mode
                case "sslrootcert": sslRootCertificate = value.isEmpty ? nil : value
                case "password", "passfile": throw .passwordInURL
                default:
                    throw .invalid("unknown parameter '\(Self.shown(name))'; the URL takes host, port, dbname, user, sslmode and sslrootcert")
                }
            }
        }

        let resolvedUser = user ?? defaultUser
        guard !resolvedUser.isEmpty else { throw .invalid("no user name: add one (postgresql://USER@host/database)") }
        let resolvedPort = port ?? Self.defaultPort
        if let host, host.hasPrefix("/") {
            guard sslMode == .disable else {
                throw .invalid("sslmode=\(sslMode.rawValue) needs a TCP host; a Unix socket (\(Self.shown(host))) is never encrypted")
            }
            endpoint = .socket(directory: host, port: resolvedPort)
        } else if let host {
            guard !host.contains("/") else { throw .invalid("the host '\(Self.shown(host))' is neither a host name nor an absolute socket directory") }
            endpoint = .tcp(host: host, port: resolvedPort)
        } else {
            guard sslMode == .disable else {
                throw .invalid("sslmode=\(sslMode.rawValue) needs a TCP host; without one the connection uses the Unix socket in \(Self.defaultSocketDirectory)")
            }
            endpoint = .socket(directory: Self.defaultSocketDirectory, port: resolvedPort)
        }
        if sslRootCertificate != nil && sslMode != .verifyFull {
            throw .invalid("sslrootcert is used only with sslmode=verify-full")
        }
        self.user = resolvedUser
        self.database = database ?? resolvedUser
        self.sslMode = sslMode
        self.sslRootCertificate = sslRootCertificate
    }

    /// The host as password files name it: the TCP host, or the socket directory.
    public var host: String {
        switch endpoint {
        case .tcp(let host, _): host
        case .socket(let directory, _): directory
        }
    }

    /// The TCP port, or the port that names the socket file.
    public var port: Int {
        switch endpoint {
        case .tcp(_, let port), .socket(_, let port): port
        }
    }

    /// The socket file for a socket endpoint (`/var/run/postgresql/.s.PGSQL.5432`), else nil.
    public var socketPath: String? {
        guard case .socket(let directory, let port) = endpoint else { return nil }
        return (directory.hasSuffix("/") ? directory : directory + "/") + ".s.PGSQL.\(port)"
    }

    /// The location as a URL without secrets (it never holds one), for messages.
    public var description: String {
        let user = Self.encode(self.user)
        let database = Self.encode(self.database)
        var text: String
        switch endpoint {
        case .tcp(let host, let port):
            let shownHost = host.contains(":") ? "[\(host)]" : Self.encode(host)
            text = "postgresql://\(user)@\(shownHost)" + (port == Self.defaultPort ? "" : ":\(port)") + "/\(database)"
        case .socket(let directory, let port):
            text = "postgresql://\(user)@" + (port == Self.defaultPort ? "" : ":\(port)") + "/\(database)"
            if directory != Self.defaultSocketDirectory { text += "?host=\(Self.encode(directory, keeping: "/"))" }
        }
        if sslMode != .disable { text += (text.contains("?") ? "&" : "?") + "sslmode=\(sslMode.rawValue)" }
        if let sslRootCertificate { text += "&sslrootcert=\(Self.encode(sslRootCertificate, keeping: "/"))" }
        return text
    }

    /// The name of the user running the program (libpq's default role).
    public static func currentUserName() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name {
            return String(cString: name)
        }
        return ProcessInfo.processInfo.environment["USER"] ?? ""
    }

    // MARK: - Parsing

    /// The length of the URL's scheme and `://`, or nil when it is not a PostgreSQL URL.
    private static func scheme(of text: String) -> Int? {
        let lowered = text.prefix(13).lowercased()
        if lowered.hasPrefix("postgresql://") { return 13 }
        if lowered.hasPrefix("postgres://") { return 11 }
        return nil
    }

    private static func port(_ text: Substring) throws(PostgresLocationError) -> Int {
        guard !text.isEmpty, text.allSatisfy(\.isASCIIDigit), let port = Int(text), (1...65_535).contains(port) else {
            // The text is not repeated: `postgresql://user:secret` (no '@') puts a password here.
            throw .invalid("the port must be a number from 1 to 65535")
        }
        return port
    }

    /// Percent-decodes one part of the URL.
    private static func decode(_ text: Substring, part: String) throws(PostgresLocationError) -> String {
        guard text.contains("%") else { return String(text) }
        guard let decoded = String(text).removingPercentEncoding else {
            throw .invalid("the \(part) has a bad percent escape ('%' must be followed by two hex digits)")
        }
        return decoded
    }

    /// Percent-encodes a part for ``description``.
    private static func encode(_ text: String, keeping extra: String = "") -> String {
        let allowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~" + extra)
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    /// Text from the URL for an error message: one line, control characters shown as `?`, at most 60 characters.
    static func shown<S: StringProtocol>(_ text: S) -> String {
        let cleaned = String(text.unicodeScalars.map { $0.properties.generalCategory == .control ? "?" : Character($0) })
        return cleaned.count > 60 ? String(cleaned.prefix(57)) + "..." : cleaned
    }
}

/// Why a `postgresql://` URL was refused. The message never repeats a password.
public enum PostgresLocationError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The text does not start with `postgresql://` or `postgres://`.
    case notAURL
    /// The URL carries a password (`user:secret@`, `?password=`) or names a password file.
    case passwordInURL
    /// Anything else, with what is wrong and how to write it.
    case invalid(String)

    public var description: String {
        switch self {
        case .notAURL:
            "A PostgreSQL store is named by a URL that starts with postgresql:// (for example postgresql://audit@db.example.net/audit)."
        case .passwordInURL:
            "The PostgreSQL URL must not hold a password (it would show in ps, shell history and the environment). "
                + "Put it in ~/.pgpass (or the file PGPASSFILE names), mode 0600, as host:port:database:user:password, "
                + "or alone in a file named by \(PostgresPassword.fileVariable)."
        case .invalid(let problem):
            "Invalid PostgreSQL URL: \(problem)."
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
