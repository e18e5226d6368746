import AuditCore
import AuditEngine
import AuditStore
import Foundation
import Hummingbird
import Logging
import ProviderSimulator
import ServiceLifecycle

/// Assembles `serve`: the store, the ingest path, the webhook group committer, the intake,
/// the provider (simulator or Mailgun over HTTP) with its hand-over loop, and the HTTP server.
public enum AuditServer {
    /// Runs until SIGTERM or SIGINT, then stops gracefully: the server stops accepting, requests
    /// in flight finish (their webhooks are committed), the hand-over loop ends after its batch.
    public static func run(configuration: ServerConfiguration, store: AuditDatabase, logger: Logger) async throws {
        try await run(configuration: configuration, stores: .sqlite(store), logger: logger)
    }

    /// Runs on `stores` (either backend) until SIGTERM or SIGINT, as ``run(configuration:store:logger:)``.
    public static func run(configuration: ServerConfiguration, stores: ServeStores, logger: Logger) async throws {
        try stores.sqlite?.requireFullDurability()
        let signingKey = try configuration.signingKeyFile.map { path throws(ConfigurationError) in
            try SecretFile.read(path, purpose: "webhook signing key")
        }
        if signingKey == nil { logger.warning("no webhook signing key file: every webhook will be refused (406)") }
        let tokens = try configuration.intakeTokensFile.map { path throws(ConfigurationError) in try IntakeTokens.load(path) }
            ?? IntakeTokens(accounts: [:])
        if configuration.intakeTokensFile == nil { logger.warning("no intake tokens file: every POST /v1/emails will be refused (401)") }

        let ingestor = EventIngestor(store: stores.feeder, defaultAccountID: try stores.intake.accounts().first?.id)
        let status = ProviderStatus()
        let metrics = ServerMetrics()
        let handOver: HandOverService
        switch configuration.provider {
        case .simulator:
            let simulator = MailgunSimulator(seed: configuration.simulatorSeed, domain: configuration.domain)
            let saved = stores.simulatorState
            if let saved {
                try SimulatorPersistence.restore(simulator, from: saved)
            } else {
                logger.warning("the in-process simulator's state is not kept: events not yet reported are lost when serve stops")
            }
            if stores.sqlite == nil {
                logger.notice("the in-process simulator keeps its state in the database under its domain: one serve per domain should run it (several serves on one database share simulate-provider instead)")
            }
            let engine = AuditEngine(recorder: stores.feeder, queue: stores.feeder, ingest: stores.feeder, digests: stores.digests,
                                     provider: simulator, eventSource: simulator, clock: SystemClock(),
                                     batchInterval: configuration.handOverInterval, defaultAccountID: ingestor.defaultAccountID,
                                     lease: configuration.handOverLease)
            handOver = HandOverService(feeder: engine.feeder, engine: engine, interval: configuration.handOverInterval,
                                       status: status, logger: logger, metrics: metrics) {
                guard let saved else { return }
                do { try SimulatorPersistence.save(simulator, to: saved) } catch {
                    logger.error("cannot save the simulator state", metadata: ["error": "\(error)"])
                }
            }
        case .mailgun:
            guard let keyFile = configuration.apiKeyFile else {
                throw ConfigurationError(path: "provider.api_key_file", problem: "is required when provider.kind is \"mailgun\"")
            }
            let apiKey = try SecretFile.read(keyFile, purpose: "Mailgun API key")
            let provider = MailgunHTTPProvider(baseURL: configuration.apiBaseURL, domain: configuration.domain, apiKey: apiKey)
            let feeder = BatchFeeder(queue: stores.feeder, digests: stores.digests, providers: .every(provider), ingestor: ingestor,
                                     lease: configuration.handOverLease)
            handOver = HandOverService(feeder: feeder, engine: nil, interval: configuration.handOverInterval, status: status, logger: logger,
                                       metrics: metrics)
        }

        // The retention setting: applied at start, then once a day (off when not configured).
        let retention = stores.retention.flatMap { store in
            configuration.retentionMonths.flatMap { months in
                months > 0 ? RetentionService(store: store, months: months, logger: logger) : nil
            }
        }
        if let months = configuration.retentionMonths, months > 0 {
            logger.notice("retention: emails older than \(months) months are deleted once a day")
        }
        var services: [any Service] = [handOver]
        if let retention { services.append(retention) }
        // SQLite's search indexes: merged back into one segment at start and once a day.
        if let sqlite = stores.sqlite { services.append(SearchIndexUpkeep(store: sqlite, logger: logger)) }
        let committer = WebhookCommitter(writers: stores.webhookWriters, ingestor: ingestor, timestampWindow: configuration.timestampWindow, logger: logger)
        committer.start()
        defer { committer.stop() }
        let intake = IntakeCommitter(recorder: IntakeRecorder(store: stores.intake))
        intake.start()
        defer { intake.stop() }
        let routes = ServerRoutes(
            verifier: WebhookVerifier(signingKey: signingKey, timestampWindow: configuration.timestampWindow),
            committer: committer, intake: intake, intakeTokens: tokens, providerStatus: status,
            store: stores.health, maximumBodyBytes: configuration.maximumBodyBytes, metrics: metrics, logger: logger)
        let app = Application(
            router: routes.router(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "email-audit"),
            services: services,
            onServerRunning: { channel in
                logger.notice("listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
            },
            logger: logger)
        logger.notice("serve starting", metadata: [
            "store": "\(stores.description)", "provider": "\(configuration.provider.rawValue)", "domain": "\(configuration.domain)",
        ])
        try await app.runService()
        logger.notice("serve stopped")
    }
}

/// The stores `serve` works on, either backend: SQLite's one `AuditDatabase` in every role, or
/// PostgreSQL connections (one per role, several for the webhooks, so concurrent webhook groups
/// commit side by side instead of queueing on one connection).
public struct ServeStores: Sendable {
    /// The store's path or URL, for the log.
    public var description: String
    /// One webhook group committer each (``WebhookCommitter``).
    public var webhookWriters: [any WebhookIngestStore]
    /// The intake's recording (`POST /v1/emails`).
    public var intake: any HostRecordingStore
    /// The batch feeder's queue, its ingest of refusals, and the in-process simulator's engine.
    public var feeder: any HandOverQueueStore & EventIngestStore & EmailRecordingStore
    /// Readiness and metrics.
    public var health: any ServiceHealthStore
    /// Where the batch feeder records the daily digests due at each run (on the feeder's thread);
    /// nil: none.
    public var digests: (any DigestRecordingStore)?
    /// Where the retention setting deletes old emails (on its own thread); nil: nowhere (a
    /// PostgreSQL `serve` opens its connection only when `retention_months` is set).
    public var retention: (any RetentionStore & Sendable)?
    /// The SQLite store, when serving one: full durability.
    public var sqlite: AuditDatabase?
    /// Where the in-process simulator's state is restored from at start and saved after each of
    /// its ticks (on the hand-over's thread, as the feeder); nil: not kept.
    public var simulatorState: (any SimulatorStateStore)?

    public init(description: String, webhookWriters: [any WebhookIngestStore], intake: any HostRecordingStore,
                feeder: any HandOverQueueStore & EventIngestStore & EmailRecordingStore, health: any ServiceHealthStore,
                digests: (any DigestRecordingStore)?, retention: (any RetentionStore & Sendable)? = nil, sqlite: AuditDatabase? = nil,
                simulatorState: (any SimulatorStateStore)? = nil) {
        self.description = description
        self.webhookWriters = webhookWriters
        self.intake = intake
        self.feeder = feeder
        self.health = health
        self.digests = digests
        self.retention = retention
        self.sqlite = sqlite
        self.simulatorState = simulatorState
    }

    /// A SQLite store in every role.
    public static func sqlite(_ store: AuditDatabase) -> ServeStores {
        ServeStores(description: store.path, webhookWriters: [store], intake: store, feeder: store, health: store,
                    digests: store, retention: store, sqlite: store, simulatorState: store)
    }
}
