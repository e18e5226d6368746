import GRDB

/// How much of the file the store takes, and where (``AuditDatabase/storageSize()``).
public struct StorageSize: Sendable {
    /// `page_count × page_size`: the main file's bytes (the write-ahead log not included).
    public var fileBytes: Int64
    /// Bytes of free pages inside the file (returned to the disk by VACUUM).
    public var freeBytes: Int64
    /// Bytes per table or index, largest first, from SQLite's `dbstat` table (empty when this
    /// SQLite was built without it).
    public var byObject: [(name: String, bytes: Int64)]
}

extension AuditDatabase {
    /// The store's size on disk and, where SQLite offers `dbstat`, per table and index.
    public func storageSize() throws -> StorageSize {
        try read { db in
            let pageSize = try Int64.fetchOne(db, sql: "PRAGMA page_size") ?? 0
            let pages = try Int64.fetchOne(db, sql: "PRAGMA page_count") ?? 0
            let free = try Int64.fetchOne(db, sql: "PRAGMA freelist_count") ?? 0
            var objects: [(name: String, bytes: Int64)] = []
            do {
                // One row per table or index, summed by dbstat itself (SQLite 3.31 and later). A
                // GROUP BY over dbstat's row per page sorted every page's row in memory first
                // (temp_store = MEMORY): about 115 MB on a 10,000,000-email store (2.3 million pages).
                let rows = try Row.fetchAll(db, sql: "SELECT name, pgsize FROM dbstat WHERE aggregate = 1 ORDER BY pgsize DESC, name")
                objects = rows.map { (name: $0[0], bytes: $0[1]) }
            } catch let error as DatabaseError where error.message?.contains("dbstat") == true {
                objects = []
            } catch let error as DatabaseError where error.message?.contains("aggregate") == true {
                // An SQLite older than 3.31: dbstat without its aggregate column.
                let rows = try Row.fetchAll(db, sql: "SELECT name, sum(pgsize) FROM dbstat GROUP BY name ORDER BY 2 DESC, name")
                objects = rows.map { (name: $0[0], bytes: $0[1]) }
            }
            return StorageSize(fileBytes: pages * pageSize, freeBytes: free * pageSize, byObject: objects)
        }
    }
}
