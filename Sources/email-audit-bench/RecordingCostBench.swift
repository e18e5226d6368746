import AuditCore
import AuditEngine
import Demo
import Foundation
@_spi(Benchmark) import AuditStore

/// Recording speed with and without the search indexes (schema v3's triggers), in the same
/// process and alternating rounds, so machine load falls on both alike.
struct RecordingCostBench {
    let emails: Int
    let folder: String
    let seed: UInt64

    func run() throws {
        let zone = TimeZone(identifier: "Europe/London")!
        let rounds = 4
        let perRound = max(1, emails / rounds)
        var stores: [(name: String, store: AuditDatabase, factory: DemoEmailFactory, seconds: Double)] = []
        for (name, keep) in [("with search indexes (v3)", true), ("without them (as v2)", false)] {
            let path = (folder as NSString).appendingPathComponent("email-audit-recording-\(keep ? "v3" : "v2").sqlite")
            BenchCommand.remove(path)
            let store = try AuditDatabase(path: path, timeZone: zone)
            let factory = try DemoSeeder.writePortfolio(PortfolioPlan(seed: seed), to: store, sendingDomain: "mg.example.com")
            if !keep { try store.removeSearchIndexesForBenchmark() }
            stores.append((name, store, factory, 0))
        }
        print("Recording \(Count.text(perRound * rounds)) emails into each store, in batches of 500, \(rounds) alternating rounds:")
        let start = Date().addingTimeInterval(-Double(emails) * 60)
        for round in 0..<rounds {
            for index in stores.indices {
                var rng = SeededRandom(seed: seed &+ UInt64(round))
                var recorded = 0
                let began = DispatchTime.now().uptimeNanoseconds
                while recorded < perRound {
                    let count = min(500, perRound - recorded)
                    let batch = (0..<count).map { offset in
                        stores[index].factory.makeEmail(at: start.addingTimeInterval(Double(round * perRound + recorded + offset) * 60),
                                                        using: &rng)
                    }
                    _ = try stores[index].store.record(batch)
                    recorded += count
                }
                stores[index].seconds += Double(DispatchTime.now().uptimeNanoseconds - began) / 1e9
            }
        }
        for entry in stores {
            print(String(format: "  %-26@ %.1f s = %.0f emails/s", entry.name as NSString, entry.seconds,
                         Double(perRound * rounds) / entry.seconds))
            try entry.store.close()
            BenchCommand.remove(entry.store.path)
        }
        print(String(format: "  recording with the search indexes takes %.2f× as long", stores[0].seconds / stores[1].seconds))
    }
}
