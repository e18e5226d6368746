import AuditCore
import Foundation
import Testing
@testable import AuditEngine

/// ``IngestLanes``: a file's events dealt out to several writers by message.
@Suite("Ingest lanes")
struct IngestLanesTests {
    /// An event of message `message`, numbered `n` (its provider event id).
    func event(_ n: Int, message: String) -> IncomingEvent {
        let at = Date(timeIntervalSince1970: 1_764_000_000 + Double(n))
        let id = "ev-\(n)"
        return IncomingEvent(messageID: message, recipient: "tenant@example.com",
                             event: ProviderEvent(key: ProviderEvent.makeKey(providerEventID: id, kind: "delivered",
                                                                             recipient: "tenant@example.com", occurredAt: at),
                                                  providerEventID: id, kind: .delivered, occurredAt: at),
                             rawJSON: "{}")
    }

    /// A prepared batch of `events` whose report read `lines` lines.
    func batch(_ events: [IncomingEvent], lines: Int) -> EventIngestor.PreparedBatch {
        var prepared = EventIngestor.PreparedBatch()
        prepared.incoming = events
        prepared.report.lines = lines
        return prepared
    }

    @Test func oneLaneHandsEachBatchOnAtOnce() {
        var lanes = IngestLanes(count: 1, batchSize: 4)
        let events = (0..<3).map { event($0, message: "m\($0)@mg.example") }
        let ready = lanes.add(batch(events, lines: 3))
        #expect(ready.count == 1)
        #expect(ready.first?.lane == 0)
        #expect(ready.first?.batch.incoming == events)
        #expect(lanes.drain().isEmpty)
    }

    @Test func everyEventOfAMessageGoesToOneLaneInTheFilesOrder() {
        // 60 messages, each with events spread over three input batches of 40 events.
        let file = (0..<120).map { event($0, message: "m\($0 % 60)@mg.example") }
        var lanes = IngestLanes(count: 2, batchSize: 25)
        var out: [(lane: Int, batch: EventIngestor.PreparedBatch)] = []
        for start in stride(from: 0, to: file.count, by: 40) {
            out += lanes.add(batch(Array(file[start..<start + 40]), lines: 41))
        }
        out += lanes.drain()
        #expect(lanes.drain().isEmpty)

        // Each event exactly once; each lane's events in the file's order.
        #expect(out.flatMap(\.batch.incoming).count == file.count)
        #expect(Set(out.flatMap(\.batch.incoming)) == Set(file))
        for lane in 0..<2 {
            let events = out.filter { $0.lane == lane }.flatMap(\.batch.incoming)
            #expect(events == file.filter { IngestLanes.lane(of: $0.messageID, among: 2) == lane })
            #expect(!events.isEmpty, "60 messages fall into both lanes")
        }
        // A message's events never cross lanes.
        var laneOfMessage: [String: Int] = [:]
        for (lane, batch) in out {
            for event in batch.incoming {
                #expect(laneOfMessage[event.messageID, default: lane] == lane)
                laneOfMessage[event.messageID] = lane
            }
        }
        // Full lanes go on as whole batches; only the last of each lane may be smaller.
        for lane in 0..<2 {
            let sizes = out.filter { $0.lane == lane }.map(\.batch.incoming.count)
            #expect(sizes.dropLast().allSatisfy { $0 >= 25 })
        }
        // Every line read is counted once, whichever lane carried the report.
        #expect(out.map(\.batch.report.lines).reduce(0, +) == 123)
    }

    @Test func aBatchOfOnlyBadLinesIsStillReported() {
        var lanes = IngestLanes(count: 2, batchSize: 10)
        var prepared = batch([], lines: 2)
        prepared.report.malformed = 2
        #expect(lanes.add(prepared).isEmpty)
        let drained = lanes.drain()
        #expect(drained.count == 1)
        #expect(drained.first?.batch.report.malformed == 2)
    }
}
