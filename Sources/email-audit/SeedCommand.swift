import ArgumentParser
import AuditEngine
import AuditStorePostgres
import Demo
import Foundation

struct SeedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "seed",
        abstract: "Build a demo agency and its email history, every status coming from simulated Mailgun events.")

    @OptionGroup var store: StoreOptions

    @Option(help: "How many emails to raise.")
    var emails = 20_000

    @Option(help: "Over how many days before now.")
    var days = 30

    @Option(help: "Random seed: the same seed gives the same agency and history.")
    var seed: UInt64 = 1

    @Flag(help: "Print nothing but the summary.")
    var quiet = false

    @Option(help: ArgumentHelp("Pretend it is this time (dd/mm/yyyy HH:mm); for reproducible screenshots.", visibility: .hidden))
    var now: String?

    func run() throws {
        guard emails >= 0 else { throw CLIError("--emails must be 0 or more") }
        guard days >= 1 else { throw CLIError("--days must be at least 1") }
        let pinned = try now.map { try parseNow($0, zone: try store.resolvedTimeZone()) }
        let database = try store.openDemoStores(existing: false)[0]
        defer { (database as? PostgresAuditStore)?.connection.close() }
        let started = Date()
        do {
            var bar = ProgressBar(enabled: !quiet && isatty(STDERR_FILENO) == 1)
            let result = try DemoSeeder.seed(database, options: SeedOptions(emails: emails, days: days, seed: seed, now: pinned ?? Date()),
                                             progress: { line in
                                                 // On a terminal the bar says it; elsewhere a line per day.
                                                 if !quiet, !bar.enabled { Console.print("\(line)") }
                                             },
                                             step: { bar.update(done: $0.emailsRaised, total: $0.emailsPlanned, events: $0.events) })
            bar.update(done: result.allEmails, total: result.allEmails, events: result.ingest.inserted, force: true)
            bar.finish()
            let seconds = Date().timeIntervalSince(started)
            Console.print("Seeded \(database.storeDescription): \(result.allEmails) emails in \(DemoAgency.all.count) agencies, \(result.ingest.inserted) events in \(String(format: "%.1f", seconds)) s")
        } catch let error as EngineError {
            throw CLIError(error.description)
        }
    }
}
