import ArgumentParser
import AuditStore
import AuditStorePostgres
import Foundation
import Logging
import Server

/// `email-audit serve`: intake API, webhook receiver and batch hand-over in one process.
struct ServeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the service: POST /v1/emails, POST /webhooks/mailgun, /healthz, /readyz, and the batch hand-over.",
        discussion: """
            Settings come from $XDG_CONFIG_HOME/email-audit/config.toml (else ~/.config/email-audit/config.toml, \
            or --config FILE); flags override them. SIGTERM or SIGINT stops gracefully.
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("The config file (TOML).", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Address to listen on.", valueName: "host:port"))
    var listen: String?

    @Option(help: ArgumentHelp("File holding Mailgun's HTTP webhook signing key.", valueName: "file"))
    var signingKeyFile: String?

    @Option(help: ArgumentHelp("File of intake bearer tokens, one 'ACCOUNT_ID TOKEN' per line.", valueName: "file"))
    var intakeTokensFile: String?

    @Option(help: ArgumentHelp("Where emails are handed over: simulator or mailgun.", valueName: "kind"))
    var provider: String?

    @Option(help: ArgumentHelp("Mailgun API root, e.g. https://api.mailgun.net or http://127.0.0.1:8026.", valueName: "url"))
    var apiBaseURL: String?

    @Option(help: ArgumentHelp("File holding the Mailgun API key.", valueName: "file"))
    var apiKeyFile: String?

    @Option(help: ArgumentHelp("The Mailgun sending domain.", valueName: "domain"))
    var domain: String?

    @Option(help: ArgumentHelp("Seconds between hand-over batches (default 300).", valueName: "seconds"))
    var handOverInterval: Int?

    @Option(help: ArgumentHelp("Seconds a claim on a Pending email lasts; a serve that dies gives its emails back after it (default 300).", valueName: "seconds"))
    var handOverLease: Int?

    @Option(help: ArgumentHelp("How far a webhook's signing time may be from now (default 32400).", valueName: "seconds"))
    var timestampWindow: Int?

    @Option(help: ArgumentHelp("trace, debug, info, notice, warning, error or critical (default info, or $LOG_LEVEL).", valueName: "level"))
    var logLevel: String?

    func resolvedConfiguration() throws -> ServerConfiguration {
        let environment = ProcessInfo.processInfo.environment
        let path = config ?? ServerConfiguration.defaultFilePath(environment: environment)
        if let config, !FileManager.default.fileExists(atPath: config) { throw CLIError("no such config file: \(config)") }
        do {
            var settings = try ServerConfiguration.load(path: path)
            if let listen { (settings.host, settings.port) = try ServerConfiguration.listenAddress(listen) }
            if let signingKeyFile { settings.signingKeyFile = signingKeyFile }
            if let intakeTokensFile { settings.intakeTokensFile = intakeTokensFile }
            if let provider {
                guard let kind = ServerConfiguration.ProviderKind(rawValue: provider) else {
                    throw CLIError("--provider must be simulator or mailgun")
                }
                settings.provider = kind
            }
            if let apiBaseURL { settings.apiBaseURL = apiBaseURL }
            if let apiKeyFile { settings.apiKeyFile = apiKeyFile }
            if let domain { settings.domain = domain }
            if let handOverInterval {
                guard handOverInterval > 0 else { throw CLIError("--hand-over-interval must be a positive number of seconds") }
                settings.handOverInterval = TimeInterval(handOverInterval)
            }
            if let handOverLease {
                guard handOverLease > 0 else { throw CLIError("--hand-over-lease must be a positive number of seconds") }
                settings.handOverLease = TimeInterval(handOverLease)
            }
            if let timestampWindow {
                guard timestampWindow > 0 else { throw CLIError("--timestamp-window must be a positive number of seconds") }
                settings.timestampWindow = TimeInterval(timestampWindow)
            }
            if store.db != nil { settings.databasePath = store.db }
            return settings
        } catch let error as ConfigurationError {
            throw CLIError("\(error)")
        }
    }

    func run() throws {
        let settings = try resolvedConfiguration()
        let levelName = logLevel ?? ProcessInfo.processInfo.environment["LOG_LEVEL"] ?? "info"
        guard let level = Logger.Level(rawValue: levelName) else { throw CLIError("--log-level must be trace, debug, info, notice, warning, error or critical") }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var options = store
        if options.db == nil { options.db = settings.databasePath }
        let (stores, postgres) = try Self.stores(options, retention: (settings.retentionMonths ?? 0) > 0)
        defer { postgres.forEach { $0.connection.close() } }
        let logger = Logger(label: "email-audit.serve")
        try runBlocking {
            do {
                try await AuditServer.run(configuration: settings, stores: stores, logger: logger)
            } catch let error as ConfigurationError {
                throw CLIError("\(error)")
            }
        }
    }
}

extension ServeCommand {
    /// Webhook group committers on a PostgreSQL store, each on its own connection.
    static let postgresWebhookWriters = 4

    /// The stores `serve` works on: the SQLite file in every role, or PostgreSQL connections:
    /// ``postgresWebhookWriters`` for the webhooks, one each for the intake, the feeder and the
    /// health checks, and with `retention` one for the retention setting (each role calls the
    /// store from its own thread).
    /// Also returns the PostgreSQL stores, to close when `serve` ends (none for SQLite).
    static func stores(_ options: StoreOptions, retention: Bool) throws -> (ServeStores, [PostgresAuditStore]) {
        let roleCount = retention ? 4 : 3
        guard let postgres = try options.openPostgresStores(count: postgresWebhookWriters + roleCount) else {
            return (.sqlite(try options.openStore()), [])
        }
        let roles = Array(postgres.suffix(roleCount))
        return (ServeStores(description: postgres[0].connection.location.description,
                            webhookWriters: Array(postgres.prefix(postgresWebhookWriters)),
                            intake: roles[0], feeder: roles[1], health: roles[2],
                            digests: roles[1], retention: retention ? roles[3] : nil, simulatorState: roles[1]),
                postgres)
    }
}

/// Runs async work to completion from a synchronous command (the main thread waits; the work
/// runs on the concurrency pool).
func runBlocking(_ work: @escaping @Sendable () async throws -> Void) throws {
    final class Outcome: @unchecked Sendable { var error: (any Error)? }
    let outcome = Outcome()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { try await work() } catch { outcome.error = error }
        done.signal()
    }
    done.wait()
    if let error = outcome.error { throw error }
}
