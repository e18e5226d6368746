import AuditCore
import AuditStore
import Demo
import Foundation
import Mailgun
import Testing
@testable import AuditEngine

/// The ingest decodes events with ``MailgunEventDecoder/Fields/ingest`` (members it never reads
/// are skipped): every line must give exactly what the full decode gives once mapped — the
/// same ``IncomingEvent``, the same "ignored", the same refusal or the same decoding error.
@Suite("Ingest-only decoding")
struct IngestFieldsDecodingTests {
    static let now = Date(timeIntervalSince1970: 1_795_176_000)  // 20/11/2026 12:00 UTC

    /// The mapped result of a line, comparable.
    enum Mapped: Equatable {
        case event(IncomingEvent)
        case ignored(String)
        case refused(String, String)
        case failed(MailgunDecodingError)
    }

    static func mapped(_ line: String, fields: MailgunEventDecoder.Fields) -> Mapped {
        do {
            let decoded = try MailgunEventDecoder.decode(line: line, lineNumber: 7, fields: fields)
            switch MailgunEventMapping.map(decoded, now: now) {
            case .event(let event): return .event(event)
            case .ignored(let kind): return .ignored(kind)
            case .refused(let field, let problem): return .refused(field, problem)
            }
        } catch {
            return .failed(error)
        }
    }

    @Test func simulatorEventsMapTheSame() throws {
        var options = SeedOptions(emails: 300, days: 20, seed: 11, now: Date(timeIntervalSince1970: 1_795_000_020))
        options.extraAgencies = false
        options.batchInterval = 3_600
        let harness = try TestStore()
        let lines = LockedLines()
        _ = try DemoSeeder.seedInBulk(harness.store, options: options, events: { lines.append($0) })
        let all = lines.all
        #expect(all.count > 600)
        var kinds: Set<String> = []
        for line in all {
            let lean = Self.mapped(line, fields: .ingest)
            #expect(lean == Self.mapped(line, fields: .all), "\(line.prefix(200))")
            if case .event(let event) = lean { kinds.insert(event.event.kind.rawValue) }
        }
        #expect(kinds.count >= 4, "several kinds of event: \(kinds.sorted())")
    }

    @Test func referenceAndMutatedEventsMapTheSame() throws {
        let originals = try TestStore.fixtureLines("reference-examples.jsonl").filter { !$0.isEmpty }
        var random = SeededRandom(seed: 20_261_204)
        var lines = originals
        for _ in 0..<3_000 {
            let original = originals.randomElement(using: &random)!
            if Bool.random(using: &random) {
                lines.append(IngestFuzzTests.structural(original, using: &random))
            } else {
                lines.append(String(decoding: IngestFuzzTests.byteWise(Array(original.utf8), using: &random), as: UTF8.self))
            }
        }
        var failures = 0, events = 0
        for line in lines {
            let lean = Self.mapped(line, fields: .ingest)
            #expect(lean == Self.mapped(line, fields: .all), "\(line.prefix(300))")
            if case .failed = lean { failures += 1 }
            if case .event = lean { events += 1 }
        }
        #expect(failures > 100 && events > 100, "both outcomes exercised: \(failures) errors, \(events) events")
    }

    @Test(arguments: [
        // Members the ingest skips, of every type and malformed inside.
        #"{"event":"delivered","id":"a1b2","timestamp":1700000000.5,"recipient":"a@b.example","message":{"headers":{"message-id":"m@x"},"recipients":[1,{"a":[]}],"size":"12"},"envelope":{"targets":[1,2],"sender":null},"tags":{"x":1},"storage":[],"geolocation":"x","client-info":7,"log-level":["info"],"method":{"a":"b"},"ip":null}"#,
        #"{"event":"failed","id":"a1b2","timestamp":"1700000000","severity":"permanent","recipient":"a@b.example","message":{"headers":{"message-id":"<m@x>","to":"A <A@B.example>","subject":"S"},"attachments":[{"filename":"f.pdf","content-type":7,"size":"x"},"junk"]},"delivery-status":{"code":"550","tls":"yes","session-seconds":"slow","bounce-type":1,"certificate-verified":null,"message":"no"},"flags":{"is-delayed-bounce":"true","is-routed":[]}}"#,
        // Syntax errors inside skipped members are still errors.
        #"{"event":"delivered","id":"a1b2","timestamp":1700000000,"message":{"headers":{"message-id":"m@x"}},"envelope":{"sender":"x",}}"#,
        #"{"event":"delivered","id":"a1b2","timestamp":1700000000,"message":{"headers":{"message-id":"m@x"}},"tags":[1 2]}"#,
        #"{"event":"delivered","id":"a1b2","timestamp":1700000000,"message":{"headers":{"message-id":"m@x"},"size":01}}"#,
        // A webhook body, and required fields missing.
        #"{"signature":{"timestamp":"1","token":"t","signature":"s"},"event-data":{"event":"opened","id":"q","timestamp":1700000000,"recipient":"a@b.example","message":{"headers":{"message-id":"m@x"}},"client-info":{"bot":"no"}}}"#,
        #"{"event":"delivered","timestamp":1700000000,"envelope":{}}"#,
        #"{"id":"x","timestamp":1700000000,"storage":{"url":"u"}}"#,
    ])
    func oddLinesMapTheSame(line: String) {
        #expect(Self.mapped(line, fields: .ingest) == Self.mapped(line, fields: .all))
    }

    @Test func theIngestFieldsLeaveTheOthersOut() throws {
        let line = #"{"event":"delivered","id":"a1b2","timestamp":1700000000,"recipient":"a@b.example","message":{"headers":{"message-id":"m@x"},"size":12},"tags":["t"],"envelope":{"sender":"s@x"},"delivery-status":{"code":250,"tls":true},"flags":{"is-delayed-bounce":true,"is-routed":true}}"#
        let lean = try MailgunEventDecoder.decode(line: line, lineNumber: 1, fields: .ingest).event
        let full = try MailgunEventDecoder.decode(line: line, lineNumber: 1).event
        #expect(full.tags == ["t"] && full.envelope?.sender == "s@x" && full.message?.size == 12)
        #expect(lean.tags.isEmpty && lean.envelope == nil && lean.message?.size == nil)
        #expect(lean.deliveryStatus?.code == 250 && lean.deliveryStatus?.tls == nil && full.deliveryStatus?.tls == true)
        #expect(lean.flags?.isDelayedBounce == true && lean.flags?.isRouted == nil)
    }
}

/// Event lines collected from the seeder's thread.
final class LockedLines: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    func append(_ more: [String]) {
        lock.lock()
        lines += more
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return lines
    }
}
