import AuditCore
import AuditStore
import AuditStorePostgres
import Foundation
import Testing

/// The ingest contract for batches that mix many emails (the PostgreSQL store writes a batch
/// with one statement per step, not one per event): every event stored once, each email's
/// status derived from all its events, roll-ups exact, whatever the batch holds.
@Suite("Store contract: batched ingest")
struct BatchIngestContractTests {
    let base = IngestContractTests()

    /// Events of many emails in one batch: claims by audit id, the same email named by its
    /// message id alone after its claim, duplicates of one event (in the batch and stored
    /// before), a cc recipient of a claimed email (a copy made in the batch), an External
    /// message with two events; events with and without delivery parts.
    @Test(arguments: Backend.available)
    func oneBatchOfManyEmails(_ backend: Backend) throws {
        try withStore(backend) { try oneBatchOfManyEmails(in: $0) }
    }

    /// The same batch on PostgreSQL stored as several transactions in a row (at most two
    /// messages each, where a real batch runs to ``PostgresAuditStore/messagesPerTransaction``):
    /// the same result, each status change listed once.
    @Test(.enabled(if: Backend.serverURL != nil, "needs a server: set EMAIL_AUDIT_TEST_POSTGRES_URL"))
    func oneBatchOverSeveralTransactions() throws {
        try withStore(.postgres) { try oneBatchOverSeveralTransactions(in: $0) }
    }

    func oneBatchOverSeveralTransactions(in contract: ContractStore) throws {
        let postgres = try #require(contract.postgresAuditStore)
        postgres.messagesPerTransaction = 2
        try oneBatchOfManyEmails(in: contract)
    }

    // (A method rather than the closure's body: Swift 6.3.1's SendNonSendable pass crashed on the closure.)
    func oneBatchOfManyEmails(in contract: ContractStore) throws {
        do {
            let store = contract.store
            let a = try base.agency(store)
            var ids: [Int64] = []
            var lives: [[IncomingEvent]] = []
            for n in 0..<6 {
                let to = "tenant\(n)@example.net"
                let id = try base.record(store, a, to: to)
                ids.append(id)
                var life = base.life(to: to, auditID: id, message: "b\(n)@mg.harbourlets.co.uk", prefix: "b\(n)")
                if n % 2 == 1 {
                    life.append(base.incoming(.failed, "b\(n)-f", to: to, at: utc(2026, 12, 3, 7), message: "b\(n)@mg.harbourlets.co.uk",
                                              auditID: id, severity: .permanent, code: 550))
                }
                lives.append(life)
            }
            // Email 0's accepted event stored before the batch: the batch's copy is a duplicate.
            let before = try store.apply([lives[0][0]], defaultAccountID: nil)
            #expect(before.inserted == 1)
            // Interleave the emails' events: event k of every email, then k + 1.
            var batch: [IncomingEvent] = []
            for k in 0..<6 {
                for life in lives where k < life.count { batch.append(life[k]) }
            }
            // Email 2 named by its message id alone (no audit id), after its claim in this batch.
            let byMessage = base.incoming(.opened, "b2-o3", to: "tenant2@example.net", at: utc(2026, 12, 2, 9),
                                          message: "b2@mg.harbourlets.co.uk")
            // A cc recipient of email 3: its message, its audit id, another recipient.
            let cc = base.incoming(.delivered, "b3-cc", to: "cc@example.net", at: utc(2026, 12, 1, 9, 0, 4),
                                   message: "b3@mg.harbourlets.co.uk", auditID: ids[3])
            // A message the store never recorded: an External email.
            let externalA = base.incoming(.accepted, "x-a", to: "owner@example.org", at: utc(2026, 12, 2, 10),
                                          message: "elsewhere@mg.example.org")
            let externalD = base.incoming(.delivered, "x-d", to: "owner@example.org", at: utc(2026, 12, 2, 10, 0, 2),
                                          message: "elsewhere@mg.example.org")
            batch += [byMessage, cc, externalD, lives[4][1], lives[4][1], externalA]
            let result = try store.apply(batch, defaultAccountID: a.account.id)
            // Stored before: email 0's accepted; twice in the batch: email 4's delivered (three copies).
            #expect(result.inserted == batch.count - 3)
            #expect(result.duplicates == 3)
            #expect(result.createdEmails == 2)

            var expected: [Int64: [IncomingEvent]] = [:]
            for (n, life) in lives.enumerated() { expected[ids[n]] = life }
            expected[ids[2], default: []].append(byMessage)
            var counts: [Int: Int] = [:]
            for (id, events) in expected {
                let derived = StatusDerivation.derive(events.map(\.event))
                let email = try #require(try store.recordedEmail(id: id, inAccount: a.account.id))
                #expect(email.status == derived.status)
                #expect(email.statusDetail == base.stored(derived.detail))
                #expect(email.lastEventAt.map(StoredEventCoding.microseconds) == derived.lastEventAt.map(StoredEventCoding.microseconds))
                #expect(Set(try contract.events(emailID: id).map(\.key)) == Set(events.map(\.event.key)))
                #expect(try contract.events(emailID: id).count == events.count)
                counts[derived.status.code, default: 0] += 1
            }
            // Every status change names an email of the batch once.
            let changed = result.statusChanges.map(\.emailID)
            #expect(Set(changed).count == changed.count)

            // The copy for the cc recipient and the External email, each with its events.
            let reader = try contract.reader(for: try contract.user(ofStaff: a.staff), accountID: a.account.id)
            let ccIDs = try reader.emailIDs(messageID: "b3@mg.harbourlets.co.uk", accountID: a.account.id)
            #expect(ccIDs.count == 2)
            let ccID = try #require(ccIDs.first { $0 != ids[3] })
            let ccEmail = try #require(try store.recordedEmail(id: ccID, inAccount: a.account.id))
            #expect(ccEmail.to == "cc@example.net" && ccEmail.providerMessageID == "b3@mg.harbourlets.co.uk")
            #expect(ccEmail.status == StatusDerivation.derive([cc.event]).status)
            counts[ccEmail.status.code, default: 0] += 1
            let externalIDs = try reader.emailIDs(messageID: "elsewhere@mg.example.org", accountID: a.account.id)
            let externalID = try #require(externalIDs.first)
            #expect(externalIDs.count == 1)
            let external = try #require(try store.recordedEmail(id: externalID, inAccount: a.account.id))
            #expect(external.activity == .external && external.status == .delivered)
            #expect(try contract.events(emailID: externalID).map(\.key) == [externalA.event.key, externalD.event.key])
            counts[external.status.code, default: 0] += 1
            #expect(try contract.statusCounts(accountID: a.account.id) == Array(repeating: counts, count: 3))

            // The events read back field by field (absent delivery parts stay absent).
            for (id, events) in expected {
                let detail = try #require(try reader.detail(emailID: id))
                let stored = Dictionary(detail.events.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
                for incoming in events {
                    let event = incoming.event
                    let back = try #require(stored[event.key])
                    #expect(back.kind == event.kind && back.providerEventID == event.providerEventID)
                    #expect(back.severity == event.severity && back.reason == event.reason)
                    #expect(back.delivery == event.delivery && back.rejectReason == event.rejectReason && back.url == event.url)
                    #expect(back.isDelayedBounce == event.isDelayedBounce)
                    #expect(StoredEventCoding.microseconds(back.occurredAt) == StoredEventCoding.microseconds(event.occurredAt))
                }
            }
            // The hard bounces suppressed their addresses, once each.
            #expect(Set(result.suppressionsAdded.map(\.address)) == ["tenant1@example.net", "tenant3@example.net", "tenant5@example.net"])
            #expect(result.suppressionsAdded.count == 3)

            // The same batch again: all duplicates, nothing changes.
            let again = try store.apply(batch, defaultAccountID: a.account.id)
            #expect(again.inserted == 0 && again.duplicates == batch.count && again.createdEmails == 0 && again.statusChanges.isEmpty)
            #expect(try contract.statusCounts(accountID: a.account.id) == Array(repeating: counts, count: 3))
        }
    }

    /// Two ingesters on two connections, each applying large batches that span many emails
    /// (first claims, External messages, hard bounces) in opposite orders: no deadlock, every
    /// event stored once, each message's External email made once, roll-ups exact.
    @Test(.enabled(if: Backend.serverURL != nil, "needs a server: set EMAIL_AUDIT_TEST_POSTGRES_URL"))
    func overlappingBatchesInOppositeOrders() throws {
        try withStore(.postgres) { try overlappingBatches(in: $0) }
    }

    func overlappingBatches(in contract: ContractStore) throws {
        do {
            let store = contract.store
            let a = try base.agency(store)
            var all: [IncomingEvent] = []
            var expected: [Int64: EmailStatus] = [:]
            var externals: [String: EmailStatus] = [:]
            for n in 0..<30 {
                let to = "tenant\(n)@example.net", message = "o\(n)@mg.harbourlets.co.uk"
                let id = try base.record(store, a, to: to)
                var events = base.life(to: to, auditID: id, message: message, prefix: "o\(n)")
                if n % 4 == 0 {
                    events.append(base.incoming(.failed, "o\(n)-f", to: to, at: utc(2026, 12, 3, 7), message: message,
                                                auditID: id, severity: .permanent, code: 550))
                }
                expected[id] = StatusDerivation.derive(events.map(\.event)).status
                all += events
            }
            for n in 0..<6 {
                let message = "ext\(n)@mg.example.org"
                let events = [base.incoming(.accepted, "e\(n)-a", to: "owner\(n)@example.org", at: utc(2026, 12, 2, 10), message: message),
                              base.incoming(.delivered, "e\(n)-d", to: "owner\(n)@example.org", at: utc(2026, 12, 2, 10, 1), message: message)]
                externals[message] = StatusDerivation.derive(events.map(\.event)).status
                all += events
            }
            try contract.withSecondPostgresStore { second in
                final class Failures: @unchecked Sendable {
                    let lock = NSLock()
                    var errors: [String] = []
                    func add(_ error: String) { lock.withLock { errors.append(error) } }
                }
                let failures = Failures()
                let done = DispatchSemaphore(value: 0)
                let stores: [(any EventIngestStore, [IncomingEvent], Int)] = [(store, all, 40), (second, Array(all.reversed()), 55)]
                for (ingester, events, size) in stores {
                    let box = UncheckedBox((ingester, events, size, a.account.id))
                    Thread {
                        let (ingester, events, size, accountID) = box.value
                        for round in 0..<3 {
                            for start in stride(from: 0, to: events.count, by: size) {
                                do {
                                    _ = try ingester.apply(Array(events[start..<min(events.count, start + size)]), defaultAccountID: accountID)
                                } catch {
                                    failures.add("round \(round): \(error)")
                                }
                            }
                        }
                        done.signal()
                    }.start()
                }
                done.wait()
                done.wait()
                #expect(failures.errors.isEmpty, "\(failures.errors)")
            }
            #expect(try contract.count("events") == all.count)
            #expect(try contract.count("emails") == expected.count + externals.count)
            var counts: [Int: Int] = [:]
            for (id, status) in expected {
                #expect(try store.recordedEmail(id: id, inAccount: a.account.id)?.status == status)
                counts[status.code, default: 0] += 1
            }
            let reader = try contract.reader(for: try contract.user(ofStaff: a.staff), accountID: a.account.id)
            for (message, status) in externals {
                let found = try reader.emailIDs(messageID: message, accountID: a.account.id)
                #expect(found.count == 1)
                #expect(try store.recordedEmail(id: try #require(found.first), inAccount: a.account.id)?.status == status)
                counts[status.code, default: 0] += 1
            }
            #expect(try contract.statusCounts(accountID: a.account.id) == Array(repeating: counts, count: 3))
            #expect(try contract.activeSuppressions(accountID: a.account.id).count == 8)
        }
    }
}
