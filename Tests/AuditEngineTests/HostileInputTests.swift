import AuditCore
import AuditStore
import Foundation
import Testing
@testable import AuditEngine

/// Issue 9, engine and store half: hostile or careless provider data is refused line by line
/// (naming line and field), never crashes the ingest, and never loses the good lines.
@Suite("Hostile provider data")
struct HostileInputTests {
    /// 20/11/2026 12:00 UTC: the "now" of every ingest here.
    static let now = Date(timeIntervalSince1970: 1_795_176_000)
    static let clock = ManualClock(now)

    /// A delivered event as one JSON line; `fields` are spliced in raw (already JSON).
    static func line(id: String, recipient: String = "alice@example.net", messageID: String = "m1@mg.example.com",
                     timestamp: String = "1795089600.5", subject: String = "\"Invoice\"", extra: String = "") -> String {
        #"{"event": "delivered", "id": "\#(id)", "timestamp": \#(timestamp), "recipient": "\#(recipient)", "#
            + #""message": {"headers": {"message-id": "\#(messageID)", "to": "\#(recipient)", "subject": \#(subject)}}\#(extra)}"#
    }

    static func ingest(_ harness: TestStore, _ lines: [String], batchSize: Int = 4_000) throws -> IngestReport {
        try EventIngestor(store: harness.store, batchSize: batchSize, clock: clock).ingest(lines: lines)
    }

    // MARK: Defect 1: huge and implausible timestamps

    @Test func hugeOrImplausibleTimestampsAreLineErrorsAndTheGoodLinesAreKept() throws {
        let harness = try TestStore()
        let bad = ["1e300", "\"1e300\"", "9.3e12", "9223372036854775807", "\"9.3e12\"", "1e12", "-5", "946684799",
                   "1795262400.5" /* now + 1 day + 0.5 s */, "\"NaN\"", "\"inf\""]
        var lines = [Self.line(id: "good-1")]
        for (index, timestamp) in bad.enumerated() {
            lines.append(Self.line(id: "bad-\(index)", recipient: "r\(index)@example.net", messageID: "b\(index)@x", timestamp: timestamp))
        }
        lines.append(Self.line(id: "good-2", timestamp: "\"1795089700\""))
        let report = try Self.ingest(harness, lines)
        #expect(report.inserted == 2)
        #expect(report.malformed == bad.count)
        #expect(report.problems.map(\.line) == Array(2...(bad.count + 1)))
        #expect(report.problems.allSatisfy { $0.field == "timestamp" })
        #expect(report.problems.allSatisfy { !"\($0)".contains("\n") && "\($0)".hasPrefix("line ") })
        #expect(try harness.store.emailCount() == 1, "only the good lines made an email")
        // The newest email is the good one, dated 2026, not the year 33658.
        let rows = try harness.store.summaries(matching: EmailFilter(dateRange: .all), from: nil, direction: .older, limit: 5, now: Self.now)
        #expect(rows.map(\.to) == ["alice@example.net"])
    }

    @Test func aHugeTimestampInAFileDoesNotCrashAndKeepsTheBatch() throws {
        let harness = try TestStore()
        let file = harness.folder.appendingPathComponent("events.jsonl")
        try ([Self.line(id: "ok"), Self.line(id: "huge", messageID: "h@x", timestamp: "1e300")].joined(separator: "\n") + "\n")
            .write(to: file, atomically: true, encoding: .utf8)
        let report = try EventIngestor(store: harness.store, clock: Self.clock).ingest(fileAt: file.path)
        #expect(report.inserted == 1)
        #expect(report.problems.first.map { "\($0)" }?.contains("line 2: field \"timestamp\"") == true)
    }

    @Test func numbersOutOfRangeAreFieldErrors() throws {
        let harness = try TestStore()
        let lines = [
            Self.line(id: "n1", extra: #", "delivery-status": {"code": 1e15}"#),
            Self.line(id: "n2", extra: #", "delivery-status": {"code": 250, "attempt-no": 99999999}"#),
            Self.line(id: "n3", extra: #", "delivery-status": {"retry-seconds": -1}"#),
            Self.line(id: "n4", extra: #", "delivery-status": {"code": 250, "attempt-no": 1, "retry-seconds": 600}"#),
        ]
        let report = try Self.ingest(harness, lines)
        #expect(report.problems.map(\.field) == ["delivery-status.code", "delivery-status.attempt-no", "delivery-status.retry-seconds"])
        #expect(report.inserted == 1)
    }

    @Test func anOverlongIdentityIsRefusedNotCut() throws {
        let harness = try TestStore()
        let long = String(repeating: "m", count: 5_000)
        let rejected = #"{"event": "rejected", "id": "rj1", "timestamp": 1795089600, "message": {"headers": {"message-id": "rj@x", "to": "\#(long)@example.net"}}}"#
        let report = try Self.ingest(harness, [Self.line(id: "i1", messageID: long + "@x"), Self.line(id: "i2", recipient: long + "@example.net"),
                                               rejected, Self.line(id: "i3", messageID: "fine@x")])
        #expect(report.problems.map(\.field) == ["message.headers.message-id", "recipient", "message.headers.to"])
        #expect(report.inserted == 1)
    }

    // MARK: Defect 2: NUL inside text

    @Test func nulInsideTextIsRefusedAndReingestStaysIdempotent() throws {
        let harness = try TestStore()
        let lines = [
            Self.line(id: "a", messageID: #"same\u0000one@x"#),
            Self.line(id: "b", messageID: #"same\u0000two@x"#),
            Self.line(id: "c", recipient: #"bob\u0000@example.net"#, messageID: "c@x"),
            Self.line(id: "d", messageID: "d@x", subject: #""Rent\u0000due""#),
            Self.line(id: #"e\u0000"#, messageID: "e@x"),
            Self.line(id: "ok", messageID: "ok@x"),
        ]
        let file = harness.folder.appendingPathComponent("nul.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
        let ingestor = EventIngestor(store: harness.store, clock: Self.clock)
        let first = try ingestor.ingest(fileAt: file.path)
        let second = try ingestor.ingest(fileAt: file.path)  // threw "UNIQUE constraint failed" before
        #expect(first.inserted == 1)
        #expect(first.problems.map(\.field) == ["message.headers.message-id", "message.headers.message-id", "recipient",
                                               "message.headers.subject", "id"])
        #expect(first.problems.allSatisfy { "\($0)".contains("NUL") })
        #expect(second.inserted == 0 && second.duplicates == 1)
        #expect(try harness.store.emailCount() == 1, "ids differing after a NUL never collapse into one email")
    }

    @Test func theStoreRefusesNULWhateverTheCaller() throws {
        let harness = try TestStore()
        let event = ProviderEvent(key: "k", providerEventID: "p", kind: .delivered, occurredAt: Self.now)
        let incoming = IncomingEvent(messageID: "a\u{0}b@x", recipient: "x@example.net", event: event, rawJSON: "{}")
        #expect(throws: StoreError.self) { _ = try harness.store.apply([incoming], defaultAccountID: nil) }
        var late = event
        late.occurredAt = Date(timeIntervalSince1970: 1e300)
        let huge = IncomingEvent(messageID: "ab@x", recipient: "x@example.net", event: late, rawJSON: "{}")
        #expect(throws: StoreError.self) { _ = try harness.store.apply([huge], defaultAccountID: nil) }
        #expect(try harness.store.emailCount() == 0)
        #expect(throws: StoreError.self) { _ = try harness.store.insertAccount(name: "Acme\u{0}Ltd") }
        let account = try harness.store.insertAccount(name: "Acme")
        let staff = try harness.store.insertStaff(accountID: account.id, name: "Ann", role: .staff)
        #expect(throws: StoreError.self) {
            _ = try harness.store.record([NewEmail(accountID: account.id, raisedByID: staff.id, activity: .receiptRecorded,
                                                   to: "t@example.net", from: "a@b.c", subject: "Rent\u{0}due", textBody: "",
                                                   createdAt: Self.now)])
        }
        #expect(throws: StoreError.self) {
            _ = try harness.store.insertContact(accountID: account.id, name: "N", email: "x\u{0}@y", phone: "1", role: .tenant, unitIDs: [])
        }
        #expect(try harness.store.accounts().map(\.name) == ["Acme"])
    }

    // MARK: Defect 4 (ingest part): stored field lengths are capped

    @Test func aHugeSubjectIsCutWithAVisibleMarkAndTheRawEventKeptWhole() throws {
        let harness = try TestStore()
        let subject = String(repeating: "Ab", count: 50_000)
        let report = try Self.ingest(harness, [Self.line(id: "long", subject: "\"\(subject)\"")])
        #expect(report.inserted == 1)
        let row = try #require(try harness.store.summaries(matching: EmailFilter(dateRange: .all), from: nil, direction: .older,
                                                           limit: 1, now: Self.now).first)
        #expect(row.subject.count < 1_100)
        #expect(row.subject.hasPrefix("AbAb"))
        #expect(row.subject.hasSuffix("(cut: \(100_000 - StoredText.headerLimit) characters)"))
        let raw = try harness.store.rawEvents(emailID: row.id)
        #expect(raw.first?.contains(subject) == true)
    }

    // MARK: Defect 7: an audit id takes over only its own email

    @Test func anAuditIDIsTrustedOnlyWhenTheRecipientMatches() throws {
        let harness = try TestStore()
        let account = try harness.store.insertAccount(name: "Acme")
        let staff = try harness.store.insertStaff(accountID: account.id, name: "Ann", role: .staff)
        let id = try harness.store.record([NewEmail(accountID: account.id, raisedByID: staff.id, activity: .receiptRecorded,
                                                    to: "tenant@example.net", from: "a@b.c", subject: "Receipt", textBody: "b",
                                                    createdAt: Self.now.addingTimeInterval(-86_400))])[0]
        let audit = #", "user-variables": {"audit-id": "\#(id)"}"#
        let forged = Self.line(id: "f1", recipient: "attacker@evil.test", messageID: "forged@evil.test", extra: audit)
        let real = Self.line(id: "r1", recipient: "tenant@example.net", messageID: "real@mg.example.com", extra: audit)
        let otherForged = Self.line(id: "f2", recipient: "tenant@example.net", messageID: "second@evil.test", extra: audit)
        _ = try Self.ingest(harness, [forged])
        #expect(try harness.store.detail(emailID: id)?.email.providerMessageID == nil, "the forged event did not claim the email")
        _ = try Self.ingest(harness, [real])
        let detail = try #require(try harness.store.detail(emailID: id))
        #expect(detail.email.providerMessageID == "real@mg.example.com")
        #expect(detail.email.status == .delivered)
        // Once set, the message id never changes.
        _ = try Self.ingest(harness, [otherForged])
        #expect(try harness.store.detail(emailID: id)?.email.providerMessageID == "real@mg.example.com")
        #expect(try harness.store.markHandedOver(emailID: id, providerMessageID: "third@x", at: Self.now) == false)
        #expect(try harness.store.detail(emailID: id)?.email.providerMessageID == "real@mg.example.com")
    }

    // MARK: Defect 8: invalid UTF-8, over-long lines, bounded problem lists

    @Test func invalidUTF8BytesAreCountedAndReported() throws {
        let harness = try TestStore()
        // The subject string holds two bytes that are not UTF-8.
        let text = Self.line(id: "u1", subject: "\"Rent XX\"")
        var data = Data(text.utf8)
        let marker = data.range(of: Data("XX".utf8))!
        data.replaceSubrange(marker, with: [0xFF, 0xC3])
        data.append(contentsOf: Data(("\n" + Self.line(id: "u2", messageID: "m2@x") + "\n").utf8))
        let file = harness.folder.appendingPathComponent("latin1.jsonl")
        try data.write(to: file)
        let report = try EventIngestor(store: harness.store, clock: Self.clock).ingest(fileAt: file.path)
        #expect(report.inserted == 2)
        #expect("\(report)".contains("2 invalid UTF-8 byte sequences replaced by U+FFFD on 1 line (1)"))
    }

    @Test func anOverlongLineIsReportedWithoutBeingReadWhole() throws {
        let harness = try TestStore()
        let file = harness.folder.appendingPathComponent("long.jsonl")
        var data = Data((Self.line(id: "l1") + "\n").utf8)
        data.append(Data(repeating: UInt8(ascii: "x"), count: 300_000))
        data.append(Data(("\n" + Self.line(id: "l3", messageID: "m3@x") + "\n").utf8))
        data.append(Data(repeating: UInt8(ascii: "y"), count: 200_000))  // no newline at the end
        try data.write(to: file)
        let report = try EventIngestor(store: harness.store, clock: Self.clock, maximumLineBytes: 64 * 1024).ingest(fileAt: file.path)
        #expect(report.inserted == 2)
        #expect(report.problems.map(\.line) == [2, 4])
        #expect(report.problems.first.map { "\($0)" }?.contains("300000 bytes long") == true)
    }

    @Test func onlyTwentyProblemsAreKeptButAllAreCounted() throws {
        let harness = try TestStore()
        let lines = (0..<5_000).map { "not json \($0)" } + [Self.line(id: "last")]
        let report = try Self.ingest(harness, lines, batchSize: 700)
        #expect(report.problems.count == 20)
        #expect(report.malformed == 5_000)
        #expect(report.inserted == 1)
        #expect("\(report)".contains("5000 malformed"))
    }
}
