import AuditCore
import AuditEngine
import AuditStore
import Foundation
import Logging
@testable import Server
import Testing

/// The group committer under the webhook receiver and the intake: answers only after the
/// commit, one outcome per waiter, a failed group stores nothing.
@Suite struct GroupCommitterTests {
    /// What a test commit saw; the commit closure runs on the writer thread.
    final class Journal: @unchecked Sendable {
        private let lock = NSLock()
        private var groups: [[Int]] = []
        private var committedItems: Set<Int> = []
        private let gate = DispatchSemaphore(value: 0)
        private var open = false

        func record(_ group: [Int]) {
            lock.lock()
            groups.append(group)
            lock.unlock()
        }

        func markCommitted(_ group: [Int]) {
            lock.lock()
            committedItems.formUnion(group)
            lock.unlock()
        }

        func isCommitted(_ item: Int) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            return committedItems.contains(item)
        }

        var recordedGroups: [[Int]] {
            lock.lock()
            defer { lock.unlock() }
            return groups
        }

        /// Blocks the first commit until ``release()``.
        func waitAtGate() {
            lock.lock()
            let mustWait = !open
            lock.unlock()
            if mustWait { gate.wait() }
        }

        func release() {
            lock.lock()
            open = true
            lock.unlock()
            gate.signal()
        }
    }

    /// Waits (polling, up to 10 s) until `condition` holds.
    func eventually(_ condition: () -> Bool) async throws {
        for _ in 0..<1_000 where !condition() { try await Task.sleep(nanoseconds: 10_000_000) }
    }

    @Test func eachWaiterIsAnsweredOnlyAfterItsGroupCommitted() async throws {
        let journal = Journal()
        let committer = GroupCommitter<Int, Int>(name: "test-commit", maximumGroup: 100, unavailable: -1) { items in
            journal.record(items)
            journal.waitAtGate()
            journal.markCommitted(items)
            return items.map { $0 * 10 }
        }
        committer.start()
        defer { committer.stop() }
        let answers = await withTaskGroup(of: (Int, Int, Bool).self) { group in
            // The first item starts a commit that blocks; the others queue behind it meanwhile.
            group.addTask { let answer = await committer.submit(0); return (0, answer, journal.isCommitted(0)) }
            try? await eventually { journal.recordedGroups.count == 1 }
            for item in 1...20 {
                group.addTask { let answer = await committer.submit(item); return (item, answer, journal.isCommitted(item)) }
            }
            try? await eventually { committer.queueDepth == 20 }
            #expect(committer.queueDepth == 20, "nobody is answered while the first commit runs")
            journal.release()
            var answers: [(Int, Int, Bool)] = []
            for await answer in group { answers.append(answer) }
            return answers
        }
        #expect(answers.count == 21)
        for (item, answer, committedBeforeAnswer) in answers {
            #expect(answer == item * 10, "each waiter gets its own outcome")
            #expect(committedBeforeAnswer, "item \(item) was answered before its commit finished")
        }
        let groups = journal.recordedGroups
        #expect(groups.first == [0])
        #expect(groups.dropFirst().flatMap { $0 }.sorted() == Array(1...20), "the waiting items go in the next groups, each once")
        #expect(groups.count <= 3, "items that waited together are committed together: \(groups)")
    }

    @Test func aFailedGroupGivesEveryWaiterTheFailure() async throws {
        let committer = GroupCommitter<Int, Result<Int, TestFailure>>(name: "test-commit", maximumGroup: 100, unavailable: .failure(.unavailable)) { items in
            items.map { _ in .failure(.groupFailed) }
        }
        committer.start()
        defer { committer.stop() }
        let answers = await withTaskGroup(of: Result<Int, TestFailure>.self) { group in
            for item in 0..<30 { group.addTask { await committer.submit(item) } }
            var answers: [Result<Int, TestFailure>] = []
            for await answer in group { answers.append(answer) }
            return answers
        }
        #expect(answers.count == 30)
        #expect(answers.allSatisfy { $0 == .failure(.groupFailed) })
    }

    @Test func aCommitThatMiscountsAnswersUnavailableAndStopRefusesLaterItems() async throws {
        let committer = GroupCommitter<Int, Int>(name: "test-commit", maximumGroup: 10, unavailable: -1) { items in
            items.count > 1 ? [] : items
        }
        #expect(await committer.submit(5) == -1, "not started yet")
        committer.start()
        #expect(await committer.submit(7) == 7)
        committer.stop()
        #expect(await committer.submit(8) == -1, "stopped")
    }

    /// Counts syncs and the commits each one followed.
    final class SyncJournal: @unchecked Sendable {
        private let lock = NSLock()
        private var committed: Set<Int> = []
        private var synced: Set<Int> = []
        private(set) var syncCount = 0
        let gate = DispatchSemaphore(value: 0)

        func commit(_ items: [Int]) {
            lock.lock()
            committed.formUnion(items)
            lock.unlock()
        }

        /// Makes everything committed so far durable.
        func sync() {
            lock.lock()
            synced.formUnion(committed)
            syncCount += 1
            lock.unlock()
        }

        func isSynced(_ item: Int) -> Bool {
            lock.lock()
            defer { lock.unlock() }
            return synced.contains(item)
        }

        var count: Int {
            lock.lock()
            defer { lock.unlock() }
            return syncCount
        }
    }

    @Test func withASyncStepEachWaiterIsAnsweredOnlyAfterASyncThatFollowedItsCommit() async throws {
        let journal = SyncJournal()
        let committer = GroupCommitter<Int, Int>(name: "test-commit", maximumGroup: 5, unavailable: -1, commit: { items in
            journal.commit(items)
            return items.map { $0 * 10 }
        }, sync: {
            // The first sync waits for the test: the writer must go on committing meanwhile.
            if journal.count == 0 { journal.gate.wait() }
            journal.sync()
            return true
        })
        committer.start()
        let answers = await withTaskGroup(of: (Int, Int, Bool).self) { group in
            for item in 0..<40 {
                group.addTask { let answer = await committer.submit(item); return (item, answer, journal.isSynced(item)) }
            }
            // Groups of at most 5: 40 items need 8 commits, all done while the first sync is held.
            try? await eventually { committer.committed.items == 40 }
            #expect(committer.committed.items == 40, "the writer commits on while a sync runs")
            #expect(committer.queueDepth == 0)
            journal.gate.signal()
            var answers: [(Int, Int, Bool)] = []
            for await answer in group { answers.append(answer) }
            return answers
        }
        committer.stop()
        #expect(answers.count == 40)
        for (item, answer, syncedBeforeAnswer) in answers {
            #expect(answer == item * 10)
            #expect(syncedBeforeAnswer, "item \(item) was answered before a sync covered its commit")
        }
        #expect(journal.count < 8, "one sync covers the groups committed during the one before: \(journal.count) syncs")
        #expect(committer.committed.syncs == journal.count)
    }

    @Test func aFailedSyncAnswersUnavailable() async throws {
        let committer = GroupCommitter<Int, Int>(name: "test-commit", maximumGroup: 10, unavailable: -1, commit: { $0 }, sync: { false })
        committer.start()
        defer { committer.stop() }
        #expect(await committer.submit(3) == -1, "committed but not known durable: the sender must retry")
    }

    enum TestFailure: Error, Equatable {
        case groupFailed, unavailable
    }

    // MARK: The webhook group on a real store

    static func verified(_ fixture: ServerFixture, event: String, token: String) throws -> VerifiedWebhook {
        let verifier = WebhookVerifier(signingKey: ServerFixture.signingKey, timestampWindow: 3600)
        return try verifier.verify(body: ServerFixture.webhookBody(event: event, token: token), now: Date()).get()
    }

    @Test func aWebhookGroupIsOneTransactionThatStoresNothingWhenItFails() throws {
        let fixture = try ServerFixture()
        let tokens = (0..<3).map { _ in ServerFixture.randomToken() }
        let webhooks = try (0..<3).map { index in
            try Self.verified(fixture, event: ServerFixture.eventJSON(id: "ev-\(index)", recipient: "r\(index)@example.net",
                                                                      messageID: "m\(index)@mg.example.com"),
                              token: tokens[index])
        }
        // Unknown messages become External emails of the default account: here one that does not
        // exist, so the group fails after its tokens were bound and an event was on its way in.
        let broken = WebhookCommitter(store: fixture.store, ingestor: EventIngestor(store: fixture.store, defaultAccountID: 999_999),
                                      logger: Logger(label: "test"))
        #expect(broken.commit(webhooks) == [.unavailable, .unavailable, .unavailable])
        #expect(try fixture.store.eventCount() == 0)
        #expect(try fixture.store.bindWebhookTokens(tokens.map { WebhookTokenUse(token: $0, bodyDigest: "other", receivedAt: Date()) })
                == [true, true, true], "no token of the failed group stayed bound")
    }

    @Test func aWebhookGroupBindsTokensAndStoresEventsTogether() throws {
        let fixture = try ServerFixture()
        let token = ServerFixture.randomToken()
        let first = try Self.verified(fixture, event: ServerFixture.eventJSON(id: "ev-1"), token: token)
        let replayed = try Self.verified(fixture, event: ServerFixture.eventJSON(id: "ev-2"), token: token)
        let other = try Self.verified(fixture, event: ServerFixture.eventJSON(id: "ev-3"), token: ServerFixture.randomToken())
        let committer = WebhookCommitter(store: fixture.store, ingestor: EventIngestor(store: fixture.store, defaultAccountID: fixture.account.id),
                                         logger: Logger(label: "test"))
        #expect(committer.commit([first, first, replayed, other]) == [.stored, .stored, .tokenMisused, .stored])
        #expect(try fixture.store.eventCount() == 2, "the retry is stored once; the replayed token's event not at all")
        #expect(committer.commit([first]) == [.stored], "a later retry is still fine")
        #expect(try fixture.store.eventCount() == 2)
    }
}
