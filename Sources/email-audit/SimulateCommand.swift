import ArgumentParser
import AuditCore
import AuditEngine
import AuditStorePostgres
import Demo
import Foundation
import ProviderSimulator

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run the provider simulator for N minutes of simulated time: hand over Pending emails and ingest its events.",
        discussion: "Unlike `demo`, simulate raises no new emails: it only moves the emails already in the store on (hand-over, delivery, opens, bounces). The simulator carries on from where the last run (or `seed`) stopped: its clock, the events still due (retries, later opens) and its suppression lists are kept in the store. With no saved state the clock starts now. It moves in one-minute steps; batches go every 5 minutes.")

    @OptionGroup var store: StoreOptions

    @Option(help: "Minutes of simulated time.")
    var minutes: Int

    @Option(help: "Random seed of the simulator.")
    var seed: UInt64 = 1

    func run() throws {
        guard minutes > 0 else { throw CLIError("--minutes must be at least 1") }
        let database = try store.openDemoStores(existing: true)[0]
        defer { (database as? PostgresAuditStore)?.connection.close() }
        // Every demo agency's simulated domain carries on and takes its own agency's Pending emails.
        let (providers, saved) = try DemoProviders.restore(from: database, seed: seed)
        let start = saved ?? Date()
        let clock = ManualClock(start)
        let engine = AuditEngine(recorder: database, queue: database, ingest: database, digests: database, provider: providers.main, handOverProviders: providers.handOver,
                                 eventSource: providers, clock: clock,
                                 defaultAccountID: try database.accounts().map(\.id).min())
        var handedOver = 0, inserted = 0, changes = 0
        var deferred: String?
        for minute in 0...minutes {
            if minute > 0 { clock.advance(by: 60) }
            let tick = try engine.tick()
            handedOver += tick.handOver?.handedOver ?? 0
            if tick.handOver?.deferred == true { deferred = tick.handOver?.providerProblem }
            inserted += tick.ingest.inserted
            changes += tick.ingest.statusChanges
        }
        try providers.save(to: database)
        let format = UKDateFormat(timeZone: database.timeZone)
        Console.print("Simulated \(minutes) min (\(format.dateTime(start)) to \(format.dateTime(clock.now))): \(handedOver) emails handed over, \(inserted) events, \(changes) status changes; \(providers.queuedEventCount) events still due")
        if let deferred { Console.print("Provider unavailable at times (\(deferred)); those emails stay Pending") }
        Console.print("No new emails were raised (simulate only moves existing ones on; `email-audit demo` raises new ones as it runs)")
    }
}
