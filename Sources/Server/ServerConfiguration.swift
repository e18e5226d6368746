import Foundation
import TOMLKit

/// Everything `serve` needs, from the config file with command-line flags on top.
///
/// The file is TOML, `$XDG_CONFIG_HOME/email-audit/config.toml` (else
/// `~/.config/email-audit/config.toml`); a missing file means all defaults. Secrets are never
/// in it: it names files that hold them (signing key, API key, intake tokens).
public struct ServerConfiguration: Sendable, Equatable {
    /// Where the provider hands-over go.
    public enum ProviderKind: String, Sendable, Equatable {
        /// The in-process simulator (no network).
        case simulator
        /// Mailgun's HTTP API (or anything speaking it, such as `simulate-provider`).
        case mailgun
    }

    /// The store file; nil means the usual default (`--db`, `EMAIL_AUDIT_DB`, XDG).
    public var databasePath: String?
    /// Address to listen on.
    public var host = "127.0.0.1"
    public var port = 8025
    /// The file holding Mailgun's HTTP webhook signing key. Without it the webhook route refuses everything (406).
    public var signingKeyFile: String?
    /// How far a webhook's signing time may be from now. Mailgun retries for about 8 hours and
    /// does not document whether a retry is signed again, so the default is 9 hours.
    public var timestampWindow: TimeInterval = 9 * 3600
    /// Largest accepted request body.
    public var maximumBodyBytes = 1_048_576
    /// The file of intake bearer tokens (`ACCOUNT_ID TOKEN` per line). Without it the intake refuses everything (401).
    public var intakeTokensFile: String?
    /// Simulator or Mailgun.
    public var provider: ProviderKind = .simulator
    /// The sending domain.
    public var domain = "mg.harbourlets.co.uk"
    /// Mailgun's API root (`https://api.mailgun.net`, `https://api.eu.mailgun.net`, or a simulator on loopback).
    public var apiBaseURL = "https://api.mailgun.net"
    /// The file holding the Mailgun API key.
    public var apiKeyFile: String?
    /// Seconds between hand-over runs.
    public var handOverInterval: TimeInterval = 300
    /// How long a feeder's claim on a Pending email lasts (``BatchFeeder/lease``): the emails of
    /// a `serve` that died go back to the queue after it (several `serve` on one PostgreSQL store).
    public var handOverLease: TimeInterval = 300
    /// Seed of the in-process simulator.
    public var simulatorSeed: UInt64 = 1
    /// Keep emails this many calendar months (`[server] retention_months`): `serve` deletes older
    /// ones once a day, `compact` when run. Nil or 0: keep everything (the default).
    public var retentionMonths: Int?

    public init() {}

    /// Where the config file is looked for.
    public static func defaultFilePath(environment: [String: String]) -> String {
        if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty {
            return (config as NSString).appendingPathComponent("email-audit/config.toml")
        }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return (home as NSString).appendingPathComponent(".config/email-audit/config.toml")
    }

    /// Reads the file at `path`; a missing file gives the defaults.
    public static func load(path: String) throws(ConfigurationError) -> ServerConfiguration {
        guard FileManager.default.fileExists(atPath: path) else { return ServerConfiguration() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(path: path, problem: "cannot be read")
        }
        return try parse(String(decoding: data, as: UTF8.self), path: path)
    }

    /// Parses TOML text; `path` names the file in errors.
    public static func parse(_ text: String, path: String) throws(ConfigurationError) -> ServerConfiguration {
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigurationError(path: path, problem: "\(error.description) (line \(error.source.begin.line))")
        } catch {
            throw ConfigurationError(path: path, problem: "is not TOML")
        }
        let reader = TableReader(table: table, path: path)
        var configuration = ServerConfiguration()
        try reader.check(known: ["server", "webhooks", "intake", "provider"])
        if let server = try reader.section("server") {
            try server.check(known: ["listen", "db", "retention_months"])
            if let listen = try server.string("listen") {
                (configuration.host, configuration.port) = try Self.listenAddress(listen, path: path, key: "server.listen")
            }
            configuration.databasePath = try server.string("db")
            if let months = try server.int("retention_months", in: 0...1200,
                                            meaning: "a whole number of months from 0 (keep everything) to 1200") {
                configuration.retentionMonths = months
            }
        }
        if let webhooks = try reader.section("webhooks") {
            try webhooks.check(known: ["signing_key_file", "timestamp_window_seconds", "max_body_bytes"])
            configuration.signingKeyFile = try webhooks.string("signing_key_file")
            if let window = try webhooks.positiveInt("timestamp_window_seconds") { configuration.timestampWindow = TimeInterval(window) }
            if let bytes = try webhooks.positiveInt("max_body_bytes") { configuration.maximumBodyBytes = bytes }
        }
        if let intake = try reader.section("intake") {
            try intake.check(known: ["tokens_file"])
            configuration.intakeTokensFile = try intake.string("tokens_file")
        }
        if let provider = try reader.section("provider") {
            try provider.check(known: ["kind", "domain", "api_base_url", "api_key_file", "hand_over_interval_seconds", "hand_over_lease_seconds", "simulator_seed"])
            if let kind = try provider.string("kind") {
                guard let value = ProviderKind(rawValue: kind) else {
                    throw ConfigurationError(path: path, problem: "provider.kind must be \"simulator\" or \"mailgun\"")
                }
                configuration.provider = value
            }
            if let domain = try provider.string("domain") { configuration.domain = domain }
            if let url = try provider.string("api_base_url") { configuration.apiBaseURL = url }
            configuration.apiKeyFile = try provider.string("api_key_file")
            if let seconds = try provider.positiveInt("hand_over_interval_seconds") { configuration.handOverInterval = TimeInterval(seconds) }
            if let seconds = try provider.positiveInt("hand_over_lease_seconds") { configuration.handOverLease = TimeInterval(seconds) }
            if let seed = try provider.positiveInt("simulator_seed") { configuration.simulatorSeed = UInt64(seed) }
        }
        return configuration
    }

    /// Splits `HOST:PORT` (`[::1]:8025` for IPv6).
    public static func listenAddress(_ text: String, path: String = "--listen", key: String = "listen") throws(ConfigurationError) -> (String, Int) {
        guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]), (0...65_535).contains(port) else {
            throw ConfigurationError(path: path, problem: "\(key) must be HOST:PORT, e.g. 127.0.0.1:8025")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { throw ConfigurationError(path: path, problem: "\(key) must be HOST:PORT, e.g. 127.0.0.1:8025") }
        return (host, port)
    }
}

/// A config file (or flag) that cannot be used; one line naming the file and the key.
public struct ConfigurationError: Error, CustomStringConvertible, Equatable {
    public var path: String
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}

/// Typed access to one TOML table, with errors that name the key.
private struct TableReader {
    let table: TOMLTable
    let path: String
    var prefix = ""

    func check(known: Set<String>) throws(ConfigurationError) {
        for key in table.keys where !known.contains(key) {
            throw ConfigurationError(path: path, problem: "unknown setting \(prefix)\(key)")
        }
    }

    func section(_ key: String) throws(ConfigurationError) -> TableReader? {
        guard let value = table[key] else { return nil }
        guard let inner = value.table else { throw ConfigurationError(path: path, problem: "[\(key)] must be a table") }
        return TableReader(table: inner, path: path, prefix: prefix + key + ".")
    }

    func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let value = table[key] else { return nil }
        guard let text = value.string else { throw ConfigurationError(path: path, problem: "\(prefix)\(key) must be a string") }
        return text
    }

    func int(_ key: String, in range: ClosedRange<Int>, meaning: String) throws(ConfigurationError) -> Int? {
        guard let value = table[key] else { return nil }
        guard let number = value.int, range.contains(number) else {
            throw ConfigurationError(path: path, problem: "\(prefix)\(key) must be \(meaning)")
        }
        return number
    }

    func positiveInt(_ key: String) throws(ConfigurationError) -> Int? {
        guard let value = table[key] else { return nil }
        guard let number = value.int, number > 0 else {
            throw ConfigurationError(path: path, problem: "\(prefix)\(key) must be a positive whole number")
        }
        return number
    }
}
