import AuditCore
import AuditStore
import AuditStorePostgres
import Foundation
import Testing

/// Retention in the store contract (``RetentionStore``), run against each backend: the emails
/// created before the cut go with their events, notifications and resend links, whole months and
/// the older days of the cut's month alike (on PostgreSQL the first by detaching partitions, the
/// second by deleting rows); every roll-up equals a recount of the emails left; a second run
/// deletes nothing.
@Suite("Store contract: retention")
struct RetentionContractTests {
    let ingest = IngestContractTests()
    let changes = ChangeContractTests()
    let now = utc(2026, 12, 4, 12)

    @Test(arguments: Backend.available)
    func deletesWhatIsOlderThanTheCutAndKeepsCountsExact(_ backend: Backend) throws {
        try withStore(backend, now: now) { contract in
            let store = contract.store
            let a = try changes.agency(contract, "Harbour Lets")
            // Two months kept, counted from local midnight: 04/10/2026 00:00 BST = 03/10 23:00 UTC.
            let cut = try #require(RetentionCut.cut(months: 2, now: now, timeZone: TimeZone(identifier: "Europe/London")!))
            #expect(cut == utc(2026, 10, 3, 23))

            let august = try changes.receipt(store, a, to: "gone@example.net", at: utc(2026, 8, 10, 9))
            let september = try changes.receipt(store, a, at: utc(2026, 9, 15, 9))
            let octoberOld = try changes.receipt(store, a, at: utc(2026, 10, 3, 22, 59))
            let octoberKept = try changes.receipt(store, a, at: utc(2026, 10, 25, 11))
            let november = try changes.receipt(store, a, at: utc(2026, 11, 20, 9))
            _ = try store.apply([
                ingest.incoming(.failed, "bounce-aug", to: "gone@example.net", at: utc(2026, 8, 10, 9, 5), message: "m-aug@mg",
                                auditID: august, severity: .permanent, code: 550),
                ingest.incoming(.delivered, "deliv-sep", to: "tenant@example.net", at: utc(2026, 9, 15, 9, 5), message: "m-sep@mg",
                                auditID: september),
                ingest.incoming(.delivered, "deliv-oct", to: "tenant@example.net", at: utc(2026, 10, 25, 11, 5), message: "m-oct@mg",
                                auditID: octoberKept),
            ], defaultAccountID: nil)
            let resend = try store.resend(emailID: september, accountID: a.account.id, user: a.staffUser, to: nil, updateContacts: false,
                                          at: utc(2026, 12, 1, 9))
            let reader = try contract.reader(for: a.staffUser, accountID: a.account.id)
            let tokenBefore = try reader.changeToken()
            let notificationsBefore = try contract.count("notifications")

            let retention = try #require(store as? any RetentionStore)
            #expect(try retention.emailCount(createdBefore: cut) == 3)
            var steps: [RetentionProgress] = []
            let report = try retention.applyRetention(before: cut, batchSize: 1) { steps.append($0) }

            #expect(report.emails == 3)
            #expect(report.events == 2)
            #expect(report.resendLinks == 1)
            #expect(report.notifications == notificationsBefore - (try contract.count("notifications")))
            #expect(steps.first == RetentionProgress(done: 0, total: 3))
            #expect(steps.last == RetentionProgress(done: 3, total: 3))
            #expect(try retention.emailCount(createdBefore: cut) == 0)

            // What is left: the kept October email (Delivered), November's and the resend (Pending).
            #expect(try contract.count("emails") == 3)
            #expect(try contract.count("events") == 1)
            #expect(try contract.count("email_resends") == 0)
            for id in [august, september, octoberOld] {
                #expect(try store.recordedEmail(id: id, inAccount: a.account.id) == nil)
            }
            for id in [octoberKept, november, resend.newEmailID] {
                #expect(try store.recordedEmail(id: id, inAccount: a.account.id) != nil)
            }
            let recount = [EmailStatus.delivered.code: 1, EmailStatus.pending.code: 2]
            #expect(try contract.statusCounts(accountID: a.account.id) == [recount, recount, recount])
            let cutDay = CalendarDay(containing: cut, in: TimeZone(identifier: "Europe/London")!)
            #expect(try contract.dailyCounts(accountID: a.account.id).keys.allSatisfy { $0 >= cutDay.ordinal })
            #expect(try contract.monthlyCounts(accountID: a.account.id).keys.sorted() == [2026 * 12 + 9, 2026 * 12 + 10, 2026 * 12 + 11])
            #expect(try contract.count("recipients WHERE address = 'gone@example.net'") == 0)
            // The address's suppression stays: it is about the address, not the email.
            #expect(try contract.activeSuppressions(accountID: a.account.id)["gone@example.net"] != nil)
            #expect(try reader.changeToken() != tokenBefore)
            if let partitions = try contract.emailPartitions() {
                #expect(!partitions.contains("emails_y2026m08") && !partitions.contains("emails_y2026m09"))
                #expect(partitions.contains("emails_y2026m10"))
            }

            // Again: nothing more to delete, nothing changes.
            let again = try retention.applyRetention(before: cut, batchSize: 1) { _ in }
            #expect(again.emails == 0 && again.events == 0)
            #expect(try contract.statusCounts(accountID: a.account.id) == [recount, recount, recount])
        }
    }

    @Test(arguments: Backend.available)
    func aStopBetweenStepsLosesNothingAndASecondRunFinishes(_ backend: Backend) throws {
        try withStore(backend, now: now) { contract in
            let store = contract.store
            let a = try changes.agency(contract, "Harbour Lets")
            let cut = utc(2026, 11, 1, 0)
            for month in [7, 8, 9, 10] {
                for day in [3, 17] { _ = try changes.receipt(store, a, at: utc(2026, month, day, 9)) }
            }
            let kept = try changes.receipt(store, a, at: utc(2026, 11, 2, 9))
            let retention = try #require(store as? any RetentionStore)
            struct Stop: Error {}
            var calls = 0
            #expect(throws: Stop.self) {
                _ = try retention.applyRetention(before: cut, batchSize: 1) { _ in
                    calls += 1
                    if calls == 3 { throw Stop() }
                }
            }
            let left = try retention.emailCount(createdBefore: cut)
            #expect(left > 0 && left < 8, "stopped part-way: \(left) of 8 left")
            #expect(try contract.statusCounts(accountID: a.account.id)[0] == [EmailStatus.pending.code: left + 1])
            let report = try retention.applyRetention(before: cut, batchSize: 1) { _ in }
            #expect(report.emails == left)
            #expect(try contract.count("emails") == 1)
            #expect(try store.recordedEmail(id: kept, inAccount: a.account.id) != nil)
            #expect(try contract.statusCounts(accountID: a.account.id) == Array(repeating: [EmailStatus.pending.code: 1], count: 3))
        }
    }
}
