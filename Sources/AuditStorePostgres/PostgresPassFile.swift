import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A libpq password file (`~/.pgpass`, or the file `PGPASSFILE` names), read as libpq reads it.
///
/// Each line is `hostname:port:database:username:password`. A field that is exactly `*`
/// matches anything; `\:` is a colon and `\\` a backslash inside a field (a backslash before
/// any other character stands for that character). Blank lines and lines starting with `#` are
/// skipped, as are lines with fewer than five fields. The first line that matches wins; an
/// empty password on it means "no password". The host field is compared with the TCP host, or
/// with the socket directory for a Unix-socket connection; `localhost` also matches a
/// connection through the default socket directory
/// (``PostgresLocation/defaultSocketDirectory``).
public struct PostgresPassFile: Sendable, Equatable {
    /// One line: each field is nil for `*` (anything), else its unescaped text.
    public struct Entry: Sendable, Equatable {
        public var host: String?
        public var port: String?
        public var database: String?
        public var user: String?
        public var password: String
    }

    /// The lines that can match, in file order.
    public let entries: [Entry]

    /// Parses the text of a password file.
    public init(text: String) {
        var entries: [Entry] = []
        // "\r\n" is one Character in Swift: both line ends split.
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" }) {
            var line = rawLine
            if line.hasSuffix("\r") { line = line.dropLast() }
            if line.isEmpty || line.hasPrefix("#") { continue }
            let fields = Self.fields(of: line)
            guard fields.count >= 5 else { continue }
            func pattern(_ field: Field) -> String? { field.isWildcard ? nil : field.text }
            entries.append(Entry(host: pattern(fields[0]), port: pattern(fields[1]), database: pattern(fields[2]),
                                 user: pattern(fields[3]), password: fields[4].text))
        }
        self.entries = entries
    }

    /// The password of the first line matching `location`, or nil when none matches (or the
    /// first match has an empty password).
    public func password(for location: PostgresLocation) -> String? {
        var hosts = [location.host]
        if case .socket(let directory, _) = location.endpoint,
           directory == PostgresLocation.defaultSocketDirectory || directory == PostgresLocation.defaultSocketDirectory + "/" {
            hosts.append("localhost")
        }
        let port = String(location.port)
        for entry in entries {
            guard entry.host.map(hosts.contains) ?? true,
                  entry.port.map({ $0 == port }) ?? true,
                  entry.database.map({ $0 == location.database }) ?? true,
                  entry.user.map({ $0 == location.user }) ?? true else { continue }
            return entry.password.isEmpty ? nil : entry.password
        }
        return nil
    }

    /// What reading a password file found.
    public enum Reading: Sendable, Equatable {
        /// There is no file at the path (not an error: libpq goes on without a password).
        case missing
        /// The file was read.
        case read(PostgresPassFile)
        /// The file exists but libpq would not use it; the text says why (a warning to show).
        case ignored(warning: String)
    }

    /// Reads the password file at `path` as libpq does: a file that is not a regular file, or
    /// that its group or others may read or write, is ignored with a warning.
    public static func read(path: String) -> Reading {
        var info = stat()
        guard stat(path, &info) == 0 else {
            return errno == ENOENT ? .missing : .ignored(warning: "password file \"\(path)\" cannot be read (\(String(cString: strerror(errno))))")
        }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            return .ignored(warning: "password file \"\(path)\" is not a plain file")
        }
        guard info.st_mode & 0o077 == 0 else {
            return .ignored(warning: "password file \"\(path)\" has group or world access; permissions should be u=rw (0600) or less")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            return .ignored(warning: "password file \"\(path)\" cannot be read")
        }
        return .read(PostgresPassFile(text: String(decoding: data, as: UTF8.self)))
    }

    // MARK: - Fields

    private struct Field {
        var text: String
        /// The field was exactly an unescaped `*`.
        var isWildcard: Bool
    }

    /// Splits a line at unescaped colons, unescaping each field.
    private static func fields(of line: Substring) -> [Field] {
        var fields: [Field] = []
        var text = ""
        var escaped = false
        var sawEscape = false
        for character in line {
            if escaped {
                text.append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
                sawEscape = true
            } else if character == ":" {
                fields.append(Field(text: text, isWildcard: text == "*" && !sawEscape))
                text = ""
                sawEscape = false
            } else {
                text.append(character)
            }
        }
        // A trailing lone backslash stands for itself (libpq keeps it).
        if escaped { text.append("\\") }
        fields.append(Field(text: text, isWildcard: text == "*" && !sawEscape))
        return fields
    }
}
