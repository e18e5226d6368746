import ArgumentParser
import AuditCore
import AuditEngine
import AuditStore
import Demo
import Foundation
import ProviderSimulator

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Open the screen on a demo store (created when missing) with the provider simulator running live.",
        discussion: "The demo store is demo.sqlite beside the default store unless --db is given. New emails are raised every few seconds and statuses move as the simulator's events arrive.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var screen: ScreenOptions

    @Option(help: "Emails in a new demo store.")
    var emails = 20_000

    @Option(help: "Days of history in a new demo store.")
    var days = 30

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    func run() throws {
        // Before the demo's own path is derived from EMAIL_AUDIT_DB's folder.
        try store.refusePostgresURL()
        var storeOptions = store
        if storeOptions.db == nil {
            let base = URL(fileURLWithPath: AuditDatabase.defaultPath(environment: store.environment))
            storeOptions.db = base.deletingLastPathComponent().appendingPathComponent("demo.sqlite").path
        }
        let isNew = !FileManager.default.fileExists(atPath: storeOptions.resolvedPath)
        let database = try storeOptions.openStore()
        let factory: DemoEmailFactory?
        let hasAgency = try database.hasAccounts()
        if isNew || !hasAgency {
            Console.print("Creating a demo store at \(database.path) (\(emails) emails over \(days) days)…")
            var bar = ProgressBar()
            let result = try DemoSeeder.seed(database, options: SeedOptions(emails: emails, days: days, seed: seed),
                                             progress: { line in
                                                 if !bar.enabled { Console.progress("\(line)") }
                                             },
                                             step: { bar.update(done: $0.emailsRaised, total: $0.emailsPlanned, events: $0.events) })
            bar.update(done: result.allEmails, total: result.allEmails, events: result.ingest.inserted, force: true)
            bar.finish()
            if !bar.enabled { Console.print("") }
            factory = result.factory
        } else {
            factory = try DemoSeeder.factory(forExisting: database, seed: seed, sendingDomain: DemoAgency.harbourLets.domain)
        }
        // Every agency's simulated domain carries on from its saved state and takes its own agency's emails.
        let providers = try DemoProviders.restore(from: database, seed: seed).0
        let engine = AuditEngine(store: database, provider: providers.main, handOverProviders: providers.handOver,
                                 eventSource: providers, clock: SystemClock(),
                                 batchInterval: 15, defaultAccountID: factory?.accountID)
        let live = LiveSimulation(engine: engine, factory: factory, seed: seed)
        live.start()
        // Saved on every way out: a normal return or error (defer), and SIGTERM/SIGHUP/SIGINT,
        // which end the process from inside the screen without running the defer.
        let stopAndSave = {
            live.stop()
            try? providers.save(to: database)
        }
        defer { stopAndSave() }
        try screen.run(database: database, providers: providers, beforeSignalExit: stopAndSave)
        if let problem = live.lastProblem { Console.print("Live simulation stopped with: \(problem)") }
    }
}
