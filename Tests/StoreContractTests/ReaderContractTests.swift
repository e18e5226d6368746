import AuditCore
import AuditStore
import AuditStorePostgres
import Foundation
import Testing

/// The read side of the store contract (``AuditReader``) run against each backend: every
/// reader operation, combined filters against an in-memory model, paging while another
/// connection writes, counts across the clock changes of Europe/London, and accounts kept apart.
@Suite("Store contract: reader")
struct ReaderContractTests {
    static let now = utc(2026, 12, 4, 12)
    static let london = TimeZone(identifier: "Europe/London")!

    /// An account with three staff members (their sign-in users too) and two units.
    struct Agency {
        var account: Account
        var staff: [StaffUser]
        var users: [AppUser]
        var units: [AuditCore.Unit]
    }

    func agency(_ contract: ContractStore, _ name: String) throws -> Agency {
        let store = contract.store
        let account = try store.insertAccount(name: name)
        let staff = try ["Priya Shah", "Tom Ellis", "Ann Wu"].map { try store.insertStaff(accountID: account.id, name: $0, role: .staff) }
        let block = try store.insertBlock(accountID: account.id, name: "Harbour Court", street: "1 Quay Street", town: "Bristol",
                                          postcode: "BS1 4DJ")
        let units = try ["Flat 1", "Flat 2"].map { try store.insertUnit(accountID: account.id, blockID: block.id, name: $0) }
        return Agency(account: account, staff: staff, users: try staff.map { try contract.user(ofStaff: $0) }, units: units)
    }

    func email(_ agency: Agency, staff: Int = 0, to: String, subject: String = "Rent receipt", at: Date) -> NewEmail {
        NewEmail(accountID: agency.account.id, raisedByID: agency.staff[staff].id, activity: .receiptRecorded, to: to,
                 from: "Harbour Lets <notices@mg.harbourlets.co.uk>", subject: subject, textBody: "Dear tenant,\nthank you.",
                 createdAt: at)
    }

    /// A Mailgun-like event about email `auditID` (message `message`), with its raw JSON.
    func event(_ kind: EventKind, _ id: String, to: String, at: Date, message: String, auditID: Int64,
               severity: FailureSeverity? = nil, reason: String? = nil, code: Int? = nil) -> IncomingEvent {
        let delivery = code.map { DeliveryStatus(code: $0, enhancedCode: "5.1.1", message: "mailbox unavailable", mxHost: "mx.example.net",
                                                  attemptNumber: 1) }
        let providerEvent = ProviderEvent(key: ProviderEvent.makeKey(providerEventID: id, kind: kind.rawValue, recipient: to, occurredAt: at),
                                          providerEventID: id, kind: kind, occurredAt: at, severity: severity, reason: reason,
                                          delivery: delivery)
        let raw = """
            {"event":"\(kind.rawValue)","id":"\(id)","timestamp":\(at.timeIntervalSince1970),"recipient":"\(to)",\
            "message":{"headers":{"message-id":"\(message)","to":"\(to)","subject":"Rent receipt"}},\
            "delivery-status":{"code":\(code ?? 250),"mx-host":"mx.example.net"},"user-variables":{"audit-id":"\(auditID)"}}
            """
        return IncomingEvent(messageID: message, recipient: to, event: providerEvent, rawJSON: raw,
                             headers: MessageHeaders(to: to, from: "notices@mg.harbourlets.co.uk", subject: "Rent receipt"),
                             auditEmailID: auditID)
    }

    /// The events that take an email to `outcome` (none for Pending).
    func events(to outcome: EmailStatus, emailID: Int64, address: String, at: Date, tag: String) -> [IncomingEvent] {
        let message = "\(tag).\(emailID)@mg.harbourlets.co.uk"
        func make(_ kind: EventKind, _ minutes: Double, severity: FailureSeverity? = nil, reason: String? = nil, code: Int? = nil) -> IncomingEvent {
            event(kind, "\(tag)-\(emailID)-\(kind.rawValue)", to: address, at: at.addingTimeInterval(minutes * 60), message: message,
                  auditID: emailID, severity: severity, reason: reason, code: code)
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

    /// Newest first, as every list.
    static func newestFirst(_ a: EmailSummary, _ b: EmailSummary) -> Bool {
        a.createdAt != b.createdAt ? a.createdAt > b.createdAt : a.id > b.id
    }

    /// Every page of `filter` older from the newest, `limit` at a time.
    func allPagesOlder(_ reader: any AuditReader, _ filter: EmailFilter, limit: Int) throws -> [EmailSummary] {
        var rows: [EmailSummary] = [], cursor: EmailCursor?
        while true {
            let page = try reader.summaries(matching: filter, from: cursor, direction: .older, limit: limit, now: Self.now)
            rows += page
            guard page.count == limit, let last = page.last else { return rows }
            cursor = last.cursor
        }
    }

    /// Every page of `filter` newer from the oldest, put back in newest-first order.
    func allPagesNewer(_ reader: any AuditReader, _ filter: EmailFilter, limit: Int) throws -> [EmailSummary] {
        var pages: [[EmailSummary]] = [], cursor: EmailCursor?
        while true {
            let page = try reader.summaries(matching: filter, from: cursor, direction: .newer, limit: limit, now: Self.now)
            #expect(page == page.sorted(by: Self.newestFirst))
            pages.append(page)
            guard page.count == limit, let first = page.first else { break }
            cursor = first.cursor
        }
        return pages.reversed().flatMap { $0 }
    }

    // MARK: Every operation

    @Test(arguments: Backend.available)
    func everyReaderOperation(_ backend: Backend) throws {
        try withStore(backend, now: Self.now) { contract in
            let store = contract.store
            let a = try agency(contract, "Harbour Lets")
            let support = try store.insertStaff(accountID: a.account.id, name: "Sam Support", role: .support)
            let supportUser = try contract.user(ofStaff: support)
            let b = try agency(contract, "Aldgate Estates")
            _ = try store.insertContact(accountID: a.account.id, name: "Alice Tenant", email: "alice@example.net", phone: "0117 496 0000",
                                        role: .tenant, unitIDs: [a.units[1].id])
            let reader = try contract.reader(for: a.users[0], accountID: a.account.id)
            let before = try reader.changeToken()

            let ids = try store.record([
                email(a, to: "alice@example.net", subject: "Rent receipt", at: utc(2026, 12, 4, 9)),
                email(a, staff: 1, to: "bob@example.org", subject: "Service charge", at: utc(2026, 12, 4, 10)),
                email(a, staff: 2, to: "carol@example.org", subject: "Repairs", at: utc(2026, 12, 3, 10)),
                email(a, to: "dan@example.net", subject: "Arrears", at: utc(2026, 12, 4, 11, 55)),
            ])
            let recorded = try Self.changedToken(from: before, reader)
            #expect(recorded != before)
            _ = try store.record([email(b, to: "alice@example.net", at: utc(2026, 12, 4, 9, 30))])

            // Alice's email delivered and opened; Bob's bounced (suppressed); Carol's rejected.
            let alice = events(to: .opened, emailID: ids[0], address: "alice@example.net", at: utc(2026, 12, 4, 9), tag: "a")
            let bob = events(to: .failed, emailID: ids[1], address: "bob@example.org", at: utc(2026, 12, 4, 10), tag: "a")
            let carol = events(to: .rejected, emailID: ids[2], address: "carol@example.org", at: utc(2026, 12, 3, 10), tag: "a")
            // Out of order on purpose: the detail lists them by time.
            _ = try store.apply(alice.reversed() + bob + carol, defaultAccountID: nil)
            #expect(try Self.changedToken(from: recorded, reader) != recorded)

            // Summaries, newest first, with the raiser's name and the derived status.
            let all = EmailFilter(dateRange: .all)
            let list = try reader.summaries(matching: all, from: nil, direction: .older, limit: 10, now: Self.now)
            #expect(list.map(\.id) == [ids[3], ids[1], ids[0], ids[2]])
            #expect(list.map(\.raisedByName) == ["Priya Shah", "Tom Ellis", "Priya Shah", "Ann Wu"])
            #expect(list.map(\.status) == [.pending, .failed, .opened, .rejected])
            #expect(list[0].to == "dan@example.net" && list[0].subject == "Arrears" && list[0].activity == .receiptRecorded)
            #expect(list[0].createdAt == utc(2026, 12, 4, 11, 55))
            // Today (London) leaves out the 3rd.
            #expect(try reader.summaries(matching: EmailFilter(), from: nil, direction: .older, limit: 10, now: Self.now).map(\.id)
                    == [ids[3], ids[1], ids[0]])
            #expect(try reader.summaries(matching: all, from: nil, direction: .newer, limit: 2, now: Self.now).map(\.id) == [ids[0], ids[2]])
            #expect(try reader.summaries(matching: all, from: list[1].cursor, direction: .older, limit: 10, now: Self.now).map(\.id)
                    == [ids[0], ids[2]])
            #expect(try reader.summaries(matching: all, from: list[1].cursor, direction: .newer, limit: 10, now: Self.now).map(\.id) == [ids[3]])
            #expect(try reader.summaries(matching: all, from: nil, direction: .older, limit: 0, now: Self.now).isEmpty)

            // Counts.
            #expect(try reader.statusCounts(matching: all, now: Self.now)
                    == StatusCounts(byStatus: [.pending: 1, .failed: 1, .opened: 1, .rejected: 1]))
            #expect(try reader.statusCounts(matching: EmailFilter(raisedBy: [a.staff[0].id], dateRange: .all), now: Self.now)
                    == StatusCounts(byStatus: [.pending: 1, .opened: 1]))
            #expect(try reader.statusCounts(matching: EmailFilter(to: AddressPattern(parsing: "*@EXAMPLE.org"), dateRange: .all), now: Self.now)
                    == StatusCounts(byStatus: [.failed: 1, .rejected: 1]))

            // Detail: events by time, units of the address, its suppression, nil for another account's email.
            let detail = try #require(try reader.detail(emailID: ids[0]))
            #expect(detail.email.id == ids[0] && detail.email.status == .opened)
            #expect(detail.events.map(\.key) == alice.map(\.event.key))
            #expect(detail.units.map(\.unitID) == [a.units[1].id])
            #expect(detail.suppression == nil && detail.links == ResendLinks())
            #expect(try contract.rawEventTexts(reader, emailID: ids[0]) == alice.map(\.rawJSON))
            let bounced = try #require(try reader.detail(emailID: ids[1]))
            #expect(bounced.suppression?.address == "bob@example.org")
            #expect(bounced.events.map(\.kind) == [.accepted, .failed])
            let otherEmail = try store.record([email(b, to: "zed@example.net", at: utc(2026, 12, 4, 8))])[0]
            #expect(try reader.detail(emailID: otherEmail) == nil)
            #expect(try contract.rawEventTexts(reader, emailID: otherEmail).isEmpty)

            // Unit Search, staff, accounts.
            #expect(try reader.unitSearch(address: "ALICE@example.net").map(\.unitID) == [a.units[1].id])
            #expect(try reader.staff(accountID: nil).map(\.name) == ["Ann Wu", "Priya Shah", "Sam Support", "Tom Ellis"])
            #expect(try reader.staff(accountID: a.account.id).count == 4)
            #expect(throws: (any Error).self) { try reader.staff(accountID: b.account.id) }
            #expect(try reader.accounts() == [a.account])

            // Suppressions.
            let entries = try reader.suppressions()
            #expect(entries.map(\.address) == ["bob@example.org"])
            #expect(entries[0].kind == .bounce && entries[0].emailID == ids[1])
            #expect(entries[0].createdAt == utc(2026, 12, 4, 10, 2))
            #expect(try reader.suppression(for: " Bob@Example.org ") == entries[0])
            #expect(try reader.suppression(for: "alice@example.net") == nil)
            let history = try reader.suppressionHistory(address: "BOB@example.org")
            #expect(history.map(\.action) == [.added] && history[0].by == "Provider" && history[0].at == utc(2026, 12, 4, 10, 2))
            // A later email to the suppressed address that the provider blocks counts as blocked.
            let blocked = try store.record([email(a, to: "bob@example.org", at: utc(2026, 12, 4, 11))])[0]
            _ = try store.apply([event(.failed, "blk", to: "bob@example.org", at: utc(2026, 12, 4, 11, 1), message: "blk@mg", auditID: blocked,
                                       severity: .permanent, reason: "suppress-bounce", code: 605)], defaultAccountID: nil)
            #expect(try reader.suppressions().map(\.blockedEmails) == [1])

            // Message ids, with or without brackets.
            let message = "a.\(ids[0])@mg.harbourlets.co.uk"
            #expect(try reader.emailIDs(messageID: "<\(message)>", accountID: nil) == [ids[0]])
            #expect(try reader.emailIDs(messageID: message, accountID: a.account.id) == [ids[0]])
            #expect(throws: (any Error).self) { try reader.emailIDs(messageID: message, accountID: b.account.id) }

            // Failures by domain.
            #expect(try reader.domainBreakdown(matching: all, now: Self.now)
                    == [DomainFailures(domain: "example.org", failed: 2, rejected: 1)])
            #expect(try reader.domainBreakdown(matching: EmailFilter(statuses: [.rejected, .opened], dateRange: .all), now: Self.now)
                    == [DomainFailures(domain: "example.org", rejected: 1)])
            #expect(try reader.domainBreakdown(matching: EmailFilter(statuses: [.opened], dateRange: .all), now: Self.now).isEmpty)

            // Hand-over health: dan's email (11:55) and nothing else is Pending; the late one is past 10 minutes at 12:30.
            var health = try reader.handOverHealth(accountID: nil, now: utc(2026, 12, 4, 12, 0))
            #expect(health.pending == 1 && health.pendingOverLimit == 0 && health.oldestPending == utc(2026, 12, 4, 11, 55))
            #expect(health.lastSuccess == nil && health.lastFailure == nil)
            try contract.recordHandOverOutcome(answered: true, at: utc(2026, 12, 4, 12, 5))
            try contract.recordHandOverOutcome(answered: false, at: utc(2026, 12, 4, 12, 10))
            health = try reader.handOverHealth(accountID: a.account.id, now: utc(2026, 12, 4, 12, 30))
            #expect(health.pending == 1 && health.pendingOverLimit == 1)
            #expect(health.lastSuccess == utc(2026, 12, 4, 12, 5) && health.lastFailure == utc(2026, 12, 4, 12, 10))
            #expect(health.providerDown)
            #expect(throws: (any Error).self) { try reader.handOverHealth(accountID: b.account.id, now: Self.now) }

            // Choosing an account: staff stay in theirs; support may move (an unknown account is refused).
            #expect(throws: (any Error).self) { try reader.selectAccount(b.account.id) }
            #expect(throws: (any Error).self) { try contract.reader(for: a.users[0], accountID: b.account.id) }
            let supportReader = try contract.reader(for: supportUser, accountID: a.account.id)
            #expect(try supportReader.accounts() == [a.account, b.account])
            #expect(try supportReader.selectAccount(b.account.id) == b.account)
            #expect(try supportReader.summaries(matching: all, from: nil, direction: .older, limit: 10, now: Self.now).map(\.to)
                    == ["alice@example.net", "zed@example.net"])
            let unknown = try #require(try supportReader.accounts().map(\.id).max()) + 100
            #expect(throws: (any Error).self) { try supportReader.selectAccount(unknown) }
            #expect(try supportReader.staff(accountID: nil).map(\.name) == ["Ann Wu", "Priya Shah", "Tom Ellis"])
        }
    }

    // MARK: Combined filters against a model

    /// Reproducible random numbers (SplitMix64).
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let addresses = ["flat1@harbour.test", "flat10@harbour.test", "flat2@harbour.test", "o_ner@example.net",
                            "owner@example.net", "mary@mail.example.net", "jo%e@example.org", "x@y@example.org"]
    static let subjects = ["Rent receipt Flat 1", "Service charge 100% paid", "Repairs_update", "Café notice", "rent REMINDER",
                           "Arrears letter", "Flat 10 inspection"]
    static let patterns = ["flat1*", "flat*", "*@harbour.test", "*@EXAMPLE.NET", "*_*", "*%*", "owner@example.net", "*example*",
                           "*@example.org", "nobody*", "*ne*", "MARY@MAIL.EXAMPLE.NET"]
    static let subjectTexts = ["rent", "100%", "_u", "CAFÉ", "é", "flat 1", "RE", "zzz", "%", "Flat 10 i"]
    static let ranges: [DateRangeChoice] = [
        .all, .today, .yesterday, .last7Days, .last30Days, .thisMonth, .lastMonth,
        .custom(from: CalendarDay(year: 2026, month: 3, day: 29), through: CalendarDay(year: 2026, month: 3, day: 29)),
        .custom(from: CalendarDay(year: 2025, month: 12, day: 31), through: CalendarDay(year: 2026, month: 2, day: 1)),
        .custom(from: nil, through: CalendarDay(year: 2026, month: 6, day: 30)),
        .custom(from: CalendarDay(year: 2026, month: 10, day: 25), through: nil),
    ]

    @Test(arguments: Backend.available)
    func combinedFiltersMatchAModel(_ backend: Backend) throws {
        try checkCombinedFilters(backend, preparedPages: true)
    }

    /// PostgreSQL reads pages without Subject text by prepared statements with generic plans
    /// (``PostgresAuditStore/preparesPages``); planned afresh, every page is the same, and a To
    /// prefix or part is one statement text whatever the number of its addresses.
    @Test(.enabled(if: Backend.serverURL != nil, "needs a PostgreSQL server"))
    func postgresPagesPlannedAfreshMatchTheModelToo() throws {
        try checkCombinedFilters(.postgres, preparedPages: false)
        try withStore(.postgres, now: Self.now) { contract in
            let a = try agency(contract, "Harbour Lets")
            let emails = ["flat1@harbour.test", "flat10@harbour.test", "flat2@harbour.test", "owner@example.net"].enumerated().map {
                email(a, to: $0.element, at: Self.now.addingTimeInterval(-Double($0.offset) * 86_400 * 40))
            }
            _ = try contract.store.record(emails)
            let reader = try contract.reader(for: a.users[0], accountID: a.account.id)
            let connection = try #require(contract.postgresConnection)
            func page(_ pattern: String) throws -> [String] {
                try reader.summaries(matching: EmailFilter(to: AddressPattern(parsing: pattern)!, dateRange: .all), from: nil,
                                     direction: .older, limit: 10, now: Self.now).map(\.to)
            }
            #expect(try page("flat1*") == ["flat1@harbour.test", "flat10@harbour.test"])
            let prepared = connection.preparedStatementCount
            #expect(try page("flat*") == ["flat1@harbour.test", "flat10@harbour.test", "flat2@harbour.test"])
            #expect(try page("*ne*") == ["owner@example.net"])
            #expect(try page("flat10*") == ["flat10@harbour.test"])
            #expect(connection.preparedStatementCount == prepared, "1, 2 and 3 addresses: one statement text")
        }
    }

    /// A Subject page on PostgreSQL reads 1,000 emails in date order, then month windows of
    /// the subject trigram index (``PostgresAuditStore/subjectWalkRows``): with a walk of 3
    /// emails, every Subject filter here goes on to the windows, prepared and planned afresh.
    @Test(.enabled(if: Backend.serverURL != nil, "needs a PostgreSQL server"))
    func postgresSubjectPagesPastAShortWalkMatchTheModel() throws {
        // Past the walk: the trigram index's windows, or walking on; both planned afresh too.
        for walkOn in [false, true] {
            try checkCombinedFilters(.postgres, preparedPages: true, subjectWalkRows: 3, walkOn: walkOn)
            try checkCombinedFilters(.postgres, preparedPages: false, subjectWalkRows: 3, walkOn: walkOn)
        }
    }

    func checkCombinedFilters(_ backend: Backend, preparedPages: Bool, subjectWalkRows: Int? = nil, walkOn: Bool? = nil) throws {
        try withStore(backend, now: Self.now) { contract in
            contract.postgresAuditStore?.preparesPages = preparedPages
            if let subjectWalkRows { contract.postgresAuditStore?.subjectWalkRows = subjectWalkRows }
            contract.postgresAuditStore?.subjectPagesWalkOn = walkOn
            var random = Seeded(state: 13)
            let a = try agency(contract, "Harbour Lets")
            let b = try agency(contract, "Harbour Lets")  // a look-alike: never seen by a's reader
            let outcomes: [EmailStatus] = [.pending, .accepted, .delivered, .opened, .failed, .complained, .rejected]
            var model: [EmailSummary] = []
            for agency in [a, b] {
                var emails: [NewEmail] = []
                for _ in 0..<(agency.account.id == a.account.id ? 140 : 40) {
                    // Mostly the last 40 days, some across the year and the clock changes.
                    let seconds: Double = Bool.random(using: &random)
                        ? Double.random(in: 0...(40 * 86_400), using: &random) : Double.random(in: 0...(350 * 86_400), using: &random)
                    let at = Date(timeIntervalSince1970: ((Self.now.timeIntervalSince1970 - seconds) * 1000).rounded() / 1000)
                    emails.append(email(agency, staff: Int.random(in: 0..<3, using: &random), to: Self.addresses.randomElement(using: &random)!,
                                        subject: Self.subjects.randomElement(using: &random)!, at: at))
                }
                // Two at the same instant: ties are ordered by id.
                emails.append(email(agency, staff: 1, to: "tie@harbour.test", subject: "Tie", at: utc(2026, 12, 2, 9)))
                emails.append(email(agency, staff: 2, to: "tie@harbour.test", subject: "Tie", at: utc(2026, 12, 2, 9)))
                let ids = try contract.store.record(emails)
                var incoming: [IncomingEvent] = []
                for (id, email) in zip(ids, emails) {
                    incoming += events(to: outcomes.randomElement(using: &random)!, emailID: id, address: email.to, at: email.createdAt,
                                       tag: "m\(agency.account.id)")
                }
                _ = try contract.store.apply(incoming, defaultAccountID: nil)
                guard agency.account.id == a.account.id else { continue }
                for (id, email) in zip(ids, emails) {
                    let stored = try #require(try contract.store.recordedEmail(id: id, inAccount: a.account.id))
                    model.append(EmailSummary(id: id, createdAt: email.createdAt, to: stored.to, subject: email.subject,
                                              raisedByName: stored.raisedByName, status: stored.status, activity: .receiptRecorded))
                }
            }
            #expect(Set(model.map(\.status)).count >= 6)
            let reader = try contract.reader(for: a.users[0], accountID: a.account.id)
            var filters: [EmailFilter] = Self.ranges.map { EmailFilter(dateRange: $0) }
            filters += Self.patterns.map { EmailFilter(to: AddressPattern(parsing: $0)!, dateRange: .all) }
            filters += Self.subjectTexts.map { EmailFilter(subject: $0, dateRange: .all) }
            filters.append(EmailFilter(accountID: b.account.id, statuses: [.failed], dateRange: .all))  // the filter's account is ignored
            filters.append(EmailFilter(subject: "", dateRange: .all))
            for _ in 0..<45 {
                var filter = EmailFilter(dateRange: Self.ranges.randomElement(using: &random)!)
                if Bool.random(using: &random) { filter.raisedBy = Set(a.staff.map(\.id).filter { _ in Bool.random(using: &random) }) }
                if Bool.random(using: &random) { filter.statuses = Set(EmailStatus.allCases.filter { _ in Int.random(in: 0..<3, using: &random) == 0 }) }
                if Int.random(in: 0..<3, using: &random) == 0 { filter.to = AddressPattern(parsing: Self.patterns.randomElement(using: &random)!) }
                if Int.random(in: 0..<3, using: &random) == 0 { filter.subject = Self.subjectTexts.randomElement(using: &random)! }
                filters.append(filter)
            }
            for filter in filters {
                let span = filter.dateRange.interval(now: Self.now, timeZone: Self.london)
                let expected = model.filter { row in
                    (filter.raisedBy.isEmpty || a.staff.contains { $0.name == row.raisedByName && filter.raisedBy.contains($0.id) })
                        && (filter.statuses.isEmpty || filter.statuses.contains(row.status))
                        && (filter.to?.matches(row.to) ?? true) && filter.subjectMatches(row.subject)
                        && span.start.map { row.createdAt >= $0 } ?? true && span.end.map { row.createdAt < $0 } ?? true
                }.sorted(by: Self.newestFirst)
                let limit = Int.random(in: 1...9, using: &random)
                let older = try allPagesOlder(reader, filter, limit: limit)
                #expect(older.map(\.id) == expected.map(\.id), "\(filter) older by \(limit)")
                #expect(older == expected, "\(filter) rows")
                #expect(try allPagesNewer(reader, filter, limit: limit).map(\.id) == expected.map(\.id), "\(filter) newer by \(limit)")
                var counts: [EmailStatus: Int] = [:]
                for row in expected { counts[row.status, default: 0] += 1 }
                #expect(try reader.statusCounts(matching: filter, now: Self.now) == StatusCounts(byStatus: counts), "\(filter) counts")
                let failures = expected.filter { DomainFailures.statuses.contains($0.status) }
                    .map { (domain: AddressPattern.domain(of: $0.to), status: $0.status, count: 1) }
                #expect(try reader.domainBreakdown(matching: filter, now: Self.now) == DomainFailures.rows(failures), "\(filter) domains")
            }
        }
    }

    // MARK: Paging while another connection writes

    @Test(arguments: Backend.available)
    func pagingWhileAnotherConnectionWrites(_ backend: Backend) throws {
        try withStore(backend, now: Self.now) { contract in
            var random = Seeded(state: 7)
            let a = try agency(contract, "Harbour Lets")
            func batch(_ count: Int) -> [NewEmail] {
                (0..<count).map { _ in
                    email(a, staff: Int.random(in: 0..<3, using: &random), to: Self.addresses.randomElement(using: &random)!,
                          at: utc(2026, 11, 25).addingTimeInterval(Double(Int.random(in: 0..<(9 * 86_400), using: &random))))
                }
            }
            let existingEmails = batch(80)
            let existing = try contract.store.record(existingEmails)
            var untouched = Array(existing.indices).shuffled(using: &random)
            let reader = try contract.reader(for: a.users[0], accountID: a.account.id)
            for filter in [EmailFilter(dateRange: .all), EmailFilter(raisedBy: [a.staff[0].id, a.staff[2].id], dateRange: .last30Days),
                           EmailFilter(to: AddressPattern(parsing: "flat*"), dateRange: .all)] {
                var seen: [EmailSummary] = [], cursor: EmailCursor?
                try contract.withSecondWriter { writer in
                    while true {
                        let page = try reader.summaries(matching: filter, from: cursor, direction: .older, limit: 6, now: Self.now)
                        seen += page
                        guard let last = page.last else { break }
                        cursor = last.cursor
                        // Between pages: new emails before and after the cursor, and status changes to old ones.
                        _ = try writer.record(batch(3))
                        if let changed = untouched.popLast() {
                            _ = try writer.apply(events(to: .delivered, emailID: existing[changed], address: existingEmails[changed].to,
                                                        at: utc(2026, 12, 3), tag: "w"), defaultAccountID: nil)
                        }
                    }
                }
                let ids = seen.map(\.id)
                #expect(Set(ids).count == ids.count, "a row was repeated")
                #expect(seen == seen.sorted(by: Self.newestFirst))
                let matching = try Set(existing.filter { id in
                    let email = try #require(try contract.store.recordedEmail(id: id, inAccount: a.account.id))
                    return (filter.raisedBy.isEmpty || filter.raisedBy.contains(email.raisedByID)) && (filter.to?.matches(email.to) ?? true)
                })
                #expect(matching.isSubset(of: Set(ids)), "a row that existed at the start was skipped")
            }
        }
    }

    // MARK: Counts across the clock changes

    @Test(arguments: Backend.available)
    func countsAcrossTheClockChanges(_ backend: Backend) throws {
        try withStore(backend, now: Self.now) { contract in
            let a = try agency(contract, "Harbour Lets")
            // Around 29/03/2026 (01:00 GMT becomes 02:00 BST) and 25/10/2026 (02:00 BST becomes 01:00 GMT).
            let instants = [utc(2026, 3, 28, 23, 59, 59), utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 0, 59), utc(2026, 3, 29, 1, 0),
                            utc(2026, 3, 29, 22, 59, 59), utc(2026, 3, 29, 23, 0), utc(2026, 3, 31, 22, 59), utc(2026, 3, 31, 23, 0),
                            utc(2026, 10, 24, 22, 59), utc(2026, 10, 24, 23, 0), utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30),
                            utc(2026, 10, 25, 23, 59), utc(2026, 10, 26, 0, 0), utc(2025, 12, 31, 23, 59), utc(2026, 1, 1, 0, 0)]
            let ids = try contract.store.record(instants.enumerated().map { email(a, staff: $0.offset % 3, to: "t\($0.offset % 4)@example.net", at: $0.element) })
            // Some move on from Pending, so the roll-ups move between statuses too.
            for (index, id) in ids.enumerated() where index % 3 == 0 {
                _ = try contract.store.apply(events(to: .delivered, emailID: id, address: "t\(index % 4)@example.net", at: instants[index],
                                                    tag: "c"), defaultAccountID: nil)
            }
            let reader = try contract.reader(for: a.users[0], accountID: a.account.id)
            let statuses = try ids.map { try #require(try contract.store.recordedEmail(id: $0, inAccount: a.account.id)).status }
            func day(_ y: Int, _ m: Int, _ d: Int) -> CalendarDay { CalendarDay(year: y, month: m, day: d) }
            let checks: [(CalendarDay?, CalendarDay?)] = [
                (day(2026, 3, 28), day(2026, 3, 28)), (day(2026, 3, 29), day(2026, 3, 29)), (day(2026, 3, 30), day(2026, 3, 31)),
                (day(2026, 4, 1), day(2026, 4, 30)), (day(2026, 10, 24), day(2026, 10, 24)), (day(2026, 10, 25), day(2026, 10, 25)),
                (day(2026, 10, 26), day(2026, 10, 26)), (day(2026, 3, 1), day(2026, 3, 31)), (day(2025, 12, 31), day(2026, 1, 1)),
                (day(2026, 1, 1), day(2026, 12, 31)), (nil, day(2026, 3, 29)), (day(2026, 3, 29), nil), (nil, nil),
            ]
            for (first, last) in checks {
                let range = DateRangeChoice.custom(from: first, through: last)
                var expected: [EmailStatus: Int] = [:]
                for (instant, status) in zip(instants, statuses) {
                    let local = CalendarDay(containing: instant, in: Self.london)
                    if first.map({ local >= $0 }) ?? true, last.map({ local <= $0 }) ?? true { expected[status, default: 0] += 1 }
                }
                // From the roll-ups, and counting rows (a To pattern every address matches) — the same.
                #expect(try reader.statusCounts(matching: EmailFilter(dateRange: range), now: Self.now) == StatusCounts(byStatus: expected),
                        "\(range)")
                #expect(try reader.statusCounts(matching: EmailFilter(to: AddressPattern(parsing: "*@example.net"), dateRange: range), now: Self.now)
                        == StatusCounts(byStatus: expected), "\(range) by rows")
                #expect(try allPagesOlder(reader, EmailFilter(dateRange: range), limit: 4).count == expected.values.reduce(0, +), "\(range) rows")
            }
            // 29/03 has 23 hours: 00:00 and 00:59 GMT, 01:00 UTC = 02:00 BST, 22:59:59 UTC; 23:00 UTC is 30/03 00:00 BST.
            #expect(try reader.statusCounts(matching: EmailFilter(dateRange: .custom(from: day(2026, 3, 29), through: day(2026, 3, 29))),
                                            now: Self.now).total == 4)
            // 25/10 has 25 hours: 24/10 23:00 UTC (00:00 BST) to 26/10 00:00 UTC (00:00 GMT).
            #expect(try reader.statusCounts(matching: EmailFilter(dateRange: .custom(from: day(2026, 10, 25), through: day(2026, 10, 25))),
                                            now: Self.now).total == 4)
        }
    }

    // MARK: Accounts kept apart

    @Test(arguments: Backend.available)
    func aReaderOfOneAccountNeverSeesAnother(_ backend: Backend) throws {
        try withStore(backend, now: Self.now) { contract in
            let store = contract.store
            let a = try agency(contract, "Harbour Lets")
            let b = try agency(contract, "Harbour Lets")
            for agency in [a, b] {
                _ = try store.insertContact(accountID: agency.account.id, name: "Alice", email: "alice@example.net", phone: "",
                                            role: .tenant, unitIDs: [agency.units[0].id])
            }
            let aIDs = try store.record([email(a, to: "alice@example.net", at: utc(2026, 12, 4, 9))])
            let bIDs = try store.record([email(b, to: "alice@example.net", at: utc(2026, 12, 4, 9)),
                                         email(b, to: "bounce@example.org", at: utc(2026, 12, 4, 10))])
            _ = try store.apply(events(to: .opened, emailID: bIDs[0], address: "alice@example.net", at: utc(2026, 12, 4, 9), tag: "b")
                                + events(to: .failed, emailID: bIDs[1], address: "bounce@example.org", at: utc(2026, 12, 4, 10), tag: "b"),
                                defaultAccountID: nil)
            let reader = try contract.reader(for: a.users[0], accountID: a.account.id)
            for filter in [EmailFilter(dateRange: .all), EmailFilter(accountID: b.account.id, dateRange: .all),
                           EmailFilter(to: AddressPattern(parsing: "alice@example.net"), dateRange: .all),
                           EmailFilter(to: AddressPattern(parsing: "*@example.org"), dateRange: .all),
                           EmailFilter(to: AddressPattern(parsing: "bou*"), dateRange: .all),
                           EmailFilter(raisedBy: Set(b.staff.map(\.id)), dateRange: .all),
                           EmailFilter(statuses: [.failed, .opened], subject: "Rent", dateRange: .all)] {
                #expect(try Set(allPagesOlder(reader, filter, limit: 2).map(\.id)).isSubset(of: Set(aIDs)), "\(filter)")
                #expect(try reader.statusCounts(matching: filter, now: Self.now)[.failed] == 0)
                #expect(try reader.statusCounts(matching: filter, now: Self.now)[.opened] == 0)
                #expect(try reader.domainBreakdown(matching: filter, now: Self.now).isEmpty)
            }
            for id in bIDs {
                #expect(try reader.detail(emailID: id) == nil)
                #expect(try contract.rawEventTexts(reader, emailID: id).isEmpty)
            }
            #expect(try reader.detail(emailID: aIDs[0])?.units.map(\.unitID) == [a.units[0].id])
            #expect(try reader.unitSearch(address: "alice@example.net").map(\.unitID) == [a.units[0].id])
            #expect(try Set(reader.staff(accountID: nil).map(\.id)) == Set(a.staff.map(\.id)))
            #expect(try reader.suppressions().isEmpty)
            #expect(try reader.suppression(for: "bounce@example.org") == nil)
            #expect(try reader.suppressionHistory(address: "bounce@example.org").isEmpty)
            #expect(try reader.emailIDs(messageID: "b.\(bIDs[0])@mg.harbourlets.co.uk", accountID: nil).isEmpty)
            #expect(try reader.handOverHealth(accountID: nil, now: Self.now).pending == 1)
            #expect(try reader.accounts() == [a.account])
            for refused in [{ _ = try reader.staff(accountID: b.account.id) },
                            { _ = try reader.emailIDs(messageID: "x", accountID: b.account.id) },
                            { _ = try reader.handOverHealth(accountID: b.account.id, now: Self.now) },
                            { _ = try reader.selectAccount(b.account.id) }] as [() throws -> Void] {
                let error = #expect(throws: (any Error).self) { try refused() }
                #expect(error.map { "\($0)" } == "Priya Shah may not see account \(b.account.id).")
            }
        }
    }

    // MARK: The change token on PostgreSQL

    /// The reader's change token once it differs from `old` (a change notice arrives after the
    /// commit, on the connection's event loop), waiting at most two seconds; `old` if it never does.
    static func changedToken(from old: Int64, _ reader: some AuditReader) throws -> Int64 {
        let start = Date()
        while Date().timeIntervalSince(start) < 2 {
            let token = try reader.changeToken()
            if token != old { return token }
            Thread.sleep(forTimeInterval: 0.005)
        }
        return old
    }

    @Test(.enabled(if: Backend.serverURL != nil, "needs a PostgreSQL server"))
    func postgresChangeTokenCoversAWriteUntilItCommits() throws {
        try withStore(.postgres, now: Self.now) { contract in
            let a = try agency(contract, "Harbour Lets")
            let reader = try contract.reader(for: a.users[0], accountID: a.account.id)
            let before = try reader.changeToken()
            #expect(before % 2 == 0)
            try contract.withSecondPostgresStore { other in
                try other.connection.transaction { db in
                    try db.execute("UPDATE emails SET subject = subject WHERE false")
                    // The polled token has moved, and is odd while the writer's transaction runs;
                    // the reader, told of changes when they commit (LISTEN/NOTIFY), has not.
                    let during = try PostgresChangeToken.read(on: db)
                    #expect(during != before && during % 2 == 1)
                    #expect(try reader.changeToken() == before)
                }
            }
            let after = try Self.changedToken(from: before, reader)
            #expect(after % 2 == 0 && after > before)
            #expect(try reader.changeToken() == after)
            // Other tables than the ones screens show leave it alone.
            _ = try contract.store.insertAccount(name: "Aldgate Estates")
            Thread.sleep(forTimeInterval: 0.1)
            #expect(try reader.changeToken() == after)
            _ = try contract.store.record([email(a, to: "alice@example.net", at: utc(2026, 12, 4, 9))])
            #expect(try Self.changedToken(from: after, reader) > after)
        }
    }
}
