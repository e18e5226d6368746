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
        try store.requireFullDurability()
        let signingKey = try configuration.signingKeyFile.map { path throws(ConfigurationError) in
            try SecretFile.read(path, purpose: "webhook signing key")
        }
        if signingKey == nil { logger.warning("no webhook signing key file: every webhook will be refused (406)") }
        let tokens = try configuration.intakeTokensFile.map { path throws(ConfigurationError) in try IntakeTokens.load(path) }
            ?? IntakeTokens(accounts: [:])
        if configuration.intakeTokensFile == nil { logger.warning("no intake tokens file: every POST /v1/emails will be refused (401)") }

        let ingestor = EventIngestor(store: store, defaultAccountID: try store.accounts().first?.id)
        let status = ProviderStatus()
        let metrics = ServerMetrics()
        let handOver: HandOverService
        switch configuration.provider {
        case .simulator:
            let simulator = MailgunSimulator(seed: configuration.simulatorSeed, domain: configuration.domain)
            try SimulatorPersistence.restore(simulator, from: store)
            let engine = AuditEngine(store: store, provider: simulator, eventSource: simulator, clock: SystemClock(),
                                     batchInterval: configuration.handOverInterval, defaultAccountID: ingestor.defaultAccountID)
            handOver = HandOverService(feeder: engine.feeder, engine: engine, interval: configuration.handOverInterval,
                                       status: status, logger: logger, metrics: metrics) {
                do { try SimulatorPersistence.save(simulator, to: store) } catch {
                    logger.error("cannot save the simulator state", metadata: ["error": "\(error)"])
                }
            }
        case .mailgun:
            guard let keyFile = configuration.apiKeyFile else {
                throw ConfigurationError(path: "provider.api_key_file", problem: "is required when provider.kind is \"mailgun\"")
            }
            let apiKey = try SecretFile.read(keyFile, purpose: "Mailgun API key")
            let provider = MailgunHTTPProvider(baseURL: configuration.apiBaseURL, domain: configuration.domain, apiKey: apiKey)
            let feeder = BatchFeeder(store: store, provider: provider, ingestor: ingestor)
            handOver = HandOverService(feeder: feeder, engine: nil, interval: configuration.handOverInterval, status: status, logger: logger,
                                       metrics: metrics)
        }

        // The retention setting: applied at start, then once a day (off when not configured).
        let retention = configuration.retentionMonths.flatMap { months in
            months > 0 ? RetentionService(store: store, months: months, logger: logger) : nil
        }
        if let months = configuration.retentionMonths, months > 0 {
            logger.notice("retention: emails older than \(months) months are deleted once a day")
        }
        var services: [any Service] = [handOver]
        if let retention { services.append(retention) }
        let committer = WebhookCommitter(store: store, ingestor: ingestor, timestampWindow: configuration.timestampWindow, logger: logger)
        committer.start()
        defer { committer.stop() }
        let intake = IntakeCommitter(recorder: IntakeRecorder(store: store))
        intake.start()
        defer { intake.stop() }
        let routes = ServerRoutes(
            verifier: WebhookVerifier(signingKey: signingKey, timestampWindow: configuration.timestampWindow),
            committer: committer, intake: intake, intakeTokens: tokens, providerStatus: status,
            store: store, maximumBodyBytes: configuration.maximumBodyBytes, metrics: metrics, logger: logger)
        let app = Application(
            router: routes.router(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "email-audit"),
            services: services,
            onServerRunning: { channel in
                logger.notice("listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
            },
            logger: logger)
        logger.notice("serve starting", metadata: [
            "store": "\(store.path)", "provider": "\(configuration.provider.rawValue)", "domain": "\(configuration.domain)",
        ])
        try await app.runService()
        logger.notice("serve stopped")
    }
}
