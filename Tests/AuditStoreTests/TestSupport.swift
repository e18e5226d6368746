import AuditCore
import Testing
import Foundation
import GRDB
@testable import AuditStore

/// A folder under the system temporary directory, removed when released.
final class TempFolder: @unchecked Sendable {
    let url: URL
    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("email-audit-store-tests-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// A store file `NAME.sqlite` built by the migrations up to `version` only, as an older
    /// release left it, for the upgrade tests: its path and an open queue to fill it.
    func store(migratedUpTo version: String, named name: String? = nil) throws -> (path: String, queue: DatabaseQueue) {
        let path = path("\(name ?? version).sqlite")
        let queue = try DatabaseQueue(path: path)
        try Schema.migrator.migrate(queue, upTo: version)
        return (path, queue)
    }
}

let london = TimeZone(identifier: "Europe/London")!
let newYork = TimeZone(identifier: "America/New_York")!
let utc = TimeZone(identifier: "UTC")!

/// A store with one account and a few staff members.
final class Fixture: @unchecked Sendable {
    let folder = TempFolder()
    var store: AuditDatabase
    let account: Account
    let otherAccount: Account
    let alice: StaffUser
    let bob: StaffUser
    let carol: StaffUser
    let support: StaffUser
    var path: String { folder.path("audit.sqlite") }

    init(timeZone: TimeZone = london) throws {
        store = try AuditDatabase(path: folder.path("audit.sqlite"), timeZone: timeZone)
        account = try store.insertAccount(name: "Harbour Lettings")
        otherAccount = try store.insertAccount(name: "Other Agency")
        alice = try store.insertStaff(accountID: account.id, name: "Alice Able", role: .staff)
        bob = try store.insertStaff(accountID: account.id, name: "Bob Baker", role: .staff)
        carol = try store.insertStaff(accountID: otherAccount.id, name: "Carol Cole", role: .staff)
        support = try store.insertStaff(accountID: account.id, name: "Sam Support", role: .support)
    }

    /// The kept counts equal the rows.
    func checkCounts(sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (emails, events) = try store.pool.read { db in
            (try Int.fetchOne(db, sql: "SELECT count(*) FROM emails")!, try Int.fetchOne(db, sql: "SELECT count(*) FROM events")!)
        }
        #expect(try store.emailCount() == emails, sourceLocation: sourceLocation)
        #expect(try store.eventCount() == events, sourceLocation: sourceLocation)
    }

    func reopen(timeZone: TimeZone) throws {
        try store.close()
        store = try AuditDatabase(path: path, timeZone: timeZone)
    }

    func newEmail(by staff: StaffUser, to: String, at: Date, subject: String = "Subject", cc: [String] = [],
                  activity: Activity = .receiptRecorded) -> NewEmail {
        NewEmail(accountID: staff.accountID, raisedByID: staff.id, activity: activity, to: to, cc: cc,
                 from: "billing@mg.example.com", subject: subject, textBody: "Body of \(subject)",
                 attachmentNames: ["receipt.pdf"], createdAt: at)
    }

    /// Hands an email over with message id "m<id>@mg.example.com".
    @discardableResult
    func handOver(_ id: Int64, at: Date) throws -> String {
        let messageID = "m\(id)@mg.example.com"
        _ = try store.markHandedOver(emailID: id, providerMessageID: "<\(messageID)>", at: at)
        return messageID
    }
}

/// Builds provider events for tests.
enum Events {
    nonisolated(unsafe) static var counter = 0
    static let lock = NSLock()

    static func nextID() -> String {
        lock.lock(); defer { lock.unlock() }
        counter += 1
        return "ev\(counter)"
    }

    static func make(_ kind: EventKind, recipient: String, at: Date, id: String? = nil,
                     severity: FailureSeverity? = nil, reason: String? = nil, code: Int? = nil,
                     message: String? = nil, attempt: Int? = nil) -> ProviderEvent {
        let eventID = id ?? nextID()
        let delivery = (code != nil || message != nil || attempt != nil)
            ? DeliveryStatus(code: code, enhancedCode: code.map { $0 >= 500 ? "5.1.1" : "4.2.2" }, message: message,
                             mxHost: "mx.example.net", attemptNumber: attempt)
            : nil
        return ProviderEvent(key: ProviderEvent.makeKey(providerEventID: eventID, kind: kind.rawValue, recipient: recipient, occurredAt: at),
                             providerEventID: eventID, kind: kind, occurredAt: at, severity: severity, reason: reason,
                             delivery: delivery, rejectReason: kind == .rejected ? "not a valid address" : nil)
    }

    /// An event that gives an email `status` on its own.
    static func giving(_ status: EmailStatus, recipient: String, at: Date, id: String? = nil) -> ProviderEvent? {
        switch status {
        case .pending: nil
        case .accepted: make(.accepted, recipient: recipient, at: at, id: id)
        case .delivered: make(.delivered, recipient: recipient, at: at, id: id, code: 250, message: "OK")
        case .opened: make(.opened, recipient: recipient, at: at, id: id)
        case .clicked: make(.clicked, recipient: recipient, at: at, id: id)
        case .temporaryFailure: make(.failed, recipient: recipient, at: at, id: id, severity: .temporary, reason: "generic", code: 452, message: "mailbox full", attempt: 1)
        case .failed: make(.failed, recipient: recipient, at: at, id: id, severity: .permanent, reason: "bounce", code: 550, message: "No such user", attempt: 1)
        case .complained: make(.complained, recipient: recipient, at: at, id: id)
        case .unsubscribed: make(.unsubscribed, recipient: recipient, at: at, id: id)
        case .rejected: make(.rejected, recipient: recipient, at: at, id: id)
        }
    }

    static func incoming(_ event: ProviderEvent, messageID: String, recipient: String, auditID: Int64? = nil,
                         subject: String = "Subject") -> IncomingEvent {
        IncomingEvent(messageID: messageID, recipient: recipient, event: event,
                      rawJSON: "{\"event\":\"\(event.kind.rawValue)\",\"id\":\"\(event.providerEventID)\"}",
                      headers: MessageHeaders(to: recipient, from: "Other System <noreply@other.example.com>",
                                              subject: subject, attachmentNames: ["a.pdf"]),
                      auditEmailID: auditID)
    }
}

/// Dates from UTC components.
func utcDate(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = utc
    return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute, second: second))!
}

/// The in-memory truth about one email, for comparing against queries.
struct ModelEmail: Hashable {
    var id: Int64
    var createdAt: Date
    var accountID: Int64
    var raisedByID: Int64
    var to: String
    var status: EmailStatus

    func matches(_ filter: EmailFilter, now: Date, timeZone: TimeZone) -> Bool {
        if let account = filter.accountID, account != accountID { return false }
        if !filter.raisedBy.isEmpty, !filter.raisedBy.contains(raisedByID) { return false }
        if !filter.statuses.isEmpty, !filter.statuses.contains(status) { return false }
        if let pattern = filter.to, !pattern.matches(to) { return false }
        return filter.dateRange.interval(now: now, timeZone: timeZone).contains(createdAt)
    }
}

extension Array where Element == ModelEmail {
    /// Newest first by (createdAt, id).
    func newestFirst() -> [ModelEmail] {
        sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
    }
}

/// Every page of `.older` paging joined together.
func allPages(_ store: AuditDatabase, _ filter: EmailFilter, limit: Int, now: Date) throws -> [EmailSummary] {
    var result: [EmailSummary] = []
    var cursor: EmailCursor?
    while true {
        let page = try store.summaries(matching: filter, from: cursor, direction: .older, limit: limit, now: now)
        if page.isEmpty { break }
        #expect(page.count <= limit)
        result += page
        cursor = page.last!.cursor
        if result.count > 100_000 { break }
    }
    return result
}
