// email-audit-test-fixture: writes one small audit store, the same on SQLite and on PostgreSQL,
// through the store contract (PortfolioStore, EmailRecordingStore, EventIngestStore), for the
// tests of the commands that read both backends (scripts/cli_tests.py, scripts/e2e_tmux.py).
// Not a user command.
//
//   email-audit-test-fixture --sqlite PATH --postgres URL
//
// Either may be left out. The PostgreSQL database must hold no audit data yet (a new one, or
// scripts/pg_throwaway.sh's). Prints one line per store written.
import AuditCore
import AuditStore
import AuditStorePostgres
import Foundation

let zone = TimeZone(identifier: "Europe/London")!

/// Writes the fixture into `store`: one agency, three staff members and a support user, two units with a contact,
/// and 36 emails over November 2026 with events taking them to every status.
func writeFixture(into store: any PortfolioStore & EmailRecordingStore & EventIngestStore) throws -> (emails: Int, events: Int) {
    let account = try store.insertAccount(name: "Harbour Lets")
    let staff = try ["Priya Shah", "Tom Ellis", "Ann Wu"].map { try store.insertStaff(accountID: account.id, name: $0, role: .staff) }
    let block = try store.insertBlock(accountID: account.id, name: "Harbour Court", street: "1 Quay Street", town: "Bristol", postcode: "BS1 4DJ")
    let units = try ["Flat 1", "Flat 2"].map { try store.insertUnit(accountID: account.id, blockID: block.id, name: $0) }
    _ = try store.insertContact(accountID: account.id, name: "Alice Tenant", email: "alice@example.net", phone: "0117 496 0000",
                                role: .tenant, unitIDs: [units[0].id])
    let outcomes: [EmailStatus] = [.pending, .accepted, .delivered, .opened, .failed, .complained, .rejected, .delivered, .opened]
    let addresses = ["alice@example.net", "bob@example.org", "carol@example.com", "dan@example.net"]
    let start = ISO8601DateFormatter().date(from: "2026-11-02T09:00:00Z")!
    var emails: [NewEmail] = []
    for index in 0..<36 {
        emails.append(NewEmail(accountID: account.id, raisedByID: staff[index % 3].id, activity: .receiptRecorded,
                               to: addresses[index % addresses.count], from: "Harbour Lets <notices@mg.harbourlets.co.uk>",
                               subject: "Rent receipt \(index + 1)", textBody: "Dear tenant,\nthank you for your payment.",
                               createdAt: start.addingTimeInterval(Double(index) * 16 * 3600 + 60)))
    }
    let ids = try store.record(emails)
    var incoming: [IncomingEvent] = []
    for (index, id) in ids.enumerated() {
        incoming += events(to: outcomes[index % outcomes.count], emailID: id, address: emails[index].to, at: emails[index].createdAt)
    }
    _ = try store.apply(incoming, defaultAccountID: nil)
    // The support team's Sam Rees (who may remove suppressions), after the emails, so their ids stay.
    _ = try store.insertStaff(accountID: account.id, name: "Sam Rees", role: .support)
    return (ids.count, incoming.count)
}

/// The events that take email `emailID` to `outcome` (none for Pending), Mailgun-like, with raw JSON.
func events(to outcome: EmailStatus, emailID: Int64, address: String, at: Date) -> [IncomingEvent] {
    let message = "fixture.\(emailID)@mg.harbourlets.co.uk"
    func make(_ kind: EventKind, _ minutes: Double, severity: FailureSeverity? = nil, reason: String? = nil, code: Int? = nil) -> IncomingEvent {
        let id = "fixture-\(emailID)-\(kind.rawValue)", when = at.addingTimeInterval(minutes * 60)
        let delivery = code.map { DeliveryStatus(code: $0, enhancedCode: "5.1.1", message: "mailbox unavailable", mxHost: "mx.example.net",
                                                  attemptNumber: 1) }
        let event = ProviderEvent(key: ProviderEvent.makeKey(providerEventID: id, kind: kind.rawValue, recipient: address, occurredAt: when),
                                  providerEventID: id, kind: kind, occurredAt: when, severity: severity, reason: reason, delivery: delivery)
        let raw = """
            {"event":"\(kind.rawValue)","id":"\(id)","timestamp":\(when.timeIntervalSince1970),"recipient":"\(address)",\
            "message":{"headers":{"message-id":"\(message)","to":"\(address)","subject":"Rent receipt"}},\
            "delivery-status":{"code":\(code ?? 250),"mx-host":"mx.example.net"},"user-variables":{"audit-id":"\(emailID)"}}
            """
        return IncomingEvent(messageID: message, recipient: address, event: event, rawJSON: raw,
                             headers: MessageHeaders(to: address, from: "notices@mg.harbourlets.co.uk", subject: "Rent receipt"),
                             auditEmailID: emailID)
    }
    switch outcome {
    case .accepted: return [make(.accepted, 1)]
    case .delivered: return [make(.accepted, 1), make(.delivered, 2)]
    case .opened: return [make(.accepted, 1), make(.delivered, 2), make(.opened, 30)]
    case .failed: return [make(.accepted, 1), make(.failed, 2, severity: .permanent, reason: "bounce", code: 550)]
    case .complained: return [make(.accepted, 1), make(.delivered, 2), make(.complained, 40)]
    case .rejected: return [make(.rejected, 1, reason: "suppress-bounce")]
    default: return []
    }
}

var arguments = Array(CommandLine.arguments.dropFirst())
var sqlitePath: String?, postgresURL: String?
while let option = arguments.first {
    arguments.removeFirst()
    guard let value = arguments.first else { break }
    arguments.removeFirst()
    switch option {
    case "--sqlite": sqlitePath = value
    case "--postgres": postgresURL = value
    default:
        FileHandle.standardError.write(Data("usage: email-audit-test-fixture [--sqlite PATH] [--postgres URL]\n".utf8))
        exit(64)
    }
}
do {
    if let sqlitePath {
        let written = try writeFixture(into: try AuditDatabase(path: sqlitePath, timeZone: zone))
        print("sqlite: \(written.emails) emails, \(written.events) events")
    }
    if let postgresURL {
        let connection = try PostgresStoreOpening.open(url: postgresURL, timeZone: zone,
                                                       warn: { FileHandle.standardError.write(Data(($0 + "\n").utf8)) })
        defer { connection.close() }
        let written = try writeFixture(into: try PostgresAuditStore(connection: connection))
        print("postgres: \(written.emails) emails, \(written.events) events")
    }
} catch {
    FileHandle.standardError.write(Data("email-audit-test-fixture: \(error)\n".utf8))
    exit(1)
}
