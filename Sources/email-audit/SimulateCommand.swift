import ArgumentParser
import AuditCore
import AuditEngine
import Foundation
import ProviderSimulator

struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run the provider simulator for N minutes of simulated time: hand over Pending emails and ingest its events.",
        discussion: "The simulated clock starts now and moves in one-minute steps; batches go every 5 minutes. Events the simulator would report after the last minute are not kept.")

    @OptionGroup var store: StoreOptions

    @Option(help: "Minutes of simulated time.")
    var minutes: Int

    @Option(help: "Random seed of the simulator.")
    var seed: UInt64 = 1

    func run() throws {
        guard minutes > 0 else { throw CLIError("--minutes must be at least 1") }
        let database = try store.openExistingStore()
        let simulator = MailgunSimulator(seed: seed)
        let clock = ManualClock(Date())
        let engine = AuditEngine(store: database, provider: simulator, eventSource: simulator, clock: clock,
                                 defaultAccountID: try database.accounts().first?.id)
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
        print("Simulated \(minutes) min: \(handedOver) emails handed over, \(inserted) events, \(changes) status changes")
        if let deferred { print("Provider unavailable at times (\(deferred)); those emails stay Pending") }
    }
}
