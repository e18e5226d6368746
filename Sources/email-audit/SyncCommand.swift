import ArgumentParser
import AuditCore
import AuditEngine
import Foundation
import Server

/// `email-audit sync`: fill gaps from Mailgun's Events API.
struct SyncCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Read Mailgun's Events API from the stored cursor and store every event once (fills gaps when webhooks were missed).",
        discussion: "Uses the [provider] settings of the config file; flags override them. Runs once, or with --follow every --interval seconds. Works on a SQLite file or a PostgreSQL database (the cursor is kept in the store).")

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("The config file (TOML).", valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("Mailgun API root, e.g. https://api.mailgun.net.", valueName: "url"))
    var apiBaseURL: String?

    @Option(help: ArgumentHelp("File holding the Mailgun API key.", valueName: "file"))
    var apiKeyFile: String?

    @Option(help: ArgumentHelp("The Mailgun sending domain.", valueName: "domain"))
    var domain: String?

    @Flag(help: "Keep polling.")
    var follow = false

    @Option(help: ArgumentHelp("Seconds between passes with --follow.", valueName: "seconds"))
    var interval = 60

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        var settings: ServerConfiguration
        do {
            settings = try ServerConfiguration.load(path: config ?? ServerConfiguration.defaultFilePath(environment: environment))
        } catch {
            throw CLIError("\(error)")
        }
        if let apiBaseURL { settings.apiBaseURL = apiBaseURL }
        if let apiKeyFile { settings.apiKeyFile = apiKeyFile }
        if let domain { settings.domain = domain }
        guard let keyFile = settings.apiKeyFile else { throw CLIError("sync needs --api-key-file (or provider.api_key_file)") }
        guard interval > 0 else { throw CLIError("--interval must be a positive number of seconds") }
        let apiKey: String
        do { apiKey = try SecretFile.read(keyFile, purpose: "Mailgun API key") } catch { throw CLIError("\(error)") }
        var options = store
        if options.db == nil { options.db = settings.databasePath }
        let postgres = try options.openPostgresStores()?[0]
        defer { postgres?.connection.close() }
        let database: any EventsSyncStore = try postgres ?? options.openStore()
        let ingestor = EventIngestor(store: database, defaultAccountID: try database.accounts().first?.id)
        let sync = EventsSync(baseURL: settings.apiBaseURL, domain: settings.domain, apiKey: apiKey, ingestor: ingestor, store: database)
        let follow = self.follow, interval = self.interval
        try runBlocking {
            repeat {
                do {
                    let report = try await sync.runOnce()
                    Console.print("\(report.pages) pages, \(report.events) events read, \(report.inserted) new")
                } catch {
                    if !follow { throw CLIError("\(error)") }
                    Console.printError("sync: \(error)")
                }
                if follow { try await Task.sleep(nanoseconds: UInt64(interval) * 1_000_000_000) }
            } while follow
        }
    }
}
