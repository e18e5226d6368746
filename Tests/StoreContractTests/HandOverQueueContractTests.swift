import AuditCore
import AuditStore
import AuditStorePostgres
import Foundation
import Testing

/// The feeder queue (``HandOverQueueStore``) run against each backend: claims oldest first and
/// within their limit and accounts, exclusive while they last and free again after their lease
/// or a release, marks that win once; on PostgreSQL, several feeders on their own connections
/// claiming and marking thousands of emails at once, each exactly once.
@Suite("Store contract: feeder queue")
struct HandOverQueueContractTests: QueueFixtures {
    let t0 = utc(2026, 12, 4, 9)

    @Test(arguments: Backend.available)
    func claimsOldestFirstWithinTheLimitAndOnlyOnce(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = contract.store
            let a = try agency(store, "Harbour Lets"), b = try agency(store, "Northgate Property")
            // Recorded out of time order, two at the same instant (the id breaks the tie), two accounts.
            let times = [t0 + 300, t0, t0 + 60, t0 + 60, t0 - 3600, t0 + 120, t0 + 30]
            var ids: [Int64] = []
            for (index, time) in times.enumerated() {
                ids += try store.record([newEmail(index.isMultiple(of: 2) ? a : b, to: "tenant\(index)@example.net", at: time)])
            }
            let queueOrder = zip(ids, times).sorted { ($0.1, $0.0) < ($1.1, $1.0) }.map(\.0)

            #expect(try store.claimPending(limit: 0, accounts: nil, claimant: "f1", now: t0, lease: 60).isEmpty)
            let first = try store.claimPending(limit: 3, accounts: nil, claimant: "f1", now: t0, lease: 60)
            #expect(first.map(\.id) == Array(queueOrder.prefix(3)))
            #expect(first.allSatisfy { $0.status == .pending && $0.providerMessageID == nil })
            #expect(first.first?.to == "tenant4@example.net" && first.first?.raisedByName == "Priya Shah")
            // Another claimant gets the rest, in order; then nothing is left to claim.
            let second = try store.claimPending(limit: 100, accounts: nil, claimant: "f2", now: t0 + 1, lease: 60)
            #expect(second.map(\.id) == Array(queueOrder.dropFirst(3)))
            #expect(try store.claimPending(limit: 100, accounts: nil, claimant: "f3", now: t0 + 2, lease: 60).isEmpty)
            // Nor does a claimant get its own claimed emails twice.
            #expect(try store.claimPending(limit: 100, accounts: nil, claimant: "f1", now: t0 + 2, lease: 60).isEmpty)
        }
    }

    @Test(arguments: Backend.available)
    func claimsOnlyTheAccountsAskedFor(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = contract.store
            let a = try agency(store, "Harbour Lets"), b = try agency(store, "Northgate Property"), c = try agency(store, "Quay Homes")
            let aIDs = try store.record((0..<3).map { newEmail(a, to: "a\($0)@example.net", at: t0 + Double($0)) })
            let bIDs = try store.record((0..<3).map { newEmail(b, to: "b\($0)@example.net", at: t0 - 10 + Double($0)) })
            let cIDs = try store.record((0..<2).map { newEmail(c, to: "c\($0)@example.net", at: t0 - 20 + Double($0)) })
            #expect(try store.claimPending(limit: 10, accounts: [], claimant: "f1", now: t0, lease: 60).isEmpty)
            let onlyA = try store.claimPending(limit: 10, accounts: [a.account.id], claimant: "f1", now: t0, lease: 60)
            #expect(onlyA.map(\.id) == aIDs && onlyA.allSatisfy { $0.accountID == a.account.id })
            let bAndC = try store.claimPending(limit: 4, accounts: [b.account.id, c.account.id], claimant: "f2", now: t0, lease: 60)
            #expect(bAndC.map(\.id) == cIDs + Array(bIDs.prefix(2)))
            let rest = try store.claimPending(limit: 10, accounts: nil, claimant: "f3", now: t0, lease: 60)
            #expect(rest.map(\.id) == [bIDs[2]])
        }
    }

    @Test(arguments: Backend.available)
    func markingWinsOnceAndEndsTheClaim(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = contract.store
            let a = try agency(store, "Harbour Lets"), b = try agency(store, "Northgate Property")
            let ids = try store.record((0..<3).map { newEmail(a, to: "tenant\($0)@example.net", at: t0 + Double($0)) })
            let claimed = try store.claimPending(limit: 3, accounts: nil, claimant: "f1", now: t0, lease: 600)
            #expect(claimed.map(\.id) == ids)

            #expect(try store.markHandedOver(emailID: ids[0], inAccount: a.account.id,
                                             providerMessageID: "<20261204090000.1@mg.harbourlets.co.uk>", at: t0 + 1))
            let marked = try #require(try store.recordedEmail(id: ids[0], inAccount: a.account.id))
            #expect(marked.providerMessageID == "20261204090000.1@mg.harbourlets.co.uk")
            #expect(marked.status == .pending)
            // A second mark (a retry, another feeder) changes nothing.
            #expect(try !store.markHandedOver(emailID: ids[0], inAccount: a.account.id,
                                              providerMessageID: "20261204090000.2@mg.harbourlets.co.uk", at: t0 + 2))
            #expect(try store.recordedEmail(id: ids[0], inAccount: a.account.id)?.providerMessageID
                    == "20261204090000.1@mg.harbourlets.co.uk")

            // The email's own events recorded its message id first (by its audit id): the feeder's mark is too late.
            let message = "20261204090000.3@mg.harbourlets.co.uk"
            let accepted = IngestContractTests().incoming(.accepted, "acc-1", to: "tenant1@example.net", at: t0 + 5,
                                                          message: message, auditID: ids[1])
            _ = try store.apply([accepted], defaultAccountID: nil)
            #expect(try !store.markHandedOver(emailID: ids[1], inAccount: a.account.id,
                                              providerMessageID: "20261204090000.4@mg.harbourlets.co.uk", at: t0 + 6))
            #expect(try store.recordedEmail(id: ids[1], inAccount: a.account.id)?.providerMessageID == message)

            // Refused: another account's email, an unknown id, an empty message id; nothing changes.
            for (emailID, accountID, messageID) in [(ids[2], b.account.id, "x@mg.example"), (999_999, a.account.id, "x@mg.example"),
                                                    (ids[2], a.account.id, "<>")] {
                #expect(throws: (any Error).self) {
                    try store.markHandedOver(emailID: emailID, inAccount: accountID, providerMessageID: messageID, at: t0 + 7)
                }
            }
            #expect(try store.recordedEmail(id: ids[2], inAccount: a.account.id)?.providerMessageID == nil)
            let refusal = #expect(throws: (any Error).self) {
                try store.markHandedOver(emailID: ids[2], inAccount: b.account.id, providerMessageID: "x@mg.example", at: t0)
            }
            #expect(refusal.map { "\($0)" } == "There is no email with id \(ids[2]).")

            // Marked emails are no longer Pending: released, only the unmarked one comes back.
            try store.releaseClaims(of: "f1")
            #expect(try store.claimPending(limit: 10, accounts: nil, claimant: "f2", now: t0 + 10, lease: 60).map(\.id) == [ids[2]])
        }
    }

    @Test(arguments: Backend.available)
    func aDeadFeedersClaimComesBackAfterItsLease(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = contract.store
            let a = try agency(store, "Harbour Lets")
            let ids = try store.record((0..<5).map { newEmail(a, to: "tenant\($0)@example.net", at: t0 + Double($0)) })
            // The first feeder claims three and dies (never marks, never releases).
            #expect(try store.claimPending(limit: 3, accounts: nil, claimant: "dead", now: t0, lease: 60).map(\.id)
                    == Array(ids.prefix(3)))
            // While the lease lasts the others see only the rest.
            #expect(try store.claimPending(limit: 10, accounts: nil, claimant: "alive", now: t0 + 59.5, lease: 60).map(\.id)
                    == Array(ids.suffix(2)))
            try store.releaseClaims(of: "alive")
            // At its end they come back, oldest first, once.
            #expect(try store.claimPending(limit: 10, accounts: nil, claimant: "alive", now: t0 + 60, lease: 60).map(\.id) == ids)
            #expect(try store.claimPending(limit: 10, accounts: nil, claimant: "third", now: t0 + 61, lease: 60).isEmpty)
            // The dead feeder's late mark still counts once (the provider did accept it), and
            // its release does not touch the new claimant's claims.
            #expect(try store.markHandedOver(emailID: ids[0], inAccount: a.account.id, providerMessageID: "m0@mg.example", at: t0 + 62))
            try store.releaseClaims(of: "dead")
            #expect(try store.claimPending(limit: 10, accounts: nil, claimant: "third", now: t0 + 63, lease: 60).isEmpty)
            try store.releaseClaims(of: "alive")
            #expect(try store.claimPending(limit: 10, accounts: nil, claimant: "third", now: t0 + 64, lease: 60).map(\.id)
                    == Array(ids.dropFirst()))
        }
    }

    @Test(arguments: Backend.available)
    func keepsTheLatestOutcomeOfEachKind(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = contract.store
            #expect(try store.handOverOutcomes() == HandOverOutcomes())
            try store.recordHandOverOutcome(answered: true, at: t0 + 600)
            try store.recordHandOverOutcome(answered: false, at: t0 + 300)
            // A slower feeder's earlier success does not hide the later one.
            try store.recordHandOverOutcome(answered: true, at: t0)
            #expect(try store.handOverOutcomes() == HandOverOutcomes(lastSuccess: t0 + 600, lastFailure: t0 + 300))
            try store.recordHandOverOutcome(answered: false, at: t0 + 900.25)
            #expect(try store.handOverOutcomes() == HandOverOutcomes(lastSuccess: t0 + 600, lastFailure: t0 + 900.25))
        }
    }

    /// Three feeders, each on its own connection, claim small batches of 3,000 Pending emails
    /// and mark each one as they go, all at once: every email is claimed once and marked once.
    @Test(.enabled(if: Backend.available.contains(.postgres), "needs a PostgreSQL server"))
    func concurrentFeedersOnPostgreSQLTakeEachEmailOnce() throws {
        try withStore(.postgres) { contract in
            let store = contract.store
            let a = try agency(store, "Harbour Lets"), b = try agency(store, "Northgate Property")
            var ids: [Int64] = []
            for chunk in 0..<6 {
                ids += try store.record((0..<500).map { index in
                    newEmail(index.isMultiple(of: 3) ? b : a, to: "tenant\(chunk)-\(index)@example.net",
                             at: t0 + Double(chunk * 500 + index % 250))
                })
            }
            let feeders = 3
            let outcome = FeederOutcomes()
            let shared = UncheckedBox(contract)
            DispatchQueue.concurrentPerform(iterations: feeders) { feeder in
                do {
                    try shared.value.withSecondPostgresStore { own in
                        var claimed: [Int64] = [], marked: [Int64] = [], lost: [Int64] = []
                        while true {
                            let batch = try own.claimPending(limit: 25, accounts: nil, claimant: "feeder-\(feeder)", now: t0, lease: 300)
                            if batch.isEmpty { break }
                            for email in batch {
                                claimed.append(email.id)
                                if try own.markHandedOver(emailID: email.id, inAccount: email.accountID,
                                                          providerMessageID: "m\(email.id).\(feeder)@mg.example", at: t0 + 1) {
                                    marked.append(email.id)
                                } else {
                                    lost.append(email.id)
                                }
                            }
                        }
                        outcome.add(claimed: claimed, marked: marked, lost: lost)
                    }
                } catch {
                    outcome.fail("\(error)")
                }
            }
            #expect(outcome.failures.isEmpty)
            #expect(outcome.claimed.count == ids.count, "claimed \(outcome.claimed.count) for \(ids.count) emails")
            #expect(Set(outcome.claimed) == Set(ids))
            #expect(outcome.marked.count == ids.count && Set(outcome.marked) == Set(ids))
            #expect(outcome.lost.isEmpty)
            // The feeders ran at once (more than one took a share), and the queue is empty, its claims gone.
            #expect(outcome.perFeeder.count >= 2)
            #expect(try store.claimPending(limit: 10, accounts: nil, claimant: "last", now: t0 + 2, lease: 60).isEmpty)
            #expect(try contract.count("hand_over_claims") == 0)
            #expect(try contract.count("emails WHERE handed_over_at IS NULL") == 0)
        }
    }
}

/// What concurrent feeders in a test did, gathered across threads.
final class FeederOutcomes: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var claimed: [Int64] = []
    private(set) var marked: [Int64] = []
    private(set) var lost: [Int64] = []
    private(set) var perFeeder: [Int] = []
    private(set) var failures: [String] = []

    func add(claimed: [Int64], marked: [Int64], lost: [Int64]) {
        lock.withLock {
            self.claimed += claimed
            self.marked += marked
            self.lost += lost
            if !claimed.isEmpty { perFeeder.append(claimed.count) }
        }
    }

    func fail(_ message: String) {
        lock.withLock { failures.append(message) }
    }
}
