import AuditCore
import AuditStore
import AuditStorePostgres
import Foundation
import Testing

/// The ingest contract (``EventIngestStore``) run against each backend: events stored once,
/// the status derived from all of an email's events whatever order they came in, roll-ups
/// moved exactly, suppressions added; on PostgreSQL, two ingesters at once.
@Suite("Store contract: ingest")
struct IngestContractTests {
    static let message = "20261201090000.1@mg.harbourlets.co.uk"

    func agency(_ store: any PortfolioStore) throws -> (account: Account, staff: StaffUser) {
        let account = try store.insertAccount(name: "Harbour Lets")
        return (account, try store.insertStaff(accountID: account.id, name: "Priya Shah", role: .staff))
    }

    func record(_ store: any EmailRecordingStore, _ agency: (account: Account, staff: StaffUser), to: String,
                at: Date = utc(2026, 12, 1, 9)) throws -> Int64 {
        try store.record([NewEmail(accountID: agency.account.id, raisedByID: agency.staff.id, activity: .receiptRecorded,
                                   to: to, cc: [], from: "Harbour Lets <notices@mg.harbourlets.co.uk>", subject: "Rent receipt",
                                   textBody: "Dear tenant,\nthank you.", attachmentNames: [], createdAt: at, unitIDs: [])])[0]
    }

    /// A Mailgun-like event for `to` about `message`, naming the email by its audit id.
    func incoming(_ kind: EventKind, _ id: String, to: String, at: Date, message: String = message, auditID: Int64? = nil,
                  severity: FailureSeverity? = nil, code: Int? = nil, subject: String = "Rent receipt") -> IncomingEvent {
        let delivery = code.map { DeliveryStatus(code: $0, enhancedCode: "5.1.1", message: "mailbox unavailable",
                                                  mxHost: "mx.example.net", attemptNumber: 1) }
        let event = ProviderEvent(key: ProviderEvent.makeKey(providerEventID: id, kind: kind.rawValue, recipient: to, occurredAt: at),
                                  providerEventID: id, kind: kind, occurredAt: at, severity: severity,
                                  reason: severity == nil ? nil : "bounce", delivery: delivery)
        let raw = """
            {"event":"\(kind.rawValue)","id":"\(id)","timestamp":\(at.timeIntervalSince1970),"recipient":"\(to)",\
            "message":{"headers":{"message-id":"\(message)","to":"\(to)","subject":"\(subject)"}},\
            "delivery-status":{"code":\(code ?? 250),"mx-host":"mx.example.net"},"user-variables":{"audit-id":"\(auditID ?? 0)"}}
            """
        return IncomingEvent(messageID: message, recipient: to, event: event, rawJSON: raw,
                             headers: MessageHeaders(to: to, from: "notices@mg.harbourlets.co.uk", subject: subject),
                             auditEmailID: auditID)
    }

    /// Events of one email's life: accepted, delivered, two opens, a click.
    func life(to: String, auditID: Int64, message: String = message, prefix: String = "ev") -> [IncomingEvent] {
        [
            incoming(.accepted, "\(prefix)-a", to: to, at: utc(2026, 12, 1, 9, 0, 1, milliseconds: 250), message: message, auditID: auditID),
            incoming(.delivered, "\(prefix)-d", to: to, at: utc(2026, 12, 1, 9, 0, 3), message: message, auditID: auditID),
            incoming(.opened, "\(prefix)-o1", to: to, at: utc(2026, 12, 1, 10, 15), message: message, auditID: auditID),
            incoming(.opened, "\(prefix)-o2", to: to, at: utc(2026, 12, 2, 8, 0), message: message, auditID: auditID),
            incoming(.clicked, "\(prefix)-c", to: to, at: utc(2026, 12, 2, 8, 1), message: message, auditID: auditID),
        ]
    }

    /// The detail with its time as the stores keep it (to the microsecond).
    func stored(_ detail: StatusDetail?) -> StatusDetail? {
        guard var detail else { return nil }
        detail.occurredAt = detail.occurredAt.map { StoredEventCoding.date(microseconds: StoredEventCoding.microseconds($0)) }
        return detail
    }

    @Test(arguments: Backend.available)
    func ingestRoundTrip(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = contract.store
            let a = try agency(store)
            let id = try record(store, a, to: "tenant@example.net")
            let events = life(to: "tenant@example.net", auditID: id)
            let result = try store.apply(events, defaultAccountID: nil)
            #expect(result.inserted == 5 && result.duplicates == 0 && result.createdEmails == 0)
            let derived = StatusDerivation.derive(events.map(\.event))
            #expect(derived.status == .clicked)
            #expect(result.statusChanges == [StatusChange(emailID: id, old: .pending, new: .clicked, accountID: a.account.id,
                                                          raisedByID: a.staff.id, to: "tenant@example.net", detail: stored(derived.detail))])
            let email = try #require(try store.recordedEmail(id: id, inAccount: a.account.id))
            #expect(email.status == .clicked)
            #expect(email.statusDetail == stored(derived.detail))
            #expect(email.providerMessageID == Self.message)
            #expect(email.lastEventAt.map(StoredEventCoding.microseconds) == derived.lastEventAt.map(StoredEventCoding.microseconds))
            #expect(try contract.events(emailID: id).map(\.key) == events.map(\.event.key))
            // The raw events are the SQLite store's compact bytes (format 5), on both backends.
            let compressor = StoredEventCoding.RawEventCompressor()
            let raw = try contract.rawEvents(emailID: id)
            #expect(raw == events.map { StoredEventCoding.rawJSONBytes($0, compressor: compressor) })
            #expect(raw.allSatisfy { $0.first == 5 })
            #expect(try contract.statusCounts(accountID: a.account.id) == Array(repeating: [EmailStatus.clicked.code: 1], count: 3))

            // A hard bounce later: status and roll-ups move from Clicked to what the derivation says, and the address is suppressed.
            let bounce = incoming(.failed, "ev-f", to: "tenant@example.net", at: utc(2026, 12, 3, 7), auditID: id,
                                  severity: .permanent, code: 550)
            let second = try store.apply([bounce], defaultAccountID: nil)
            let now = StatusDerivation.derive((events + [bounce]).map(\.event))
            #expect(second.inserted == 1)
            #expect(second.statusChanges.map(\.new) == (now.status == .clicked ? [] : [now.status]))
            #expect(try store.recordedEmail(id: id, inAccount: a.account.id)?.statusDetail == stored(now.detail))
            #expect(try contract.statusCounts(accountID: a.account.id) == Array(repeating: [now.status.code: 1], count: 3))
            let kind = try #require(SuppressionKind.added(by: bounce.event))
            #expect(second.suppressionsAdded.map(\.address) == ["tenant@example.net"])
            #expect(try contract.activeSuppressions(accountID: a.account.id) == ["tenant@example.net": kind.rawValue])
        }
    }

    @Test(arguments: Backend.available)
    func unknownMessageBecomesAnExternalEmail(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = contract.store
            let a = try agency(store)
            let message = "elsewhere.1@mg.example.org"
            let later = incoming(.delivered, "x-d", to: "owner@example.org", at: utc(2026, 12, 2, 11, 0, 0, milliseconds: 500),
                                 message: message)
            let earlier = incoming(.accepted, "x-a", to: "owner@example.org", at: utc(2026, 12, 2, 10, 59, 59, milliseconds: 125),
                                   message: message)
            let result = try store.apply([later, earlier], defaultAccountID: a.account.id)
            #expect(result.inserted == 2 && result.createdEmails == 1)
            let change = try #require(result.statusChanges.first)
            #expect(change.new == .delivered && change.old == .pending && change.accountID == a.account.id)
            let email = try #require(try store.recordedEmail(id: change.emailID, inAccount: a.account.id))
            #expect(email.activity == .external)
            #expect(email.to == "owner@example.org" && email.subject == "Rent receipt")
            #expect(email.providerMessageID == message)
            // Created at its earliest event, to the millisecond.
            #expect(StoredEventCoding.milliseconds(email.createdAt) == StoredEventCoding.milliseconds(earlier.event.occurredAt))
            #expect(try contract.statusCounts(accountID: a.account.id) == Array(repeating: [EmailStatus.delivered.code: 1], count: 3))
            // The next event of that message finds the same email.
            let open = incoming(.opened, "x-o", to: "owner@example.org", at: utc(2026, 12, 2, 12), message: message)
            let next = try store.apply([open], defaultAccountID: a.account.id)
            #expect(next.createdEmails == 0 && next.statusChanges.map(\.emailID) == [change.emailID])
        }
    }

    /// The same rule when the earlier event comes in a later batch, across a month end: the
    /// email moves to the earlier month (on PostgreSQL its row and its events to that month's
    /// partitions, and every row naming it by its time follows), its roll-ups from the old day
    /// and month to the new, its suppression entry and events still its own.
    @Test(arguments: Backend.available)
    func anExternalEmailMovesToAnEarlierEventOfALaterBatch(_ backend: Backend) throws {
        try withStore(backend, now: utc(2026, 12, 2, 12)) { contract in
            let store = contract.store
            let a = try agency(store)
            let message = "elsewhere.2@mg.example.org"
            let bounce = incoming(.failed, "y-f", to: "owner@example.org", at: utc(2026, 12, 1, 9, 30), message: message,
                                  severity: .permanent, code: 550)
            let first = try store.apply([bounce], defaultAccountID: a.account.id)
            let id = try #require(first.statusChanges.first?.emailID)
            #expect(first.createdEmails == 1 && first.suppressionsAdded.map(\.address) == ["owner@example.org"])
            let december = CalendarDay(year: 2026, month: 12, day: 1), november = CalendarDay(year: 2026, month: 11, day: 30)
            #expect(try contract.dailyCounts(accountID: a.account.id) == [december.ordinal: 1])

            // 30/11 23:59:58.250 in London: the month before.
            let accepted = incoming(.accepted, "y-a", to: "owner@example.org", at: utc(2026, 11, 30, 23, 59, 58, milliseconds: 250),
                                    message: message)
            let second = try store.apply([accepted], defaultAccountID: a.account.id)
            #expect(second.inserted == 1 && second.createdEmails == 0 && second.statusChanges.isEmpty)
            let email = try #require(try store.recordedEmail(id: id, inAccount: a.account.id))
            #expect(StoredEventCoding.milliseconds(email.createdAt) == StoredEventCoding.milliseconds(accepted.event.occurredAt))
            #expect(email.status == .failed)
            #expect(try contract.dailyCounts(accountID: a.account.id) == [november.ordinal: 1])
            #expect(try contract.monthlyCounts(accountID: a.account.id) == [2026 * 12 + 10: 1])
            #expect(try contract.statusCounts(accountID: a.account.id) == Array(repeating: [EmailStatus.failed.code: 1], count: 3))
            #expect(try contract.events(emailID: id).map(\.kind) == ["accepted", "failed"])
            if let partition = try contract.partition(ofEmail: id) { #expect(partition == "emails_y2026m11") }
            if let postgres = contract.postgresAuditStore { #expect(try postgres.consistencyReport().problems == []) }

            // Found again by its message; a later event changes nothing of its time.
            let open = incoming(.opened, "y-o", to: "owner@example.org", at: utc(2026, 12, 2, 8), message: message)
            let third = try store.apply([open], defaultAccountID: a.account.id)
            #expect(third.createdEmails == 0 && third.inserted == 1)
            let again = try #require(try store.recordedEmail(id: id, inAccount: a.account.id))
            #expect(StoredEventCoding.milliseconds(again.createdAt) == StoredEventCoding.milliseconds(accepted.event.occurredAt))
            #expect(try contract.activeSuppressions(accountID: a.account.id).keys.sorted() == ["owner@example.org"])
        }
    }

    @Test(arguments: Backend.available)
    func aDuplicateEventIsStoredOnce(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = contract.store
            let a = try agency(store)
            let id = try record(store, a, to: "tenant@example.net")
            let events = life(to: "tenant@example.net", auditID: id)
            let first = try store.apply(events + [events[1], events[2]], defaultAccountID: nil)
            #expect(first.inserted == 5 && first.duplicates == 2)
            let again = try store.apply(events, defaultAccountID: nil)
            #expect(again.inserted == 0 && again.duplicates == 5 && again.statusChanges.isEmpty)
            #expect(try contract.events(emailID: id).count == 5)
            #expect(try contract.statusCounts(accountID: a.account.id) == Array(repeating: [EmailStatus.clicked.code: 1], count: 3))
        }
    }

    @Test(arguments: Backend.available)
    func outOfOrderEventsDeriveTheSameStatus(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let store = contract.store
            let a = try agency(store)
            let inOrder = try record(store, a, to: "first@example.net")
            let shuffled = try record(store, a, to: "second@example.net")
            func events(_ to: String, _ id: Int64, _ message: String) -> [IncomingEvent] {
                life(to: to, auditID: id, message: message, prefix: to) + [
                    incoming(.failed, "\(to)-t", to: to, at: utc(2026, 12, 1, 9, 0, 2), message: message, auditID: id,
                             severity: .temporary, code: 421),
                ]
            }
            let one = events("first@example.net", inOrder, "m1@mg.harbourlets.co.uk")
                .sorted { $0.event.occurredAt < $1.event.occurredAt }
            for event in one { _ = try store.apply([event], defaultAccountID: nil) }
            let two = events("second@example.net", shuffled, "m2@mg.harbourlets.co.uk")
            let order = [4, 2, 5, 0, 3, 1]
            for pair in stride(from: 0, to: order.count, by: 2) {
                _ = try store.apply([two[order[pair]], two[order[pair + 1]]], defaultAccountID: nil)
            }
            let x = try #require(try store.recordedEmail(id: inOrder, inAccount: a.account.id))
            let y = try #require(try store.recordedEmail(id: shuffled, inAccount: a.account.id))
            #expect(x.status == .clicked && y.status == x.status)
            #expect(x.statusDetail == y.statusDetail && x.lastEventAt == y.lastEventAt)
            #expect(x.statusDetail == stored(StatusDerivation.derive(one.map(\.event)).detail))
            #expect(try contract.statusCounts(accountID: a.account.id) == Array(repeating: [EmailStatus.clicked.code: 2], count: 3))
        }
    }

    /// Two ingesters on two connections apply the same emails' events at once, in different
    /// orders and batches: every event stored once, each email in its one correct status, the
    /// roll-ups exact.
    @Test(.enabled(if: Backend.serverURL != nil, "needs a server: set EMAIL_AUDIT_TEST_POSTGRES_URL"))
    func concurrentIngestersOnPostgres() throws {
        try withStore(.postgres) { contract in
            let store = contract.store
            let a = try agency(store)
            var all: [IncomingEvent] = []
            var expected: [Int64: EmailStatus] = [:]
            for n in 0..<8 {
                let to = "tenant\(n)@example.net"
                let id = try record(store, a, to: to)
                var events = life(to: to, auditID: id, message: "c\(n)@mg.harbourlets.co.uk", prefix: to)
                if n % 3 == 0 {
                    events.append(incoming(.failed, "\(to)-f", to: to, at: utc(2026, 12, 3, 7), message: "c\(n)@mg.harbourlets.co.uk",
                                           auditID: id, severity: .permanent, code: 550))
                }
                expected[id] = StatusDerivation.derive(events.map(\.event)).status
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
                let forward = all, backward = Array(all.reversed())
                let stores: [(any EventIngestStore, [IncomingEvent], Int)] = [(store, forward, 3), (second, backward, 4)]
                for (ingester, events, size) in stores {
                    let box = UncheckedBox((ingester, events, size))
                    Thread {
                        let (ingester, events, size) = box.value
                        for round in 0..<5 {
                            for start in stride(from: 0, to: events.count, by: size) {
                                do {
                                    _ = try ingester.apply(Array(events[start..<min(events.count, start + size)]), defaultAccountID: nil)
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
            var counts: [Int: Int] = [:]
            for (id, status) in expected {
                #expect(try store.recordedEmail(id: id, inAccount: a.account.id)?.status == status)
                #expect(try contract.events(emailID: id).count == all.filter { $0.auditEmailID == id }.count)
                counts[status.code, default: 0] += 1
            }
            #expect(try contract.statusCounts(accountID: a.account.id) == Array(repeating: counts, count: 3))
        }
    }
}

/// Carries a value to another thread (the test waits for the thread before going on).
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}
