import AuditCore
import Foundation

/// A deterministic in-memory store for the terminal tests.
///
/// About 60 emails over six days ending at ``FakeAuditReader/now``, every status,
/// non-ASCII names, CJK and emoji subjects, and one subject full of control bytes.
final class FakeAuditReader: AuditReader, @unchecked Sendable {
    static let timeZone = TimeZone(identifier: "Europe/London")!
    /// 20/11/2026 14:30 in London.
    static let now: Date = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        return calendar.date(from: DateComponents(year: 2026, month: 11, day: 20, hour: 14, minute: 30))!
    }()

    /// The activities emails cycle through (those of the staff's own actions, and External).
    static let activities: [Activity] = [.receiptRecorded, .serviceChargeDemand, .creditControlReminder, .leaseholderStatement,
                                         .ticketUpdate, .notification, .external]

    static let evilSubject = "Hello \u{1B}[2J\u{07}world\u{1B}]0;pwned\u{07} \u{0}\u{8}done"

    static let staffList: [StaffUser] = [
        StaffUser(id: 1, accountID: 1, name: "Zoë Adams", role: .staff),
        StaffUser(id: 2, accountID: 1, name: "Łukasz Nowak", role: .staff),
        StaffUser(id: 3, accountID: 1, name: "Siobhán O'Brien", role: .support),
        StaffUser(id: 4, accountID: 1, name: "Priya Shah", role: .staff),
        StaffUser(id: 5, accountID: 1, name: StaffUser.externalName, role: .staff),
    ]

    static let recipients = [
        "anna.jones@example.com", "bob.smith@example.net", "chen.wei@example.cn", "dave.brown@bounce.example",
        "emma.wilson@example.org", "farid.khan@example.co.uk", "grace.lee@example.com", "henry.ford@example.net",
    ]

    static let subjects = [
        "Receipt for your payment — Flat 3", "Service charge demand 2026/27", "年次報告書のお知らせ",
        "Ticket update 🎉 boiler fixed", "Reminder: arrears on Flat 12", "Statement for Zoë Ødegård",
        "Notification: fire alarm test 🔥", "Ticket update: lift repair (Łódź office)",
        "Demand for ground rent — 서울 Block", "Receipt ✅ café refurbishment",
    ]

    private let lock = NSLock()
    private var emails: [Email]
    private var events: [Int64: [ProviderEvent]]
    private var token: Int64 = 1
    private var health = HandOverHealth()
    private var links: [Int64: ResendLinks] = [:]
    private(set) var summaryCalls: [(cursor: EmailCursor?, direction: PageDirection, limit: Int)] = []

    /// A store with the standard data, or an empty one.
    init(empty: Bool = false) {
        emails = []
        events = [:]
        guard !empty else { return }
        for index in 0..<60 {
            let id = Int64(index + 1)
            // Newest ids are the newest emails: 12 today, then 10 per earlier day.
            let minutesBack = index < 12 ? (index + 1) * 11 : 12 * 11 + (index - 11) * 144 + 60
            let created = FakeAuditReader.now.addingTimeInterval(-Double(minutesBack) * 60)
            let status = EmailStatus.allCases[index % 10]
            var subject = FakeAuditReader.subjects[index % FakeAuditReader.subjects.count]
            if index == 2 { subject = FakeAuditReader.evilSubject }
            let to = FakeAuditReader.recipients[index % FakeAuditReader.recipients.count]
            let person = FakeAuditReader.staffList[index % FakeAuditReader.staffList.count]
            add(id: id, created: created, status: status, to: to, subject: subject, person: person)
        }
    }

    /// Adds one email with the events that lead to `status`.
    func add(id: Int64, created: Date, status: EmailStatus, to: String, subject: String, person: StaffUser) {
        let evs = FakeAuditReader.events(for: status, id: id, created: created, to: to)
        let derived = StatusDerivation.derive(evs)
        let email = Email(
            id: id, accountID: 1, raisedByID: person.id, raisedByName: person.name,
            activity: FakeAuditReader.activities[Int(id) % FakeAuditReader.activities.count], to: to,
            cc: id % 7 == 0 ? ["accounts@acme-lettings.example"] : [], from: "Acme Lettings <noreply@acme-lettings.example>",
            subject: subject,
            textBody: "Dear resident,\n\nPlease find attached your document.\u{1B}[31m Red?\nKind regards,\nAcme Lettings\n\n日本語の本文と絵文字 🎉 も表示されます。",
            attachmentNames: id % 3 == 0 ? ["statement-\(id).pdf"] : [], createdAt: created,
            providerMessageID: status == .pending ? nil : "20261120.\(id)@mg.acme-lettings.example",
            status: derived.status, statusDetail: derived.detail, lastEventAt: derived.lastEventAt)
        lock.lock()
        emails.append(email)
        events[id] = evs
        token += 1
        lock.unlock()
    }

    /// Records a resend of `emailID` to `to` as a new Pending email raised by Jo Bloggs, linked
    /// both ways (the fake store's side of ``ResendActions``); nil when there is no such email.
    func recordResend(of emailID: Int64, to: String, contactsUpdated: Int) -> ResendOutcome? {
        lock.lock()
        guard let original = emails.first(where: { $0.id == emailID }) else { lock.unlock(); return nil }
        let id = (emails.map(\.id).max() ?? 0) + 1
        var copy = original
        copy.id = id
        copy.to = to
        copy.createdAt = FakeAuditReader.now
        copy.raisedByName = "Jo Bloggs"
        copy.providerMessageID = nil
        copy.status = .pending
        copy.statusDetail = nil
        copy.lastEventAt = nil
        emails.append(copy)
        events[id] = []
        links[emailID, default: ResendLinks()].resentAs.append(id)
        links[id] = ResendLinks(resendOf: emailID, correctedFrom: to == original.to ? nil : original.to, contactsUpdated: contactsUpdated)
        token += 1
        lock.unlock()
        return ResendOutcome(newEmailID: id, originalID: emailID, to: to, originalTo: original.to, contactsUpdated: contactsUpdated)
    }

    /// Pretends the store changed without any email changing.
    func touch() {
        lock.lock()
        token += 1
        lock.unlock()
    }

    static func events(for status: EmailStatus, id: Int64, created: Date, to: String) -> [ProviderEvent] {
        var result: [ProviderEvent] = []
        var time = created.addingTimeInterval(60)
        func event(_ kind: EventKind, severity: FailureSeverity? = nil, reason: String? = nil,
                   delivery: DeliveryStatus? = nil, reject: String? = nil, url: String? = nil) {
            let eventID = "ev-\(id)-\(result.count)"
            result.append(ProviderEvent(key: ProviderEvent.makeKey(providerEventID: eventID, kind: kind.rawValue, recipient: to, occurredAt: time),
                                        providerEventID: eventID, kind: kind, occurredAt: time, severity: severity, reason: reason,
                                        delivery: delivery, rejectReason: reject, url: url))
            time = time.addingTimeInterval(97)
        }
        let ok = DeliveryStatus(code: 250, message: "OK", mxHost: "mx1.example.com", attemptNumber: 1)
        switch status {
        case .pending: break
        case .accepted: event(.accepted)
        case .delivered: event(.accepted); event(.delivered, delivery: ok)
        case .opened: event(.accepted); event(.delivered, delivery: ok); event(.opened)
        case .clicked:
            event(.accepted); event(.delivered, delivery: ok); event(.opened)
            event(.clicked, url: "https://portal.acme-lettings.example/pay")
        case .temporaryFailure:
            event(.accepted)
            event(.failed, severity: .temporary, reason: "generic",
                  delivery: DeliveryStatus(code: 452, enhancedCode: "4.2.2", message: "mailbox full", mxHost: "mx.example.net",
                                           attemptNumber: 2, retrySeconds: 900))
        case .failed:
            event(.accepted)
            event(.failed, severity: .temporary, reason: "generic",
                  delivery: DeliveryStatus(code: 421, message: "try again later", mxHost: "mx.bounce.example", attemptNumber: 1, retrySeconds: 600))
            event(.failed, severity: .permanent, reason: "bounce",
                  delivery: DeliveryStatus(code: 550, enhancedCode: "5.1.1",
                                           message: "The email account that you tried to reach does not exist.\u{1B}[5m",
                                           description: "Not delivered: mailbox unknown", mxHost: "mx.bounce.example", attemptNumber: 2))
        case .complained: event(.accepted); event(.delivered, delivery: ok); event(.complained)
        case .unsubscribed: event(.accepted); event(.delivered, delivery: ok); event(.unsubscribed)
        case .rejected: event(.rejected, reject: "Sandbox subdomains are for test purposes only")
        }
        return result
    }

    // MARK: AuditReader

    private func matching(_ filter: EmailFilter, now: Date) -> [Email] {
        let span = filter.dateRange.interval(now: now, timeZone: FakeAuditReader.timeZone)
        lock.lock()
        let all = emails
        lock.unlock()
        return all.filter { email in
            (filter.accountID.map { $0 == email.accountID } ?? true)
                && (filter.raisedBy.isEmpty || filter.raisedBy.contains(email.raisedByID))
                && (filter.statuses.isEmpty || filter.statuses.contains(email.status))
                && (filter.to.map { $0.matches(email.to) } ?? true)
                && filter.subjectMatches(email.subject)
                && span.contains(email.createdAt)
        }
        .sorted { ($0.createdAt, $0.id) > ($1.createdAt, $1.id) }
    }

    func summaries(matching filter: EmailFilter, from cursor: EmailCursor?, direction: PageDirection,
                   limit: Int, now: Date) throws -> [EmailSummary] {
        lock.lock()
        summaryCalls.append((cursor, direction, limit))
        lock.unlock()
        let rows = matching(filter, now: now)
        let picked: [Email]
        switch direction {
        case .older:
            let after = cursor.map { c in rows.filter { ($0.createdAt, $0.id) < (c.createdAt, c.id) } } ?? rows
            picked = Array(after.prefix(limit))
        case .newer:
            let before = cursor.map { c in rows.filter { ($0.createdAt, $0.id) > (c.createdAt, c.id) } } ?? rows
            picked = Array(before.suffix(limit))
        }
        return picked.map {
            EmailSummary(id: $0.id, createdAt: $0.createdAt, to: $0.to, subject: $0.subject,
                         raisedByName: $0.raisedByName, status: $0.status, activity: $0.activity)
        }
    }

    func statusCounts(matching filter: EmailFilter, now: Date) throws -> StatusCounts {
        var counts: [EmailStatus: Int] = [:]
        for email in matching(filter, now: now) { counts[email.status, default: 0] += 1 }
        return StatusCounts(byStatus: counts)
    }

    func detail(emailID: Int64) throws -> EmailDetail? {
        lock.lock()
        defer { lock.unlock() }
        guard let email = emails.first(where: { $0.id == emailID }) else { return nil }
        return EmailDetail(email: email, events: events[emailID] ?? [], units: FakeAuditReader.units(for: email.to),
                           suppression: suppressionList.first { $0.address == email.to }, links: links[emailID] ?? ResendLinks())
    }

    static func units(for address: String) -> [UnitContactRow] {
        guard let index = recipients.firstIndex(of: address.lowercased()) else { return [] }
        let names = ["Anna Jones", "Bob Smith", "陈伟", "Dave Brown", "Emma Wilson", "Farid Khan", "Grace Lee", "Henry Ford"]
        var rows = [UnitContactRow(unitID: Int64(index * 10 + 1), blockName: "Riverside Court", unitName: "Flat \(index + 1)",
                                   address: "\(index + 1) Riverside Court, 12 Mill Lane, Leeds LS1 4AB", contactName: names[index],
                                   contactRole: .leaseholder, phone: "0113 496 00\(10 + index)", email: address)]
        if index % 2 == 0 {
            rows.append(UnitContactRow(unitID: Int64(index * 10 + 2), blockName: "Kingfisher House 🏠", unitName: "Flat \(index + 20)",
                                       address: "\(index + 20) Kingfisher House, Canal St, Leeds LS2 7QT", contactName: names[index],
                                       contactRole: .director, phone: "07700 900\(100 + index)", email: address))
        }
        return rows
    }

    func unitSearch(address: String) throws -> [UnitContactRow] {
        FakeAuditReader.units(for: address)
    }

    func staff(accountID: Int64?) throws -> [StaffUser] {
        FakeAuditReader.staffList
    }

    func accounts() throws -> [Account] {
        FakeAuditReader.accountList
    }

    static let accountList = [Account(id: 1, name: "Acme Lettings"), Account(id: 2, name: "Bay Block Management")]

    func selectAccount(_ accountID: Int64) throws -> Account {
        guard let account = FakeAuditReader.accountList.first(where: { $0.id == accountID }) else {
            throw FakeReaderError.unknownAccount
        }
        return account
    }

    /// The suppression list: one bounce, one complaint with a removal request.
    var suppressionList: [SuppressionEntry] = [
        SuppressionEntry(address: "dave.brown@bounce.example", kind: .bounce, createdAt: FakeAuditReader.now.addingTimeInterval(-3 * 86_400),
                         reason: "550 5.1.1 The email account that you tried to reach does not exist", emailID: 4, blockedEmails: 2),
        SuppressionEntry(address: "emma.wilson@example.org", kind: .complaint, createdAt: FakeAuditReader.now.addingTimeInterval(-5 * 86_400),
                         reason: "The recipient marked an email as spam", emailID: 5, blockedEmails: 0,
                         removalRequest: SuppressionRequest(requestedBy: "Zoë Adams", requestedAt: FakeAuditReader.now.addingTimeInterval(-3_600),
                                                            note: "Marked as spam by mistake; confirmed by phone")),
    ]

    func suppressions() throws -> [SuppressionEntry] {
        suppressionList
    }

    func suppression(for address: String) throws -> SuppressionEntry? {
        suppressionList.first { $0.address == address.lowercased() }
    }

    func suppressionHistory(address: String) throws -> [SuppressionHistoryItem] {
        guard let entry = try suppression(for: address) else { return [] }
        var items = [SuppressionHistoryItem(at: entry.createdAt, action: .added, by: "Provider", note: entry.reason)]
        if let request = entry.removalRequest {
            items.append(SuppressionHistoryItem(at: request.requestedAt, action: .requested, by: request.requestedBy, note: request.note))
        }
        return items
    }

    func changeToken() throws -> Int64 {
        lock.lock()
        defer { lock.unlock() }
        return token
    }

    func emailIDs(messageID: String, accountID: Int64?) throws -> [Int64] {
        lock.lock()
        defer { lock.unlock() }
        return emails.filter { email in
            email.providerMessageID == messageID && (accountID == nil || accountID == email.accountID)
        }.map(\.id).sorted()
    }

    func domainBreakdown(matching filter: EmailFilter, now: Date) throws -> [DomainFailures] {
        var narrowed = filter
        narrowed.statuses = filter.statuses.isEmpty ? DomainFailures.statuses : filter.statuses.intersection(DomainFailures.statuses)
        guard !narrowed.statuses.isEmpty else { return [] }
        return DomainFailures.rows(matching(narrowed, now: now).map { (AddressPattern.domain(of: $0.to), $0.status, 1) })
    }

    func handOverHealth(accountID: Int64?, now: Date) throws -> HandOverHealth {
        lock.lock()
        defer { lock.unlock() }
        return health
    }

    /// Sets what ``handOverHealth(accountID:now:)`` answers (a provider outage for the warning tests).
    func setHandOverHealth(_ value: HandOverHealth) {
        lock.lock()
        health = value
        lock.unlock()
    }
}

enum FakeReaderError: Error {
    case unknownAccount
}
