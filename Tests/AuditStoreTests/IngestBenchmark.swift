import AuditCore
import Demo
import Foundation
import Testing
@testable import AuditStore

/// Opt-in throughput check: `EMAIL_AUDIT_STORE_BENCH_EMAILS=100000 swift test ... --filter IngestBenchmark`.
/// Records N emails, hands them over, then ingests about 4 events per email in batches of 5,000.
@Suite("Ingest benchmark", .enabled(if: ProcessInfo.processInfo.environment["EMAIL_AUDIT_STORE_BENCH_EMAILS"] != nil))
struct IngestBenchmark {
    @Test func ingestThroughput() throws {
        let count = Int(ProcessInfo.processInfo.environment["EMAIL_AUDIT_STORE_BENCH_EMAILS"] ?? "") ?? 20_000
        let batchSize = Int(ProcessInfo.processInfo.environment["EMAIL_AUDIT_STORE_BENCH_BATCH"] ?? "") ?? 5_000
        let folder = TempFolder()
        let store = try AuditDatabase(path: folder.path("bench.sqlite"), timeZone: london)
        let account = try store.insertAccount(name: "Bench")
        let staff = try (0..<20).map { try store.insertStaff(accountID: account.id, name: "Staff \($0)", role: .staff) }
        let start = utcDate(2026, 1, 1)
        var clock = ContinuousClock.now

        var ids: [Int64] = []
        ids.reserveCapacity(count)
        for chunk in stride(from: 0, to: count, by: 10_000) {
            let news = (chunk..<min(chunk + 10_000, count)).map { i in
                NewEmail(accountID: account.id, raisedByID: staff[i % staff.count].id, activity: .receiptRecorded,
                         to: "person\(i % 50_000)@example\(i % 97).net", from: "billing@mg.example.com",
                         subject: "Receipt \(i)", textBody: String(repeating: "Body text ", count: Int(ProcessInfo.processInfo.environment["EMAIL_AUDIT_STORE_BENCH_BODY"] ?? "") ?? 30),
                         attachmentNames: ["receipt-\(i).pdf"], createdAt: start.addingTimeInterval(Double(i) * 20))
            }
            ids += try store.record(news)
        }
        for chunk in stride(from: 0, to: ids.count, by: 10_000) {
            _ = try store.markHandedOver((chunk..<min(chunk + 10_000, ids.count)).map { i in
                HandOver(emailID: ids[i], providerMessageID: "m\(ids[i])@mg.example.com", at: start.addingTimeInterval(Double(i) * 20 + 60))
            })
        }
        let setup = ContinuousClock.now - clock
        print("bench: recorded and handed over \(count) emails in \(setup)")

        // ~4 events per email, emitted in time order as a provider would.
        let raw = "{\"event\":\"delivered\",\"id\":\"X\",\"timestamp\":1741947302.417863,\"log-level\":\"info\",\"envelope\":{\"sender\":\"billing@mg.example.com\",\"targets\":\"alice@example.net\",\"transport\":\"smtp\",\"sending-ip\":\"198.51.100.4\"},\"flags\":{\"is-authenticated\":true,\"is-test-mode\":false},\"message\":{\"headers\":{\"to\":\"Alice <alice@example.net>\",\"from\":\"Billing <billing@mg.example.com>\",\"subject\":\"Invoice 1042\",\"message-id\":\"20250314101502.5f3c9a1b7d2e4c60@mg.example.com\"},\"attachments\":[],\"size\":4213},\"recipient\":\"alice@example.net\",\"recipient-domain\":\"example.net\",\"delivery-status\":{\"code\":250,\"message\":\"OK\",\"attempt-no\":1,\"mx-host\":\"mx.example.net\",\"tls\":true,\"session-seconds\":0.4},\"tags\":[],\"user-variables\":{\"audit-id\":\"1\"}}"
        var events: [IncomingEvent] = []
        events.reserveCapacity(count * 4)
        var rng = SeededRandom(seed: 1)
        let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
        for (i, id) in ids.enumerated() {
            let to = "person\(i % 50_000)@example\(i % 97).net"
            let sent = start.addingTimeInterval(Double(i) * 20 + 60)
            let messageID = "m\(id)@mg.example.com"
            func add(_ kind: EventKind, _ offset: Double, severity: FailureSeverity? = nil, reason: String? = nil, code: Int? = nil, message: String? = nil, attempt: Int? = nil) {
                let at = sent.addingTimeInterval(offset)
                // Mailgun event ids are random 22-character strings.
                let eventID = String((0..<22).map { _ in alphabet[Int(rng.next() % 64)] })
                let delivery = code.map { DeliveryStatus(code: $0, enhancedCode: nil, message: message, mxHost: "mx.example.net", attemptNumber: attempt ?? 1) }
                let event = ProviderEvent(key: ProviderEvent.makeKey(providerEventID: eventID, kind: kind.rawValue, recipient: to, occurredAt: at),
                                          providerEventID: eventID, kind: kind, occurredAt: at, severity: severity, reason: reason, delivery: delivery)
                events.append(IncomingEvent(messageID: messageID, recipient: to, event: event, rawJSON: raw,
                                            headers: MessageHeaders(to: to, from: "billing@mg.example.com", subject: "Receipt"), auditEmailID: id))
            }
            add(.accepted, 1)
            let roll = rng.next() % 100
            if roll < 3 {
                add(.failed, 5, severity: .permanent, reason: "bounce", code: 550, message: "No such user", attempt: 1)
            } else {
                if roll < 10 { add(.failed, 5, severity: .temporary, reason: "generic", code: 452, message: "Mailbox full", attempt: 1) }
                add(.delivered, 600, code: 250, message: "OK", attempt: roll < 10 ? 2 : 1)
                if roll < 70 { add(.opened, 3_600) }
                if roll < 30 { add(.clicked, 3_700) }
                if roll < 20 { add(.opened, 7_200) }
            }
        }
        events.sort { $0.event.occurredAt < $1.event.occurredAt }
        print("bench: \(events.count) events prepared")

        clock = .now
        var inserted = 0
        for chunk in stride(from: 0, to: events.count, by: batchSize) {
            let result = try store.apply(Array(events[chunk..<min(chunk + batchSize, events.count)]), defaultAccountID: account.id)
            inserted += result.inserted
        }
        let elapsed = ContinuousClock.now - clock
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        print("bench: ingested \(inserted) events in \(elapsed): \(Int(Double(inserted) / seconds)) events/s")
        #expect(inserted == events.count)

        func timed<T>(_ label: String, _ body: () throws -> T) rethrows -> T {
            let began = ContinuousClock.now
            let value = try body()
            print("bench: \(label): \(ContinuousClock.now - began)")
            return value
        }
        let now = start.addingTimeInterval(Double(count) * 20)
        let counts = try timed("status counts, all dates") { try store.statusCounts(matching: EmailFilter(dateRange: .all), now: now) }
        print("bench: counts \(counts.byStatus.sorted { $0.key < $1.key }.map { "\($0.key.argumentName)=\($0.value)" })")
        #expect(counts.total == count)
        _ = try timed("counts, account, last 30 days") { try store.statusCounts(matching: EmailFilter(accountID: account.id, dateRange: .last30Days), now: now) }
        _ = try timed("counts, To prefix") { try store.statusCounts(matching: EmailFilter(to: .prefix("person12"), dateRange: .all), now: now) }
        let first = try timed("first page, account, all dates") {
            try store.summaries(matching: EmailFilter(accountID: account.id, dateRange: .all), from: nil, direction: .older, limit: 50, now: now)
        }
        _ = try timed("page 2") {
            try store.summaries(matching: EmailFilter(accountID: account.id, dateRange: .all), from: first.last?.cursor, direction: .older, limit: 50, now: now)
        }
        _ = try timed("first page, rare status (failed)") {
            try store.summaries(matching: EmailFilter(accountID: account.id, statuses: [.failed], dateRange: .all), from: nil, direction: .older, limit: 50, now: now)
        }
        _ = try timed("first page, 3 raisers x 2 statuses") {
            try store.summaries(matching: EmailFilter(accountID: account.id, raisedBy: [staff[0].id, staff[1].id, staff[2].id], statuses: [.failed, .clicked], dateRange: .all), from: nil, direction: .older, limit: 50, now: now)
        }
        _ = try timed("first page, To prefix") {
            try store.summaries(matching: EmailFilter(to: .prefix("person12"), dateRange: .all), from: nil, direction: .older, limit: 50, now: now)
        }
        _ = try timed("oldest page (.newer from nil)") {
            try store.summaries(matching: EmailFilter(dateRange: .all), from: nil, direction: .newer, limit: 50, now: now)
        }
        _ = try timed("detail") { try store.detail(emailID: ids[count / 2]) }
        _ = try timed("email and event counts") { (try store.emailCount(), try store.eventCount()) }
        let path = store.path
        try store.close()
        let reopened = try timed("reopen") { try AuditDatabase(path: path, timeZone: london) }
        try reopened.close()
        let rebuilt = try timed("reopen in another zone (roll-up rebuild)") { try AuditDatabase(path: path, timeZone: newYork) }
        #expect(try rebuilt.statusCounts(matching: EmailFilter(dateRange: .all), now: now).total == count)
    }
}
