import AuditCore
import AuditStore
import Foundation
import Testing
@testable import AuditEngine

@Suite("The ingest path")
struct IngestTests {
    @Test func ingestingTheSameLinesTwiceChangesNothing() throws {
        let harness = try TestStore()
        let lines = try TestStore.fixtureLines("reference-examples.jsonl")
        let ingestor = EventIngestor(store: harness.store)
        let first = try ingestor.ingest(lines: lines)
        let token = try harness.store.changeToken()
        let emails = try harness.store.emailCount(), events = try harness.store.eventCount()
        let second = try ingestor.ingest(lines: lines)
        #expect(first.inserted == 9)
        #expect(second.inserted == 0)
        #expect(second.duplicates == 9)
        #expect(second.statusChanges == 0)
        #expect(try harness.store.emailCount() == emails)
        #expect(try harness.store.eventCount() == events)
        _ = token
    }

    @Test func aMalformedLineIsNamedAndTheRestIsKept() throws {
        let harness = try TestStore()
        var lines = try TestStore.fixtureLines("reference-examples.jsonl")
        lines.insert(#"{"event": "delivered", "id": "x1", "timestamp": "yesterday"}"#, at: 2)
        lines.insert("this is not json", at: 4)
        lines.insert("", at: 5)
        let file = harness.folder.appendingPathComponent("events.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let report = try EventIngestor(store: harness.store, batchSize: 3).ingest(fileAt: file.path)
        #expect(report.problems.count == 2)
        #expect(report.problems.map(\.line) == [3, 5])
        #expect(report.problems.first?.field == "timestamp")
        #expect(report.inserted == 9)
        #expect("\(report.problems[0])".contains("line 3"))
    }

    @Test func outOfOrderArrivalGivesTheSameStatus() throws {
        let lines = try TestStore.fixtureLines("reference-examples.jsonl")
        let forwards = try TestStore(), backwards = try TestStore()
        _ = try EventIngestor(store: forwards.store).ingest(lines: lines)
        _ = try EventIngestor(store: backwards.store).ingest(lines: lines.reversed())
        let filter = EmailFilter(dateRange: .all)
        let a = try forwards.store.summaries(matching: filter, from: nil, direction: .older, limit: 50, now: Date())
        let b = try backwards.store.summaries(matching: filter, from: nil, direction: .older, limit: 50, now: Date())
        #expect(Dictionary(uniqueKeysWithValues: a.map { ("\($0.to)|\($0.subject)", $0.status) })
            == Dictionary(uniqueKeysWithValues: b.map { ("\($0.to)|\($0.subject)", $0.status) }))
    }
}
