import AuditCore
import AuditStore
import AuditStorePostgres
import Foundation
import Testing

/// The notifications contract (``NotificationStore``, ``NotificationReader``, raising in
/// ``EventIngestStore/apply(_:defaultAccountID:)``) run against each backend: who is notified of
/// which change, once; preferences; reading and marking read within one account; the Workbench's
/// previous-day count across the clock changes; digests once, raised by System.
@Suite("Store contract: notifications")
struct NotificationContractTests {
    static let all = Set(NotificationPreferences.notifiable)

    /// An agency with two staff (Priya raises the emails, Tom does not) and a support user.
    struct Agency {
        var account: Account
        var priya: StaffUser, tom: StaffUser
        var priyaUser: AppUser, tomUser: AppUser, support: AppUser
    }

    func agency(_ contract: ContractStore, _ name: String = "Harbour Lets") throws -> Agency {
        let store = contract.store
        let account = try store.insertAccount(name: name)
        let priya = try store.insertStaff(accountID: account.id, name: "Priya Shah", role: .staff)
        let tom = try store.insertStaff(accountID: account.id, name: "Tom Baker", role: .staff)
        let users = try contract.users()
        let support = try users.first { $0.isSupport } ?? contract.user(ofStaff: try store.insertStaff(accountID: account.id, name: "Sam Support", role: .support))
        return Agency(account: account, priya: priya, tom: tom, priyaUser: try contract.user(ofStaff: priya),
                      tomUser: try contract.user(ofStaff: tom), support: support)
    }

    func notifications(_ contract: ContractStore) -> any NotificationStore {
        contract.store as! any NotificationStore
    }

    func reader(_ contract: ContractStore, _ user: AppUser, _ accountID: Int64) throws -> any NotificationReader {
        try contract.reader(for: user, accountID: accountID) as! any NotificationReader
    }

    /// A Mailgun-like event for `to` about `message`, naming the email by its audit id.
    func incoming(_ kind: EventKind, _ id: String, to: String, at: Date, message: String, auditID: Int64?,
                  severity: FailureSeverity? = nil) -> IncomingEvent {
        let event = ProviderEvent(key: ProviderEvent.makeKey(providerEventID: id, kind: kind.rawValue, recipient: to, occurredAt: at),
                                  providerEventID: id, kind: kind, occurredAt: at, severity: severity,
                                  reason: severity == nil ? nil : "bounce",
                                  delivery: kind == .failed ? DeliveryStatus(code: 550, enhancedCode: "5.1.1", message: "mailbox unavailable",
                                                                              mxHost: "mx.example.net", attemptNumber: 1) : nil)
        let raw = """
            {"event":"\(kind.rawValue)","id":"\(id)","timestamp":\(at.timeIntervalSince1970),"recipient":"\(to)",\
            "message":{"headers":{"message-id":"\(message)","to":"\(to)","subject":"Rent receipt"}},\
            "user-variables":{"audit-id":"\(auditID ?? 0)"}}
            """
        return IncomingEvent(messageID: message, recipient: to, event: event, rawJSON: raw,
                             headers: MessageHeaders(to: to, from: "notices@mg.harbourlets.co.uk", subject: "Rent receipt"),
                             auditEmailID: auditID)
    }

    /// The events that take an email to `status` (accepted, then the deciding event at `at`).
    func events(to status: EmailStatus, to address: String, at: Date, emailID: Int64, tag: String) -> [IncomingEvent] {
        let message = "\(tag)@mg.harbourlets.co.uk"
        let accepted = incoming(.accepted, "\(tag)-a", to: address, at: at.addingTimeInterval(-60), message: message, auditID: emailID)
        let deciding: IncomingEvent = switch status {
        case .failed: incoming(.failed, "\(tag)-f", to: address, at: at, message: message, auditID: emailID, severity: .permanent)
        case .temporaryFailure: incoming(.failed, "\(tag)-t", to: address, at: at, message: message, auditID: emailID, severity: .temporary)
        case .complained: incoming(.complained, "\(tag)-c", to: address, at: at, message: message, auditID: emailID)
        case .rejected: incoming(.rejected, "\(tag)-r", to: address, at: at, message: message, auditID: emailID)
        case .unsubscribed: incoming(.unsubscribed, "\(tag)-u", to: address, at: at, message: message, auditID: emailID)
        default: incoming(.delivered, "\(tag)-d", to: address, at: at, message: message, auditID: emailID)
        }
        return status == .rejected ? [deciding] : [accepted, deciding]
    }

    /// Records an email raised by `staff` at `at - 10 min` and takes it to `status` at `at`.
    @discardableResult
    func email(_ contract: ContractStore, by staff: StaffUser, to address: String, reaching status: EmailStatus, at: Date,
               tag: String) throws -> (id: Int64, result: ApplyResult) {
        let id = try contract.store.record([NewEmail(
            accountID: staff.accountID, raisedByID: staff.id, activity: .receiptRecorded, to: address,
            from: "Harbour Lets <notices@mg.harbourlets.co.uk>", subject: "Rent receipt \(tag)", textBody: "Dear tenant,\nthank you.",
            createdAt: at.addingTimeInterval(-600))])[0]
        let result = try contract.store.apply(events(to: status, to: address, at: at, emailID: id, tag: tag), defaultAccountID: nil)
        return (id, result)
    }

    @Test(arguments: Backend.available)
    func eachProblemStatusNotifiesTheSubscribedUsersOnce(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let a = try agency(contract)
            let at = utc(2026, 12, 1, 10)
            var problems: [Int64: EmailStatus] = [:]
            for (index, status) in NotificationPreferences.notifiable.enumerated() {
                let (id, result) = try email(contract, by: a.priya, to: "tenant\(index)@example.net", reaching: status,
                                             at: at.addingTimeInterval(Double(index) * 60), tag: "p\(index)")
                #expect(result.notificationsRaised == 1, "\(status): Priya raised it (scope mine); Tom did not")
                problems[id] = status
            }
            for (index, status) in [EmailStatus.delivered, .temporaryFailure].enumerated() {
                let (_, result) = try email(contract, by: a.priya, to: "other\(index)@example.net", reaching: status,
                                            at: at.addingTimeInterval(600 + Double(index) * 60), tag: "q\(index)")
                #expect(result.notificationsRaised == 0, "\(status) raises no notification")
            }
            let priya = try reader(contract, a.priyaUser, a.account.id)
            let listed = try priya.notifications()
            #expect(listed.count == 4)
            #expect(Dictionary(uniqueKeysWithValues: listed.map { ($0.emailID, $0.status) }) == problems)
            #expect(listed.map(\.raisedAt) == listed.map(\.raisedAt).sorted(by: >), "newest first")
            #expect(listed.allSatisfy { $0.isUnread && $0.delivery == .screen && $0.subject.hasPrefix("Rent receipt") })
            #expect(listed.first { $0.status == .failed }?.reason.contains("mailbox unavailable") == true)
            #expect(try priya.unreadNotificationCount() == 4)
            #expect(try reader(contract, a.tomUser, a.account.id).notifications().isEmpty, "Tom takes only his own emails")
        }
    }

    @Test(arguments: Backend.available)
    func aDuplicateEventRaisesNothing(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let a = try agency(contract)
            let (id, first) = try email(contract, by: a.priya, to: "tenant@example.net", reaching: .complained,
                                        at: utc(2026, 12, 1, 10), tag: "dup")
            #expect(first.notificationsRaised == 1)
            let again = try contract.store.apply(events(to: .complained, to: "tenant@example.net", at: utc(2026, 12, 1, 10),
                                                        emailID: id, tag: "dup"), defaultAccountID: nil)
            #expect(again.duplicates == 2 && again.notificationsRaised == 0)
            // A later event that changes the status again (outranked) notifies of nothing already notified.
            let unsubscribe = incoming(.unsubscribed, "dup-u", to: "tenant@example.net", at: utc(2026, 12, 1, 11),
                                       message: "dup@mg.harbourlets.co.uk", auditID: id)
            _ = try contract.store.apply([unsubscribe], defaultAccountID: nil)
            let statuses = try reader(contract, a.priyaUser, a.account.id).notifications().map(\.status)
            #expect(statuses.filter { $0 == .complained }.count == 1)
        }
    }

    @Test(arguments: Backend.available)
    func preferencesDecideWhoIsNotifiedAndHow(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let a = try agency(contract)
            let store = notifications(contract)
            try store.setStaffEmailDomain(accountID: a.account.id, domain: "Harbour.Example")
            let tom = try reader(contract, a.tomUser, a.account.id)
            let priya = try reader(contract, a.priyaUser, a.account.id)
            #expect(try tom.notificationPreferences() == .standard)
            let tomWants = NotificationPreferences(statuses: [.failed, .rejected], scope: .account, delivery: .email, digestHour: 7)
            try tom.setNotificationPreferences(tomWants)
            #expect(try tom.notificationPreferences() == tomWants)
            #expect(try store.notificationPreferences(userID: a.tomUser.id) == tomWants)
            try priya.setNotificationPreferences(NotificationPreferences(statuses: [.complained], scope: .mine, delivery: .screen, digestHour: 8))
            let emailsBefore = try contract.count("emails")

            let failed = try email(contract, by: a.priya, to: "failed@example.net", reaching: .failed, at: utc(2026, 12, 1, 10), tag: "f")
            #expect(failed.result.notificationsRaised == 1, "Tom (account, failed); not Priya (complained only)")
            let complained = try email(contract, by: a.priya, to: "complained@example.net", reaching: .complained,
                                       at: utc(2026, 12, 1, 11), tag: "c")
            #expect(complained.result.notificationsRaised == 1, "Priya only")
            let unsubscribed = try email(contract, by: a.tom, to: "unsub@example.net", reaching: .unsubscribed,
                                         at: utc(2026, 12, 1, 12), tag: "u")
            #expect(unsubscribed.result.notificationsRaised == 0, "nobody takes Unsubscribed")

            let tomNotes = try tom.notifications()
            #expect(tomNotes.map(\.emailID) == [failed.id])
            #expect(tomNotes.map(\.delivery) == [.email])
            #expect(try priya.notifications().map(\.emailID) == [complained.id])
            // Tom takes an email for each: one Pending email raised by System, a status alert to his address.
            #expect(try contract.count("emails") == emailsBefore + 3 + 1)
            let system = try #require(try contract.store.staff(inAccount: a.account.id).first { $0.name == StaffUser.systemName })
            let summaries = try contract.reader(for: a.tomUser, accountID: a.account.id)
                .summaries(matching: EmailFilter(accountID: a.account.id, raisedBy: [system.id], dateRange: .all), from: nil,
                           direction: .older, limit: 10, now: utc(2026, 12, 2))
            let notice = try #require(summaries.first)
            #expect(summaries.count == 1)
            let recorded = try #require(try contract.store.recordedEmail(id: notice.id, inAccount: a.account.id))
            #expect(recorded.activity == .statusAlert && recorded.status == .pending && recorded.raisedByName == StaffUser.systemName)
            #expect(recorded.to == "tom.baker@harbour.example")
            #expect(recorded.from == "Email Audit <notifications@mg.harbourlets.co.uk>")
            #expect(recorded.subject == "Failed: Rent receipt f to failed@example.net (#\(failed.id))")
            #expect(recorded.createdAt == utc(2026, 12, 1, 10), "raised when the provider's deciding event happened")
            // Its own failure raises nothing (a notification email never notifies).
            let noticeFailed = try contract.store.apply(events(to: .failed, to: recorded.to, at: utc(2026, 12, 1, 13), emailID: notice.id,
                                                               tag: "nf"), defaultAccountID: nil)
            #expect(noticeFailed.statusChanges.map(\.new) == [.failed] && noticeFailed.notificationsRaised == 0)
            // Roll-ups count the notification email.
            #expect(try contract.statusCounts(accountID: a.account.id)[0].values.reduce(0, +) == 4)
        }
    }

    @Test(arguments: Backend.available)
    func notificationsStayInTheirAccount(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let a = try agency(contract, "Harbour Lets")
            let b = try agency(contract, "Castle Quay")
            let everything = NotificationPreferences(statuses: Self.all, scope: .account, delivery: .screen, digestHour: 8)
            try reader(contract, b.tomUser, b.account.id).setNotificationPreferences(everything)
            let inA = try email(contract, by: a.priya, to: "shared@example.net", reaching: .failed, at: utc(2026, 12, 1, 10), tag: "a1")
            #expect(inA.result.notificationsRaised == 1)
            let inB = try email(contract, by: b.priya, to: "shared@example.net", reaching: .failed, at: utc(2026, 12, 1, 11), tag: "b1")
            #expect(inB.result.notificationsRaised == 2, "B's Priya (mine) and B's Tom (account)")
            let priyaA = try reader(contract, a.priyaUser, a.account.id)
            let priyaB = try reader(contract, b.priyaUser, b.account.id)
            #expect(try priyaA.notifications().map(\.emailID) == [inA.id])
            #expect(try priyaB.notifications().map(\.emailID) == [inB.id])
            #expect(try reader(contract, a.tomUser, a.account.id).notifications().isEmpty, "B's preferences are B's Tom's only")
            let noteB = try #require(try priyaB.notifications().first)
            #expect(throws: (any Error).self) { try priyaA.markNotificationsRead(ids: [noteB.id], at: utc(2026, 12, 2)) }
            #expect(try priyaB.unreadNotificationCount() == 1, "another account's notification is left alone")
            #expect(try notifications(contract).markNotificationsRead(accountID: a.account.id, userID: a.priyaUser.id, ids: nil,
                                                                    at: utc(2026, 12, 2)) == 1)
            #expect(try priyaA.unreadNotificationCount() == 0)
            #expect(try priyaA.notifications(unreadOnly: true).isEmpty)
            #expect(try priyaA.notifications().first?.readAt == utc(2026, 12, 2))
            #expect(try priyaB.unreadNotificationCount() == 1)
            #expect(try priyaB.markNotificationsRead(ids: [noteB.id], at: utc(2026, 12, 2)) == 1)
            #expect(try priyaB.markNotificationsRead(ids: [noteB.id], at: utc(2026, 12, 3)) == 0, "already read")
            // Support belongs to no account: no notifications, no preferences.
            let support = try reader(contract, a.support, a.account.id)
            #expect(try support.notifications().isEmpty)
            #expect(throws: (any Error).self) { try support.setNotificationPreferences(everything) }
            #expect(try support.notificationPreferences() == .standard)
        }
    }

    /// The Workbench widget counts the account's problem emails of the previous local day: a
    /// 25-hour day (25/10/2026) and a 23-hour day (29/03/2026) in Europe/London.
    @Test(arguments: Backend.available)
    func theWidgetCountsThePreviousLocalDayAcrossClockChanges(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let a = try agency(contract)
            let other = try agency(contract, "Castle Quay")
            let cases: [(now: Date, inside: [Date], outside: [Date])] = [
                (utc(2026, 10, 26, 12), [utc(2026, 10, 24, 23, 0), utc(2026, 10, 25, 0, 30), utc(2026, 10, 25, 1, 30), utc(2026, 10, 25, 23, 59)],
                 [utc(2026, 10, 24, 22, 59), utc(2026, 10, 26, 0, 0)]),
                (utc(2026, 3, 30, 12), [utc(2026, 3, 29, 0, 0), utc(2026, 3, 29, 1, 30), utc(2026, 3, 29, 22, 59)],
                 [utc(2026, 3, 28, 23, 59), utc(2026, 3, 29, 23, 0)]),
            ]
            var tag = 0
            for day in cases {
                // The email is created 10 minutes before its deciding event; the widget counts by creation day.
                for (index, created) in (day.inside + day.outside).enumerated() {
                    tag += 1
                    let status = NotificationPreferences.notifiable[index % 4]
                    try email(contract, by: a.priya, to: "t\(tag)@example.net", reaching: status, at: created.addingTimeInterval(600),
                              tag: "w\(tag)")
                }
                tag += 1
                try email(contract, by: a.priya, to: "fine\(tag)@example.net", reaching: .delivered, at: day.inside[0].addingTimeInterval(600),
                          tag: "w\(tag)")
                tag += 1
                try email(contract, by: other.priya, to: "b\(tag)@example.net", reaching: .failed, at: day.inside[0].addingTimeInterval(600),
                          tag: "w\(tag)")
            }
            for day in cases {
                let reader = try contract.reader(for: a.priyaUser, accountID: a.account.id)
                let filter = EmailNotificationWidget.filter(accountID: a.account.id)
                let counts = try reader.statusCounts(matching: filter, now: day.now)
                let total = NotificationPreferences.notifiable.reduce(0) { $0 + (counts.byStatus[$1] ?? 0) }
                #expect(total == day.inside.count, "previous local day of \(day.now)")
                let listed = try reader.summaries(matching: filter, from: nil, direction: .older, limit: 100, now: day.now)
                #expect(listed.count == day.inside.count, "Enter on the widget lists the same emails")
            }
        }
    }

    @Test(arguments: Backend.available)
    func digestsAreRecordedOncePerUserAndDay(_ backend: Backend) throws {
        try withStore(backend) { contract in
            let a = try agency(contract)
            let store = notifications(contract)
            try store.setStaffEmailDomain(accountID: a.account.id, domain: "harbour.example")
            try reader(contract, a.priyaUser, a.account.id)
                .setNotificationPreferences(NotificationPreferences(statuses: Self.all, scope: .mine, delivery: .digest, digestHour: 8))
            // 25/10/2026, the 25-hour day: 00:30 BST (23:30 UTC the day before) and 23:30 GMT.
            let first = try email(contract, by: a.priya, to: "one@example.net", reaching: .failed, at: utc(2026, 10, 24, 23, 30), tag: "d1")
            let second = try email(contract, by: a.priya, to: "two@example.net", reaching: .rejected, at: utc(2026, 10, 25, 23, 30), tag: "d2")
            #expect(first.result.notificationsRaised == 1 && second.result.notificationsRaised == 1)
            #expect(try store.sendDigests(at: utc(2026, 10, 26, 7, 59)).isEmpty, "07:59 GMT: not yet the hour")
            let emailsBefore = try contract.count("emails")
            let sent = try store.sendDigests(at: utc(2026, 10, 26, 8, 0))
            #expect(sent.map(\.day) == [CalendarDay(year: 2026, month: 10, day: 25)])
            #expect(sent.map(\.notifications) == [2])
            #expect(sent.map(\.userID) == [a.priyaUser.id])
            #expect(try store.sendDigests(at: utc(2026, 10, 26, 9, 0)).isEmpty, "once per user and day")
            #expect(try store.recordDueDigests(at: utc(2026, 10, 26, 10, 0)) == 0)
            #expect(try contract.count("emails") == emailsBefore + 1)
            let digest = try #require(try contract.store.recordedEmail(id: sent[0].emailID, inAccount: a.account.id))
            #expect(digest.raisedByName == StaffUser.systemName && digest.activity == .statusAlert && digest.status == .pending)
            #expect(digest.to == "priya.shah@harbour.example")
            #expect(digest.subject == "Email Audit digest for 25/10/2026: 2 emails need attention")
            #expect(digest.textBody.contains("Email #\(first.id)") && digest.textBody.contains("Email #\(second.id)"))
            #expect(try contract.store.staff(inAccount: a.account.id).filter { $0.name == StaffUser.systemName }.count == 1)
            #expect(try reader(contract, a.priyaUser, a.account.id).notifications().map(\.delivery) == [.digest, .digest])
        }
    }

    /// Two digest runs at once on two connections record each user's day once.
    @Test(.enabled(if: Backend.available.contains(.postgres), "needs a PostgreSQL server"))
    func twoDigestRunsAtOnceOnPostgres() throws {
        try withStore(.postgres) { contract in
            let a = try agency(contract)
            let store = notifications(contract)
            try store.setStaffEmailDomain(accountID: a.account.id, domain: "harbour.example")
            for user in [a.priyaUser, a.tomUser] {
                try reader(contract, user, a.account.id)
                    .setNotificationPreferences(NotificationPreferences(statuses: Self.all, scope: .account, delivery: .digest, digestHour: 8))
            }
            for index in 0..<5 {
                try email(contract, by: a.priya, to: "t\(index)@example.net", reaching: .failed, at: utc(2026, 12, 1, 9 + index), tag: "c\(index)")
            }
            final class Outcomes: @unchecked Sendable {
                let lock = NSLock()
                var counts: [Int] = []
                var errors: [String] = []
                func add(_ count: Int) { lock.withLock { counts.append(count) } }
                func add(_ error: String) { lock.withLock { errors.append(error) } }
            }
            let outcomes = Outcomes()
            try contract.withSecondPostgresStore { second in
                let done = DispatchSemaphore(value: 0)
                for runner in [store, second as any NotificationStore] {
                    let box = UncheckedBox(runner)
                    Thread {
                        do {
                            outcomes.add(try box.value.sendDigests(at: utc(2026, 12, 2, 9)).count)
                        } catch {
                            outcomes.add("\(error)")
                        }
                        done.signal()
                    }.start()
                }
                done.wait()
                done.wait()
            }
            let errors = outcomes.errors, counts = outcomes.counts
            #expect(errors.isEmpty)
            #expect(counts.sorted() == [0, 2], "one run records both users' digests, the other finds them done")
        }
    }
}
