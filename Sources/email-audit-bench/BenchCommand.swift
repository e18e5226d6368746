import ArgumentParser
import AuditCore
import AuditEngine
import AuditStore
import Foundation

/// `email-audit-bench`: builds a large store through the real pipeline and measures it.
@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "email-audit-bench",
        abstract: "Build a store of N emails through the feeder, simulator and ingest path, then time the queries the screens run.")

    @Option(help: "Emails in the store.")
    var emails = 1_000_000

    @Option(help: "Days of history (three years by default).")
    var days = 1_095

    @Option(help: "Store file; reused when it already holds the same number of emails.")
    var db = FileManager.default.temporaryDirectory.appendingPathComponent("email-audit-bench.sqlite").path

    @Option(help: "Samples per query kind.")
    var samples = 300

    @Option(help: "Random seed.")
    var seed: UInt64 = 7

    @Flag(help: "Delete the store first even if it could be reused.")
    var rebuild = false

    @Flag(help: "Skip the screen measurements.")
    var skipScreen = false

    func run() throws {
        let zone = TimeZone(identifier: "Europe/London")!
        // Pin "now" to the store's build day so reruns on a reused store measure the same ranges.
        if rebuild { Self.remove(db) }
        var store = try AuditDatabase(path: db, timeZone: zone)
        if try store.emailCount() != emails {
            Self.remove(db)
            store = try AuditDatabase(path: db, timeZone: zone)
            try build(store)
        } else {
            print("Reusing \(db) (\(try store.emailCount()) emails, \(try store.eventCount()) events)")
        }
        let newest = try store.summaries(matching: EmailFilter(dateRange: .all), from: nil, direction: .older, limit: 1, now: Date())
        let now = newest.first?.createdAt ?? Date()
        try QueryBench(store: store, now: now, samples: samples, seed: seed).run()
        if !skipScreen { try ScreenBench(store: store, now: now, samples: samples).run() }
        print(String(format: "peak RSS: %.1f MB", Memory.peakResidentMegabytes()))
    }

    func build(_ store: AuditDatabase) throws {
        print("Building \(emails) emails over \(days) days in \(db) …")
        let started = Date()
        var options = SeedOptions(emails: emails, days: days, seed: seed, now: Date())
        // Hourly batches: the feeder's cadence does not matter here, and fewer, larger ingest
        // transactions are what a busy production store sees.
        options.batchInterval = 3_600
        var lastPrint = Date()
        let result = try DemoSeeder.seed(store, options: options) { line in
            if Date().timeIntervalSince(lastPrint) > 10 {
                lastPrint = Date()
                print("  " + line)
            }
        }
        let total = Date().timeIntervalSince(started)
        let events = result.ingest.inserted + result.ingest.duplicates
        print(String(format: "built in %.0f s: %d emails, %d events", total, result.emails, result.ingest.inserted))
        print(String(format: "ingest: %d events in %.1f s = %.0f events/s (decode + store + re-derive + roll-ups, in batches)",
                     events, result.ingest.seconds, Double(events) / max(result.ingest.seconds, 0.001)))
        print(String(format: "peak RSS after build: %.1f MB", Memory.peakResidentMegabytes()))
    }

    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}
