import AuditCore
import AuditStore
import Demo
import Foundation
import Testing
@testable import AuditEngine

/// A seeded, time-bounded fuzz target for the one ingest path (issue 9).
///
/// Each round takes the real Mailgun events of the reference fixture, mutates some of them
/// structurally (fields removed, retyped, made huge, NUL, implausible times, webhook
/// wrapping) and byte-wise (flips, insertions of any byte but a newline, cuts, invalid
/// UTF-8), writes them as a JSON-lines file, ingests it, and checks: no crash; every error is
/// one line naming a line of the file and a field; every line is accounted for; the
/// unmutated lines are stored; ingesting the file again adds nothing; `PRAGMA
/// integrity_check` is ok; the roll-ups equal the counted rows.
///
/// CI runs it for a few seconds. Longer: `FUZZ_SECONDS=300 make fuzz` (`FUZZ_SEED` picks the seed).
@Suite("Ingest fuzzing")
struct IngestFuzzTests {
    static let now = Date(timeIntervalSince1970: 1_795_176_000)  // 20/11/2026 12:00 UTC

    static var budget: TimeInterval {
        ProcessInfo.processInfo.environment["FUZZ_SECONDS"].flatMap(Double.init) ?? 3
    }

    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["FUZZ_SEED"].flatMap(UInt64.init) ?? 20_261_202
    }

    @Test func mutatedMailgunEventsNeverBreakTheStore() throws {
        let originals = try TestStore.fixtureLines("reference-examples.jsonl").filter { !$0.isEmpty }
        let harness = try TestStore()
        var random = SeededRandom(seed: Self.seed)
        let deadline = Date().addingTimeInterval(Self.budget)
        var rounds = 0, lines = 0, refused = 0
        // Chunks of 3 lines, two to a transaction: a file's transactions group chunks as on a real ingest.
        let ingestor = EventIngestor(store: harness.store, batchSize: 7, chunkSize: 3, clock: ManualClock(Self.now))
        repeat {
            rounds += 1
            var file: [[UInt8]] = []
            var untouched: [String] = []
            for _ in 0..<Int.random(in: 5...30, using: &random) {
                let original = originals.randomElement(using: &random)!
                switch Int.random(in: 0..<10, using: &random) {
                case 0..<3:
                    file.append(Array(original.utf8))
                    untouched.append(original)
                case 3..<7: file.append(Array(Self.structural(original, using: &random).utf8))
                default: file.append(Self.byteWise(Array(original.utf8), using: &random))
                }
            }
            lines += file.count
            let url = harness.folder.appendingPathComponent("fuzz-\(rounds % 2).jsonl")
            try Data(file.joined(separator: [0x0A]) + [0x0A]).write(to: url)

            let first = try ingestor.ingest(fileAt: url.path)
            refused += first.malformed
            let context = "seed \(Self.seed) round \(rounds)"
            let nonBlank = file.filter { line in !line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D } }.count
            #expect(first.lines == nonBlank, "\(context): every line is read once")
            #expect(first.inserted + first.duplicates + first.ignored + first.malformed == first.lines, "\(context)")
            for problem in first.problems {
                let text = "\(problem)"
                #expect(!text.contains("\n") && !text.contains("\r"), "\(context): one line: \(text)")
                #expect((1...file.count).contains(problem.line) && !problem.field.isEmpty, "\(context): \(text)")
                #expect(text.hasPrefix("line \(problem.line): field \"\(problem.field)\": "), "\(context): \(text)")
            }
            // The unmutated lines were stored: giving them again finds them all.
            let again = try ingestor.ingest(lines: untouched)
            #expect(again.inserted == 0 && again.malformed == 0, "\(context): unmutated lines were not all stored")
            // Re-ingesting the whole file adds nothing.
            let emails = try harness.store.emailCount(), events = try harness.store.eventCount()
            let second = try ingestor.ingest(fileAt: url.path)
            #expect(second.inserted == 0 && second.statusChanges == 0 && second.createdEmails == 0, "\(context): re-ingest added \(second)")
            #expect(try harness.store.emailCount() == emails && harness.store.eventCount() == events, "\(context)")
            #expect(try harness.store.integrityProblems(full: true).isEmpty, "\(context)")
            #expect(try harness.store.rollupMismatches() == 0, "\(context): roll-ups differ from the rows")
        } while Date() < deadline
        #expect(rounds > 0 && lines > 0)
        print("ingest fuzz: seed \(Self.seed), \(rounds) rounds, \(lines) lines, \(refused) refused, \(Self.budget) s")
    }

    // MARK: Mutations

    static let hostileStrings: [String] = [
        "", " ", "a\u{0}b", "\u{0}", String(repeating: "x", count: 20_000), "\u{1B}[2J", "\u{202E}evil", "=1+1",
        "ünïcödé 👩‍👩‍👧", "\u{FFFD}", "1e300", "-1", "9999999999999", "null", "<>", "<a@b>", "\\", "\"",
    ]

    static let hostileNumbers: [Double] = [
        0, -1, 1e300, -1e300, 9.3e12, 1e12, 946_684_799, 1_795_262_401, 1_741_947_302.5, 9.3e18, 1.5, 2_147_483_648, 1e-300,
    ]

    static func hostileValue(using random: inout SeededRandom) -> Any {
        switch Int.random(in: 0..<7, using: &random) {
        case 0: return hostileStrings.randomElement(using: &random)!
        case 1: return NSNumber(value: hostileNumbers.randomElement(using: &random)!)
        case 2: return NSNull()
        case 3: return Bool.random(using: &random)
        case 4: return [hostileStrings.randomElement(using: &random)!, 1]
        case 5: return ["nested": ["deeper": hostileStrings.randomElement(using: &random)!]]
        default: return String(hostileNumbers.randomElement(using: &random)!)
        }
    }

    /// Every (path, container) pair of an object tree, for picking a place to mutate.
    static func paths(_ value: Any, prefix: [String] = []) -> [[String]] {
        guard let object = value as? [String: Any] else { return [] }
        var result: [[String]] = []
        for (key, member) in object {
            result.append(prefix + [key])
            result += paths(member, prefix: prefix + [key])
        }
        return result
    }

    static func setting(_ object: [String: Any], _ path: [String], to value: Any?) -> [String: Any] {
        var copy = object
        guard let head = path.first else { return copy }
        if path.count == 1 {
            copy[head] = value
        } else if let inner = copy[head] as? [String: Any] {
            copy[head] = setting(inner, Array(path.dropFirst()), to: value)
        }
        return copy
    }

    static func structural(_ line: String, using random: inout SeededRandom) -> String {
        guard var object = (try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any] else { return line }
        for _ in 0..<Int.random(in: 1...3, using: &random) {
            let keys = paths(object).sorted { $0.joined(separator: ".") < $1.joined(separator: ".") }
            let important: [[String]] = [["timestamp"], ["id"], ["event"], ["recipient"], ["message", "headers", "message-id"],
                                         ["message", "headers", "subject"], ["user-variables", "audit-id"],
                                         ["delivery-status", "code"], ["delivery-status", "attempt-no"]]
            let path = Bool.random(using: &random) ? important.randomElement(using: &random)! : (keys.randomElement(using: &random) ?? ["id"])
            switch Int.random(in: 0..<4, using: &random) {
            case 0: object = setting(object, path, to: nil)
            case 1: object = setting(object, path, to: hostileValue(using: &random))
            case 2: object["unknown-\(Int.random(in: 0..<5, using: &random))"] = hostileValue(using: &random)
            default: object = setting(object, path, to: hostileStrings.randomElement(using: &random)!)
            }
        }
        var root: Any = object
        if Int.random(in: 0..<5, using: &random) == 0 {
            root = ["signature": ["timestamp": "1", "token": "t", "signature": "s"], "event-data": object]
        }
        guard let data = try? JSONSerialization.data(withJSONObject: root) else { return line }
        return String(decoding: data, as: UTF8.self)
    }

    static func byteWise(_ bytes: [UInt8], using random: inout SeededRandom) -> [UInt8] {
        var bytes = bytes
        for _ in 0..<Int.random(in: 1...4, using: &random) where !bytes.isEmpty {
            let at = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<5, using: &random) {
            case 0: bytes[at] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
            case 1: bytes.insert(UInt8.random(in: 0...255, using: &random), at: at)
            case 2: bytes.removeSubrange(at..<min(bytes.count, at + Int.random(in: 1...40, using: &random)))
            case 3: bytes.insert(contentsOf: [0xFF, 0xFE, 0xC3, 0x00].shuffled(using: &random).prefix(2), at: at)
            default: bytes = Array(bytes.prefix(at))
            }
        }
        // Newlines would split the line; they are another test's business.
        return bytes.map { $0 == 0x0A || $0 == 0x0D ? 0x20 : $0 }
    }
}
