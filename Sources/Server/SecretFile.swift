import Foundation

/// Reads secrets (signing key, API key, intake tokens) from files, so they never appear on a
/// command line, in the config file, in a log line or in an error message.
public enum SecretFile {
    /// The file's content with surrounding whitespace removed.
    /// - Throws: ``ConfigurationError`` naming the file (never its content) when it is missing, unreadable or empty.
    public static func read(_ path: String, purpose: String) throws(ConfigurationError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(path: path, problem: "cannot read the \(purpose) file")
        }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw ConfigurationError(path: path, problem: "the \(purpose) file is empty") }
        return text
    }
}

/// Intake bearer tokens: one `ACCOUNT_ID TOKEN` pair per line; blank lines and `#` comments are skipped.
public struct IntakeTokens: Sendable {
    private let accounts: [String: Int64]

    public init(accounts: [String: Int64]) {
        self.accounts = accounts
    }

    /// Parses the file at `path`.
    public static func load(_ path: String) throws(ConfigurationError) -> IntakeTokens {
        let text = try SecretFile.read(path, purpose: "intake tokens")
        var accounts: [String: Int64] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let parts = trimmed.split(separator: " ", omittingEmptySubsequences: true)
            guard parts.count == 2, let account = Int64(parts[0]), parts[1].count >= 16 else {
                throw ConfigurationError(path: path, problem: "line \(index + 1) must be ACCOUNT_ID TOKEN (a token of 16 characters or more)")
            }
            accounts[String(parts[1])] = account
        }
        return IntakeTokens(accounts: accounts)
    }

    /// The account a bearer token belongs to, compared without early exit on the first differing byte.
    public func account(forToken token: String) -> Int64? {
        var found: Int64?
        for (candidate, account) in accounts where Self.constantTimeEquals(candidate, token) { found = account }
        return found
    }

    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        var difference = UInt8(x.count == y.count ? 0 : 1)
        for index in 0..<max(x.count, y.count) {
            difference |= (index < x.count ? x[index] : 0) ^ (index < y.count ? y[index] : 0)
        }
        return difference == 0
    }
}
