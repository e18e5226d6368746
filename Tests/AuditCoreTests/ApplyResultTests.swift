import Testing
@testable import AuditCore

/// ``ApplyResult/append(_:)``: two transactions in a row read as one.
@Suite struct ApplyResultTests {
    func change(_ id: Int64, _ old: EmailStatus, _ new: EmailStatus, code: Int? = nil) -> StatusChange {
        StatusChange(emailID: id, old: old, new: new, accountID: 1, raisedByID: 2, to: "t\(id)@example.net",
                     detail: code.map { StatusDetail(status: new, code: $0) })
    }

    @Test func countsAddAndAnEmailChangedByBothIsListedOnceFromFirstToLast() {
        var first = ApplyResult(inserted: 5, duplicates: 1, createdEmails: 1,
                                statusChanges: [change(7, .pending, .accepted), change(3, .accepted, .delivered),
                                                change(9, .accepted, .delivered)],
                                notificationsRaised: 1)
        let later = ApplyResult(inserted: 4, duplicates: 2, createdEmails: 0,
                                statusChanges: [change(3, .delivered, .opened), change(5, .accepted, .failed, code: 550),
                                                change(7, .accepted, .failed, code: 550), change(9, .delivered, .accepted)],
                                notificationsRaised: 2)
        first.append(later)
        #expect(first.inserted == 9 && first.duplicates == 3 && first.createdEmails == 1 && first.notificationsRaised == 3)
        // Email 9 went back where it started: no change. The rest in id order.
        #expect(first.statusChanges == [change(3, .accepted, .opened), change(5, .accepted, .failed, code: 550),
                                        change(7, .pending, .failed, code: 550)])
    }

    @Test func appendingNothingChangesNothing() {
        var result = ApplyResult(inserted: 2, statusChanges: [change(4, .pending, .accepted)])
        let before = result
        result.append(ApplyResult())
        #expect(result == before)
    }
}
