import AuditCore
import AuditStore
import Foundation
import Logging
import Testing
@testable import Server

/// `serve`'s daily upkeep merges a search index that has gathered segments, and leaves a merged one alone.
@Suite struct SearchIndexUpkeepTests {
    @Test func aRunMergesAnIndexGrownOneEmailAtATimeAndTheNextFindsNothingToDo() async throws {
        let fixture = try ServerFixture()
        let store = fixture.store
        let staff = try store.insertStaff(accountID: fixture.account.id, name: "Upkeep Tester", role: .staff)
        let base = Date(timeIntervalSince1970: 1_780_000_000)
        // One transaction per email, as the intake records them: a segment each, partly merged by FTS5.
        for index in 0..<40 {
            _ = try store.record([NewEmail(accountID: fixture.account.id, raisedByID: staff.id, activity: .receiptRecorded,
                                           to: "tenant\(index)@example.net", from: "a@mg.example.com",
                                           subject: "Rent demand \(index) for Flat \(index % 7)", textBody: "B",
                                           createdAt: base.addingTimeInterval(Double(index) * 60))])
        }
        #expect(try #require(try store.searchIndexStructure(.subject)).segments > 1)
        #expect(try #require(try store.searchIndexStructure(.recipients)).segments > 1)
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let upkeep = SearchIndexUpkeep(store: store, logger: logger)
        #expect(await upkeep.runOnce() == [.subject, .recipients])
        #expect(try store.searchIndexStructure(.subject)?.segments == 1)
        #expect(try store.searchIndexStructure(.recipients)?.segments == 1)
        #expect(await upkeep.runOnce() == [])
    }
}
