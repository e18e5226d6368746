import AuditCore
import AuditStore
import Foundation
import Testing
@testable import AuditEngine

/// The file ingest compacts a batch's raw JSON ahead of the store on several threads, each its
/// own part of the batch in place: the result is the one compactor's, event for event.
@Suite("Raw JSON compaction")
struct RawJSONCompactionTests {
    @Test func compactingOnSeveralThreadsEqualsOneCompactor() {
        let events = (0..<1_001).map { n -> IncomingEvent in
            let at = Date(timeIntervalSince1970: 1_764_000_000 + Double(n))
            let id = "ev-\(n)"
            return IncomingEvent(messageID: "m\(n % 37)@mg.example", recipient: "tenant\(n % 5)@example.com",
                                 event: ProviderEvent(key: ProviderEvent.makeKey(providerEventID: id, kind: "delivered",
                                                                                 recipient: "tenant@example.com", occurredAt: at),
                                                      providerEventID: id, kind: .delivered, occurredAt: at),
                                 rawJSON: #"{"id":"\#(id)","event":"delivered","timestamp":\#(1_764_000_000 + n),"note":"\#(String(repeating: "x", count: n % 50))"}"#)
        }
        var alone = events
        RawJSONCompactor().prepare(&alone)
        var together = events
        EventIngestor.compact(&together, concurrently: true)
        #expect(together.count == events.count)
        #expect(together.allSatisfy { $0.packedRawJSON != nil })
        #expect(together.map(\.packedRawJSON) == alone.map(\.packedRawJSON))
        #expect(together.map(\.event.providerEventID) == events.map(\.event.providerEventID))
    }
}
