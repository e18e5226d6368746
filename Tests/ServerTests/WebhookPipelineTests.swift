import AuditEngine
import AuditCore
import AuditStore
import Foundation
import Logging
@testable import Server
import Testing

/// The webhook pipeline after the verifier: each request prepares its own webhook (mapping and
/// raw JSON compaction) on its own task while the writer commits the group before it; the
/// writer then does one transaction per group and answers each waiter only after it.
@Suite struct WebhookPipelineTests {
    /// A counter shared by concurrent tasks.
    final class Counter: @unchecked Sendable {
        private let lock = NSLock()
        private var value = 0
        func increment() -> Int { lock.lock(); defer { lock.unlock() }; value += 1; return value }
    }

    @Test func concurrentWebhooksAreAnsweredOnlyOnceTheirEventsAreInTheStore() async throws {
        let fixture = try ServerFixture()
        let committer = WebhookCommitter(store: fixture.store, ingestor: EventIngestor(store: fixture.store, defaultAccountID: fixture.account.id),
                                         logger: Logger(label: "test"))
        committer.start()
        defer { committer.stop() }
        let webhooks = try (0..<60).map { index in
            try GroupCommitterTests.verified(fixture, event: ServerFixture.eventJSON(id: "ev-\(index)", recipient: "r\(index)@example.net",
                                                                                     messageID: "m\(index)@mg.example.com"),
                                             token: ServerFixture.randomToken())
        }
        let answered = Counter()
        let store = fixture.store
        let results = await withTaskGroup(of: (WebhookCommitOutcome, Bool).self) { group in
            for webhook in webhooks {
                group.addTask {
                    let outcome = await committer.submit(webhook)
                    // Every answer so far, this one included, follows its own commit: the store
                    // holds at least as many events as there have been answers.
                    let answersSoFar = answered.increment()
                    let stored = (try? store.eventCount()) ?? -1
                    return (outcome, stored >= answersSoFar)
                }
            }
            var results: [(WebhookCommitOutcome, Bool)] = []
            for await result in group { results.append(result) }
            return results
        }
        #expect(results.count == 60)
        #expect(results.allSatisfy { $0.0 == .stored })
        #expect(results.allSatisfy { $0.1 }, "a webhook was answered before its event was committed")
        #expect(try fixture.store.eventCount() == 60, "each event stored once")
        let statistics = committer.committed
        #expect(statistics.items == 60)
        #expect(statistics.groups >= 1 && statistics.groups <= 60)
        #expect(statistics.largestGroup >= 1)
    }

    @Test func preparingOnTheRequestTasksStoresWhatTheWriterWouldHaveStored() async throws {
        let fixture = try ServerFixture()
        let ingestor = EventIngestor(store: fixture.store, defaultAccountID: fixture.account.id)
        let webhook = try GroupCommitterTests.verified(fixture, event: ServerFixture.eventJSON(id: "ev-1"), token: ServerFixture.randomToken())
        guard case .event(let serial) = ingestor.prepare(webhook.decoded) else {
            Issue.record("the fixture's event is not mapped to a stored event")
            return
        }
        var expected = [serial]
        RawJSONCompactor().prepare(&expected)
        let pool = CompactorPool(keep: 4)
        // Many tasks at once share the pool: none may use a compactor another is using.
        let compacted = await withTaskGroup(of: IncomingEvent.self) { group in
            for _ in 0..<200 { group.addTask { pool.compacted(serial) } }
            var compacted: [IncomingEvent] = []
            for await event in group { compacted.append(event) }
            return compacted
        }
        #expect(compacted.count == 200)
        #expect(compacted.allSatisfy { $0 == expected[0] }, "the pooled compaction differs from the serial one")
        #expect(pool.idleCount <= 4, "the pool keeps at most `keep` idle compactors")

        let committer = WebhookCommitter(store: fixture.store, ingestor: ingestor, logger: Logger(label: "test"))
        let prepared = committer.prepare(webhook)
        #expect(prepared.event == expected[0])
        #expect(prepared.refusal == nil)
        #expect(prepared.tokenUse.token == webhook.token && prepared.tokenUse.bodyDigest == webhook.eventDigest)
    }

    @Test func aFailedGroupFailsExactlyItsOwnWaiters() async throws {
        let journal = GroupCommitterTests.Journal()
        // The first group (item 0 alone, held at the gate) fails; the items that queued behind it succeed.
        let committer = GroupCommitter<Int, Int>(name: "test-commit", maximumGroup: 100, unavailable: -1) { items in
            journal.record(items)
            journal.waitAtGate()
            return items.contains(0) ? items.map { _ in -2 } : items.map { $0 * 10 }
        }
        committer.start()
        defer { committer.stop() }
        let answers = await withTaskGroup(of: (Int, Int).self) { group in
            group.addTask { (0, await committer.submit(0)) }
            for _ in 0..<1_000 where journal.recordedGroups.isEmpty { try? await Task.sleep(nanoseconds: 10_000_000) }
            for item in 1...15 { group.addTask { (item, await committer.submit(item)) } }
            for _ in 0..<1_000 where committer.queueDepth < 15 { try? await Task.sleep(nanoseconds: 10_000_000) }
            journal.release()
            var answers: [(Int, Int)] = []
            for await answer in group { answers.append(answer) }
            return answers
        }
        #expect(answers.count == 16)
        for (item, answer) in answers {
            #expect(answer == (item == 0 ? -2 : item * 10), "item \(item) got \(answer)")
        }
        #expect(committer.committed.groups == journal.recordedGroups.count)
        #expect(committer.committed.items == 16)
    }

    @Test(arguments: [
        ("application/json", true), ("Application/JSON; charset=utf-8", true), ("  application/json  ;q=1", true),
        ("application/jsonx", false), ("text/json", false), ("application/x-www-form-urlencoded", false), ("", false),
        ("application/json\u{00E9}", false),
    ])
    func contentTypeCheck(_ value: String, _ isJSON: Bool) {
        #expect(WebhookVerifier.isJSON(contentType: value) == isJSON)
    }

    @Test func noContentTypeIsNotJSON() {
        #expect(!WebhookVerifier.isJSON(contentType: nil))
    }
}
