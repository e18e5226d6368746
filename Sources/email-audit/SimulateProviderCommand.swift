import ArgumentParser
import Foundation
import Logging
import Server

/// `email-audit simulate-provider`: the provider simulator speaking Mailgun's HTTP API on loopback.
struct SimulateProviderCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate-provider",
        abstract: "Serve Mailgun's messages and events endpoints from the simulator, and post signed webhooks.",
        discussion: """
            Point `serve --provider mailgun --api-base-url http://HOST:PORT` at it. Webhooks are posted to \
            --webhook-url, signed with the key in --signing-key-file, and retried on Mailgun's schedule \
            (5 min, 10 min, 15 min, 1 h, 2 h, 4 h; --retry-scale shortens it for tests). \
            POST /simulator/outage (503 for every send), /simulator/rate-limit (429) and /simulator/recover \
            switch trouble on and off. --speed divides the delays between a send and its events; every \
            event is stamped with the real time it falls due.
            """)

    @Option(help: ArgumentHelp("Address to listen on.", valueName: "host:port"))
    var listen = "127.0.0.1:8026"

    @Option(help: ArgumentHelp("The sending domain.", valueName: "domain"))
    var domain = "mg.harbourlets.co.uk"

    @Option(help: ArgumentHelp("Seed of every simulated outcome.", valueName: "n"))
    var seed: UInt64 = 1

    @Option(help: ArgumentHelp("File holding the API key callers must use (any key when omitted).", valueName: "file"))
    var apiKeyFile: String?

    @Option(help: ArgumentHelp("Where to post webhooks (none when omitted). Repeat it for several receivers: each webhook goes to the next in turn, each retry to the one after.", valueName: "url"))
    var webhookURL: [String] = []

    @Option(help: ArgumentHelp("File holding the webhook signing key.", valueName: "file"))
    var signingKeyFile: String?

    @Option(help: ArgumentHelp("Divides the delays before each event (5000: two days of opens in about 35 s).", valueName: "factor"))
    var speed: Double = 1

    @Option(help: ArgumentHelp("Multiplies the webhook retry delays (e.g. 0.01 for tests).", valueName: "factor"))
    var retryScale: Double = 1

    func run() throws {
        var settings = SimulatorHTTPConfiguration()
        do {
            (settings.host, settings.port) = try ServerConfiguration.listenAddress(listen)
            settings.apiKey = try apiKeyFile.map { path throws(ConfigurationError) in try SecretFile.read(path, purpose: "API key") }
            settings.signingKey = try signingKeyFile.map { path throws(ConfigurationError) in try SecretFile.read(path, purpose: "webhook signing key") }
        } catch {
            throw CLIError("\(error)")
        }
        guard speed > 0, speed <= 100_000 else { throw CLIError("--speed must be above 0 and at most 100000") }
        guard retryScale > 0 else { throw CLIError("--retry-scale must be above 0") }
        if !webhookURL.isEmpty && settings.signingKey == nil { throw CLIError("--webhook-url needs --signing-key-file") }
        settings.domain = domain
        settings.seed = seed
        settings.webhookURLs = webhookURL
        settings.speed = speed
        settings.retryDelays = settings.retryDelays.map { $0 * retryScale }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .notice
            return handler
        }
        let simulator = SimulatorHTTP(configuration: settings, logger: Logger(label: "email-audit.simulate-provider"))
        try runBlocking { try await simulator.run() }
    }
}
