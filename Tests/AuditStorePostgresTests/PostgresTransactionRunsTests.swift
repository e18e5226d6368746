import AuditCore
import Foundation
import Testing
@testable import AuditStorePostgres

/// ``PostgresAuditStore/runs(of:messagesAtMost:)``: a batch cut into transactions of at most so
/// many messages (one advisory lock each), in order, every event once.
@Suite struct PostgresTransactionRunsTests {
    func event(_ message: String, _ n: Int) -> IncomingEvent {
        IncomingEvent(messageID: "\(message)@mg.example.net", recipient: "a@example.net",
                      event: ProviderEvent(key: "\(message)-\(n)", providerEventID: "\(message)-\(n)", kind: .delivered,
                                           occurredAt: Date(timeIntervalSince1970: 1_780_000_000 + Double(n))),
                      rawJSON: "{}")
    }

    @Test func cutsBeforeTheMessageThatWouldPassTheLimit() {
        let messages = ["a", "a", "b", "c", "a", "d", "e", "e"]
        let batch = messages.enumerated().map { event($0.element, $0.offset) }
        let runs = PostgresAuditStore.runs(of: batch, messagesAtMost: 2)
        #expect(runs.map { $0.map { $0.messageID.prefix(1) } } == [["a", "a", "b"], ["c", "a"], ["d", "e", "e"]])
        #expect(runs.flatMap { $0 } == batch)
    }

    @Test func aBatchWithinTheLimitIsOneRun() {
        let batch = (0..<50).map { event("m\($0 % 7)", $0) }
        #expect(PostgresAuditStore.runs(of: batch, messagesAtMost: 7).count == 1)
        // Seven messages in turn, six at most: each run is six events (the next is a seventh).
        let sixes = PostgresAuditStore.runs(of: batch, messagesAtMost: 6)
        #expect(sixes.map(\.count) == [6, 6, 6, 6, 6, 6, 6, 6, 2])
        #expect(PostgresAuditStore.runs(of: [], messagesAtMost: 2).isEmpty)
    }
}
