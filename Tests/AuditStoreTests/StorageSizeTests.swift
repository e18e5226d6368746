import AuditCore
import Foundation
import GRDB
import Testing
@testable import AuditStore

/// The store's size per table and index (`dbstat`'s own sums) and giving back the page caches.
@Suite("Storage size")
struct StorageSizeTests {
    @Test func eachObjectsBytesAreTheSumOfItsPages() throws {
        let data = try PagingData(count: 300)
        let store = data.store
        let size = try store.storageSize()
        let perPage = try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT name, sum(pgsize) FROM dbstat GROUP BY name")
                .reduce(into: [String: Int64]()) { $0[$1[0]] = $1[1] }
        }
        #expect(!size.byObject.isEmpty)
        #expect(Dictionary(uniqueKeysWithValues: size.byObject.map { ($0.name, $0.bytes) }) == perPage)
        #expect(size.byObject.map(\.bytes) == size.byObject.map(\.bytes).sorted(by: >), "largest first")
        #expect(size.byObject.contains { $0.name == "emails" && $0.bytes > 0 })
        #expect(size.fileBytes >= size.byObject.reduce(0) { $0 + $1.bytes })
    }

    @Test func releasingMemoryKeepsTheStoreUsable() throws {
        let data = try PagingData(count: 120)
        let store = data.store
        let before = try store.emailCount()
        let firstPage = try store.summaries(matching: EmailFilter(dateRange: .all), from: nil, direction: .older, limit: 10, now: data.now)
        store.releaseMemory()
        #expect(try store.emailCount() == before)
        #expect(try store.summaries(matching: EmailFilter(dateRange: .all), from: nil, direction: .older, limit: 10, now: data.now)
                    .map(\.id) == firstPage.map(\.id))
        // The writer still writes after its cache was freed.
        try store.pool.write { db in try db.execute(sql: "UPDATE meta SET value = value WHERE key = 'change_counter'") }
    }
}
