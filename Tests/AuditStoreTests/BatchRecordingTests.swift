import AuditCore
import Foundation
import GRDB
import Testing
@testable import AuditStore

/// Recording a large batch: several rows per INSERT statement (``AuditDatabase/rowsPerInsert``),
/// bodies compressed on all cores, and the emails read back by id for a bulk hand-over.
@Suite("Recording emails in large batches")
struct BatchRecordingTests {
    let t0 = utcDate(2026, 3, 2, 9)

    /// `count` emails with distinct addresses, subjects and bodies (every third long enough to
    /// be stored compressed), created a minute apart and a few at the same time.
    func emails(_ f: Fixture, count: Int, unit: Int64) -> [NewEmail] {
        (0..<count).map { index in
            var email = f.newEmail(by: index.isMultiple(of: 2) ? f.alice : f.bob, to: "Tenant.\(index)@Example.NET",
                                   at: t0.addingTimeInterval(Double(index / 3) * 60), subject: "Batch letter \(index) zq\(index)x")
            email.textBody = index.isMultiple(of: 3)
                ? String(repeating: "Dear tenant \(index), your statement is attached. ", count: 20)
                : "Short note \(index)"
            email.unitIDs = index.isMultiple(of: 5) ? [unit] : []
            return email
        }
    }

    @Test func aLargeBatchKeepsItsOrderAndEveryField() throws {
        let f = try Fixture()
        let block = try f.store.insertBlock(accountID: f.account.id, name: "Harbour House", street: "1 Quay St", town: "Bristol", postcode: "BS1 4AA")
        let unit = try f.store.insertUnit(blockID: block.id, name: "Flat 2")
        // An earlier email, so the batch's ids do not start at 1.
        let earlier = try f.store.record([f.newEmail(by: f.alice, to: "first@example.net", at: t0)])[0]
        let count = 2 * AuditDatabase.rowsPerInsert + 45
        let batch = emails(f, count: count, unit: unit.id)
        let ids = try f.store.record(batch)
        #expect(ids.count == count)
        #expect(ids == Array((earlier + 1)...(earlier + Int64(count))), "in the order given, after the earlier email")
        for (email, id) in zip(batch, ids) {
            let stored = try #require(try f.store.detail(emailID: id)?.email)
            #expect(stored.to == email.to.lowercased())
            #expect(stored.subject == email.subject)
            #expect(stored.textBody == email.textBody)
            #expect(stored.createdAt == email.createdAt)
            #expect(stored.raisedByID == email.raisedByID)
            #expect(stored.status == .pending)
            #expect(try f.store.linkedUnitIDs(emailID: id) == email.unitIDs)
        }
        // The long bodies are stored compressed (BLOB), the short ones as text.
        let blobs = try f.store.pool.read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM emails WHERE typeof(body) = 'blob' AND id BETWEEN ? AND ?",
                             arguments: [ids[0], ids[count - 1]])!
        }
        #expect(blobs == (count + 2) / 3)
        try f.checkCounts()
        #expect(try f.store.rollupMismatches() == 0)
        // The subject and recipient indexes hold every row of the batch.
        for index in [0, AuditDatabase.rowsPerInsert, count - 1] {
            let found = try f.store.summaries(matching: EmailFilter(accountID: f.account.id, subject: "zq\(index)x", dateRange: .all),
                                              from: nil, direction: .older, limit: 5, now: t0)
            #expect(found.map(\.id) == [ids[index]])
            let byAddress = try f.store.summaries(matching: EmailFilter(accountID: f.account.id, to: .prefix("tenant.\(index)@"),
                                                                        dateRange: .all),
                                                  from: nil, direction: .older, limit: 5, now: t0)
            #expect(byAddress.map(\.id) == [ids[index]])
        }
    }

    @Test func aBatchWithABadStaffMemberRecordsNothing() throws {
        let f = try Fixture()
        var batch = (0..<(AuditDatabase.rowsPerInsert + 3)).map { f.newEmail(by: f.alice, to: "t\($0)@example.net", at: t0) }
        batch[AuditDatabase.rowsPerInsert + 1].raisedByID = f.carol.id  // another account's staff member
        #expect(throws: StoreError.self) { _ = try f.store.record(batch) }
        #expect(try f.store.emailCount() == 0)
        try f.checkCounts()
    }

    @Test func pendingEmailsOfAnIdRangeComeOldestFirst() throws {
        let f = try Fixture()
        let ids = try f.store.record([
            f.newEmail(by: f.alice, to: "a@example.net", at: t0.addingTimeInterval(120)),
            f.newEmail(by: f.alice, to: "b@example.net", at: t0),
            f.newEmail(by: f.alice, to: "c@example.net", at: t0.addingTimeInterval(60)),
            f.newEmail(by: f.alice, to: "d@example.net", at: t0),
        ])
        _ = try f.store.record([f.newEmail(by: f.alice, to: "later@example.net", at: t0)])
        try f.handOver(ids[2], at: t0)
        let pending = try f.store.pendingHandOver(ids: ids[0]...ids[3])
        #expect(pending.map(\.id) == [ids[1], ids[3], ids[0]], "by creation time, then id; handed-over and later emails left out")
        #expect(pending.map(\.to) == ["b@example.net", "d@example.net", "a@example.net"])
        #expect(pending.allSatisfy { $0.textBody.hasPrefix("Body of") })
    }
}
