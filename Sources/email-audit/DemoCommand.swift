import ArgumentParser
import AuditCore
import AuditEngine
import AuditStore
import AuditStorePostgres
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
        var storeOptions = store
        // A SQLite demo's own path is derived from the default store's folder (EMAIL_AUDIT_DB's
        // when that is a path); a PostgreSQL URL is the demo's database itself.
        if case .sqlite = store.location, storeOptions.db == nil {
            let base = URL(fileURLWithPath: AuditDatabase.defaultPath(environment: store.environment))
            storeOptions.db = base.deletingLastPathComponent().appendingPathComponent("demo.sqlite").path
        }
        // PostgreSQL: the live simulation writes on one connection while the screen reads on
        // another (SQLite: one store; its reads see snapshots of their own).
        let stores = try storeOptions.openDemoStores(existing: false, count: 2)
        let database = stores[0]
        let screenStore: ReadableStore
        if let postgres = stores[1] as? PostgresAuditStore {
            screenStore = .postgres(postgres)
        } else {
            screenStore = .sqlite(database as! AuditDatabase)
        }
        defer { for case let postgres as PostgresAuditStore in stores { postgres.connection.close() } }
        let factory: DemoEmailFactory?
        if try database.accounts().isEmpty {
            Console.print("Creating a demo store at \(database.storeDescription) (\(emails) emails over \(days) days)…")
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
        let engine = AuditEngine(recorder: database, queue: database, ingest: database, digests: database,
                                 provider: providers.main, handOverProviders: providers.handOver,
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
        try screen.run(store: screenStore, providers: providers, beforeSignalExit: stopAndSave)
        if let problem = live.lastProblem { Console.print("Live simulation stopped with: \(problem)") }
    }
}
