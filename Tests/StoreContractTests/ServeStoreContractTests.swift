import AuditCore
import AuditStore
import AuditStorePostgres
import Foundation
import Testing

/// What `serve` asks of its store besides ingest and the feeder queue, on each backend: the
/// intake's recording by host id (``HostRecordingStore``), the webhook receiver's token binding
/// with the ingest in one transaction (``WebhookIngestStore``) and the health reads
/// (``ServiceHealthStore``); on PostgreSQL, several writers on their own connections at once.
@Suite("Store contract: serve's stores")
struct ServeStoreContractTests {
    let ingest = IngestContractTests()

    func serveStore(_ contract: ContractStore) -> any HostRecordingStore & WebhookIngestStore & ServiceHealthStore {
        contract.store as! any HostRecordingStore & WebhookIngestStore & ServiceHealthStore
    }

    func hostEmail(_ agency: (account: Account, staff: StaffUser), host: String, to: String = "tenant@example.net",
                   units: [Int64] = [], at: Date = utc(2026, 12, 1, 9)) -> NewEmail {
        NewEmail(accountID: agency.account.id, raisedByID: agency.staff.id, activity: .receiptRecorded, to: to, cc: [],
                 from: "accounts@mg.harbourlets.co.uk", subject: "Receipt \(host)", textBody: "Thank you.", attachmentNames: [],
                 createdAt: at, unitIDs: units, hostID: host)
    }

    @Test(arguments: Backend.available)
    func recordingByHostIDIsIdempotent(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = serveStore(contract)
            let a = try ingest.agency(store)
            let bAccount = try store.insertAccount(name: "Northgate Property")
            let b = (account: bAccount, staff: try store.insertStaff(accountID: bAccount.id, name: "Tom Reed", role: .staff))
            let first = try store.recordFromHost([hostEmail(a, host: "PMS-1"), hostEmail(a, host: "PMS-2"), hostEmail(a, host: "PMS-1")])
            #expect(first.map(\.created) == [true, true, false])
            #expect(first[0].emailID == first[2].emailID && first[0].emailID != first[1].emailID)
            // A retry answers the same ids, created false; the same host id in another account is another email.
            let again = try store.recordFromHost([hostEmail(a, host: "PMS-2"), hostEmail(b, host: "PMS-1"), hostEmail(a, host: "PMS-1")])
            #expect(again[0] == HostRecording(emailID: first[1].emailID, created: false))
            #expect(again[1].created && again[1].emailID != first[0].emailID)
            #expect(again[2] == HostRecording(emailID: first[0].emailID, created: false))
            #expect(try contract.count("emails") == 3)
            #expect(try store.recordedEmail(id: again[1].emailID, inAccount: b.account.id)?.subject == "Receipt PMS-1")
            // No host id: refused, nothing recorded; a NUL in a host id: a refusal of the value.
            #expect(throws: (any Error).self) { try store.recordFromHost([hostEmail(a, host: "")]) }
            do {
                _ = try store.recordFromHost([hostEmail(a, host: "PMS-3"), hostEmail(a, host: "bad\u{0}id")])
                Issue.record("a host id with a NUL character was recorded")
            } catch {
                #expect(store.isValueRefusal(error), "\(error)")
            }
            #expect(try contract.count("emails") == 3)
        }
    }

    @Test(arguments: Backend.available)
    func unknownUnitsAreNamedPerAccount(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = serveStore(contract)
            let a = try ingest.agency(store)
            let other = try store.insertAccount(name: "Northgate Property")
            let block = try store.insertBlock(accountID: a.account.id, name: "Quay House", street: "1 Quay St", town: "Bristol", postcode: "BS1 1AA")
            let unit = try store.insertUnit(accountID: a.account.id, blockID: block.id, name: "Flat 1")
            let otherBlock = try store.insertBlock(accountID: other.id, name: "Mill", street: "", town: "", postcode: "")
            let otherUnit = try store.insertUnit(accountID: other.id, blockID: otherBlock.id, name: "Flat 9")
            #expect(try store.unknownUnitIDs([otherUnit.id, unit.id, 999_999], accountID: a.account.id) == [otherUnit.id, 999_999])
            #expect(try store.unknownUnitIDs([], accountID: a.account.id).isEmpty)
            // An unknown unit refuses the batch as a value, not as a failing store.
            do {
                _ = try store.recordFromHost([hostEmail(a, host: "PMS-1", units: [otherUnit.id])])
                Issue.record("another account's unit was linked")
            } catch {
                #expect(store.isValueRefusal(error), "\(error)")
            }
        }
    }

    @Test(arguments: Backend.available)
    func webhookTokensAreBoundToTheirFirstEvent(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = serveStore(contract)
            let a = try ingest.agency(store)
            let id = try ingest.record(store, a, to: "tenant@example.net")
            let life = ingest.life(to: "tenant@example.net", auditID: id)
            let now = utc(2026, 12, 2, 9)
            func use(_ token: String, _ digest: String, at: Date = now) -> WebhookTokenUse {
                WebhookTokenUse(token: token, bodyDigest: digest, receivedAt: at)
            }
            // A group: two new tokens, a token repeated with its own event (a retry racing its
            // first attempt), one with no event to store.
            let first = try store.bindWebhookTokensAndApply(
                [use("t1", "d1"), use("t2", "d2"), use("t1", "d1"), use("t3", "d3")], events: [life[0], life[1], life[0], nil],
                defaultAccountID: nil, deferringSync: true)
            try store.syncWriteAheadLog()
            #expect(first.bound == [true, true, true, true])
            #expect(first.refused.isEmpty)
            #expect(first.applied.inserted == 2 && first.applied.duplicates == 1)
            // Later: a retry (same token, same event) is bound and stores nothing; a token reused
            // for another event is not bound and its event is not stored.
            let second = try store.bindWebhookTokensAndApply([use("t2", "d2"), use("t1", "other"), use("t4", "d4")],
                                                             events: [life[1], life[2], life[3]], defaultAccountID: nil, deferringSync: false)
            #expect(second.bound == [true, false, true])
            #expect(second.applied.inserted == 1 && second.applied.duplicates == 1)
            #expect(try contract.events(emailID: id).map(\.key) == [life[0], life[1], life[3]].map(\.event.key))
            // An event the store refuses (a NUL character) is named; its token is still bound.
            var bad = life[4]
            bad.event.reason = "bad\u{0}reason"
            let third = try store.bindWebhookTokensAndApply([use("t5", "d5")], events: [bad], defaultAccountID: nil, deferringSync: false)
            #expect(third.bound == [true] && third.refused[0] != nil && third.applied.inserted == 0)
            #expect(try store.bindWebhookTokensAndApply([use("t5", "other")], events: [life[4]], defaultAccountID: nil,
                                                        deferringSync: false).bound == [false])
            // Old tokens are forgotten; then the token is new again.
            #expect(try contract.count("webhook_tokens") == 5)
            #expect(try store.forgetWebhookTokens(receivedBefore: now + 1) == 5)
            #expect(try store.bindWebhookTokensAndApply([use("t1", "other", at: now + 2)], events: [nil], defaultAccountID: nil,
                                                        deferringSync: false).bound == [true])
        }
    }

    @Test(arguments: Backend.available)
    func healthCountsEveryAccountsPendingEmails(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = serveStore(contract)
            let a = try ingest.agency(store)
            let bAccount = try store.insertAccount(name: "Northgate Property")
            let b = (account: bAccount, staff: try store.insertStaff(accountID: bAccount.id, name: "Tom Reed", role: .staff))
            _ = try store.recordFromHost([hostEmail(a, host: "1", at: utc(2026, 12, 1, 9)), hostEmail(b, host: "2", at: utc(2026, 12, 1, 8))])
            #expect(store.isWritable())
            let all = try store.handOverHealth(accountID: nil, now: utc(2026, 12, 1, 9, 5))
            #expect(all.pending == 2 && all.pendingOverLimit == 1 && all.oldestPending == utc(2026, 12, 1, 8))
            let one = try store.handOverHealth(accountID: a.account.id, now: utc(2026, 12, 1, 9, 5))
            #expect(one.pending == 1 && one.pendingOverLimit == 0 && one.oldestPending == utc(2026, 12, 1, 9))
        }
    }

    /// Four writers on their own connections record the same 200 host ids at once, in
    /// different orders: each host id is recorded once and every writer gets its email's id.
    @Test(.enabled(if: Backend.available.contains(.postgres), "needs a PostgreSQL server"))
    func writersOnPostgreSQLRecordEachHostIDOnce() throws {
        try withStore(.postgres) { contract in
            let a = try ingest.agency(contract.store)
            let emails = (0..<200).map { hostEmail(a, host: "PMS-\($0)", to: "t\($0)@example.net") }
            let answers = UncheckedBox(Answers())
            let shared = UncheckedBox(contract)
            DispatchQueue.concurrentPerform(iterations: 4) { writer in
                do {
                    try shared.value.withSecondPostgresStore { own in
                        let order = writer.isMultiple(of: 2) ? emails : emails.reversed()
                        for chunk in stride(from: 0, to: order.count, by: 20) {
                            let batch = Array(order[chunk..<min(order.count, chunk + 20)])
                            let recorded = try own.recordFromHost(batch)
                            answers.value.add(zip(batch.map { $0.hostID! }, recorded.map(\.emailID)))
                        }
                    }
                } catch {
                    answers.value.fail("\(error)")
                }
            }
            #expect(answers.value.failures.isEmpty, "\(answers.value.failures)")
            #expect(try contract.count("emails") == 200)
            #expect(answers.value.idsByHost.count == 200 && answers.value.idsByHost.values.allSatisfy { $0.count == 1 })
        }
    }

    /// Four webhook writers on their own connections store overlapping groups (each event
    /// sent to two writers, as Mailgun's retry of a webhook whose answer was lost) at once:
    /// every event is stored once and every email ends in the status of all its events.
    @Test(.enabled(if: Backend.available.contains(.postgres), "needs a PostgreSQL server"))
    func webhookWritersOnPostgreSQLStoreEachEventOnce() throws {
        try withStore(.postgres) { contract in
            let store = contract.store
            let a = try ingest.agency(store)
            let ids = try store.record((0..<60).map { index in
                NewEmail(accountID: a.account.id, raisedByID: a.staff.id, activity: .receiptRecorded, to: "t\(index)@example.net", cc: [],
                         from: "accounts@mg.harbourlets.co.uk", subject: "Rent receipt", textBody: "Thanks.", attachmentNames: [],
                         createdAt: utc(2026, 12, 1, 9))
            })
            var webhooks: [(WebhookTokenUse, IncomingEvent)] = []
            for (index, id) in ids.enumerated() {
                for event in ingest.life(to: "t\(index)@example.net", auditID: id, message: "m\(index)@mg.example", prefix: "e\(index)") {
                    webhooks.append((WebhookTokenUse(token: "tok-\(event.event.providerEventID)", bodyDigest: event.event.key,
                                                     receivedAt: utc(2026, 12, 2, 9)), event))
                }
            }
            let failures = UncheckedBox(Answers())
            let shared = UncheckedBox(contract)
            let all = UncheckedBox(webhooks)
            DispatchQueue.concurrentPerform(iterations: 4) { writer in
                do {
                    try shared.value.withSecondPostgresStore { own in
                        // Writer w takes the webhooks of half the emails, in groups of 25, its own order.
                        var mine = all.value.enumerated().filter { ($0.offset / 5 + writer).isMultiple(of: 2) }.map(\.element)
                        if writer >= 2 { mine.reverse() }
                        for chunk in stride(from: 0, to: mine.count, by: 25) {
                            let group = Array(mine[chunk..<min(mine.count, chunk + 25)])
                            let result = try own.bindWebhookTokensAndApply(group.map(\.0), events: group.map(\.1), defaultAccountID: nil,
                                                                           deferringSync: false)
                            if !result.bound.allSatisfy({ $0 }) { failures.value.fail("a token was not bound") }
                        }
                    }
                } catch {
                    failures.value.fail("\(error)")
                }
            }
            #expect(failures.value.failures.isEmpty, "\(failures.value.failures)")
            #expect(try contract.count("events") == webhooks.count)
            #expect(try contract.count("webhook_tokens") == webhooks.count)
            #expect(try contract.count("emails") == ids.count)
            for id in ids {
                #expect(try store.recordedEmail(id: id, inAccount: a.account.id)?.status == .clicked)
            }
        }
    }
}

/// What concurrent writers answered, behind a lock.
final class Answers: @unchecked Sendable {
    private let lock = NSLock()
    private(set) var idsByHost: [String: Set<Int64>] = [:]
    private(set) var failures: [String] = []

    func add(_ pairs: some Sequence<(String, Int64)>) {
        lock.lock()
        defer { lock.unlock() }
        for (host, id) in pairs { idsByHost[host, default: []].insert(id) }
    }

    func fail(_ message: String) {
        lock.lock()
        defer { lock.unlock() }
        failures.append(message)
    }
}
