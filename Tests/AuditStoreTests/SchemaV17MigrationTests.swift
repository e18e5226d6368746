import AuditCore
import Foundation
import GRDB
import Synchronization
import Testing
@testable import AuditStore

/// Version 17: the date index `emails_account_created` holds each address's first characters,
/// and a To `prefix*` checked on it compares them from the index entry.
@Suite("Schema v17: addresses' first letters in the date index")
struct SchemaV17MigrationTests {
    /// Undoes migration v17 on `db`: the date index as version 1 made it (for the tests that
    /// rebuild older layouts).
    static func undoV17(_ db: Database) throws {
        let index = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'emails_account_created'")
        guard index?.contains(Schema.indexedAddressPrefix) == true else { return }  // undone already
        try db.execute(sql: """
            DROP INDEX IF EXISTS emails_account_created;
            CREATE INDEX emails_account_created ON emails(account_id, created_at);
            DELETE FROM grdb_migrations WHERE identifier = 'v17';
            PRAGMA user_version = 17;
            """)
    }

    /// Addresses as stored (lower-cased): short ones, one exactly eight characters before its
    /// `@`, accented ones (several bytes a character), `_` and `%` (LIKE's wildcards, compared
    /// literally here).
    static let addresses = [
        "ann@example.net", "anna.smith@example.org", "anna.smithson@example.org", "anna_s@example.com",
        "annabel.lee@example.com", "zoë.ånström@exämple.de", "zoë.åberg@example.de", "a@b.c", "anna%x@example.net",
        "bob@example.net", "anna.smi@example.net", "zoë@example.de",
    ]

    /// Stems shorter than, as long as and longer than the indexed characters, upper-case,
    /// accented, with wildcards, and one no address has.
    static let stems = [
        "a", "an", "ANN", "anna.", "anna.smi", "anna.smit", "anna.smithso", "anna_", "anna%", "zoë.å", "ZOË.ÅNSTRÖM@",
        "zoë", "x", "anna.smithson@example.org",
    ]

    /// The ids of `page` (all of a prefix's emails, newest first) by the model.
    static func expected(_ rows: [(id: Int64, address: String, at: Int64)], _ stem: String) -> [Int64] {
        let lower = stem.lowercased()
        return rows.filter { $0.address.unicodeScalars.starts(with: lower.unicodeScalars) }
            .sorted { ($0.at, $0.id) > ($1.at, $1.id) }.map(\.id)
    }

    /// Every page of `stem` read on the date index (the plan of a prefix with too many addresses
    /// for a range each), `limit` rows at a time, newest first, then oldest first.
    static func pagesOnTheDateIndex(_ db: Database, _ stem: String, limit: Int) throws -> (older: [Int64], newer: [Int64], sql: [String]) {
        var sql: [String] = []
        func all(_ direction: PageDirection) throws -> [Int64] {
            var ids: [Int64] = [], cursor: EmailCursor?
            while true {
                let queries = EmailQueryPlanner.queries(
                    filter: EmailFilter(accountID: 1, dateRange: .all), cursor: cursor, direction: direction, limit: limit,
                    span: TimeSpan(start: nil, end: nil), summaryColumns: AuditDatabase.summaryColumns, residualTo: .prefix(stem))
                #expect(queries.count == 1)
                sql.append(queries[0].sql)
                let page = try SummaryRecord.fetchAll(db, sql: queries[0].sql, arguments: queries[0].arguments)
                ids += page.map(\.summary.id)
                guard page.count == limit, let last = page.last else { return ids }
                cursor = EmailCursor(createdAt: last.summary.createdAt, id: last.summary.id)
            }
        }
        return (try all(.older), try all(.newer), sql)
    }

    @Test func aVersion16StoreRebuildsItsDateIndexAndAnswersPrefixesAsBefore() throws {
        let folder = TempFolder()
        let (path, queue) = try folder.store(migratedUpTo: "v16")
        var rows: [(id: Int64, address: String, at: Int64)] = []
        try queue.write { db in
            try db.execute(sql: "INSERT INTO accounts (id, name) VALUES (1, 'Harbour Lets'), (2, 'Other')")
            try db.execute(sql: "INSERT INTO staff (id, account_id, name, role) VALUES (1, 1, 'Zoë Clarke', 'staff'), (2, 2, 'Al', 'staff')")
            // Three emails to each address in account 1 (two at the same moment: the id breaks the
            // tie), one each in account 2, which no page of account 1 shows.
            var id: Int64 = 0
            for (index, address) in Self.addresses.enumerated() {
                for copy in 0..<4 {
                    id += 1
                    let account: Int64 = copy == 3 ? 2 : 1
                    let at = 1_780_000_000_000 + Int64((index * 7 + copy * 13) % 29) * 3_600_000 + (copy == 2 ? -Int64(13) * 3_600_000 : 0)
                    try db.execute(sql: """
                        INSERT INTO emails (id, account_id, raised_by_id, activity, to_address, subject, body, created_at, status)
                        VALUES (?, ?, ?, 'receipt', ?, 'Receipt', 'Thanks', ?, 0)
                        """, arguments: [id, account, account, address, at])
                    if account == 1 { rows.append((id, address, at)) }
                }
            }
            try db.execute(sql: "UPDATE meta SET value = ? WHERE key = 'email_count'", arguments: [id])
            let old = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'emails_account_created'")
            #expect(old == "CREATE INDEX emails_account_created ON emails(account_id, created_at)")
        }
        try queue.close()

        let reports = Mutex<[UpgradeProgress]>([])
        let store = try AuditDatabase(path: path, timeZone: london, upgradeProgress: { progress in
            reports.withLock { $0.append(progress) }
        })
        #expect(try store.schemaVersion() == Schema.version)
        let step = "Adding each address's first letters to the date index"
        let total = Self.addresses.count * 4
        #expect(reports.withLock { $0 }.filter { $0.step == step }
                == [UpgradeProgress(step: step, done: 0, total: total), UpgradeProgress(step: step, done: total, total: total)])
        try store.read { db in
            let index = try String.fetchOne(db, sql: "SELECT sql FROM sqlite_master WHERE name = 'emails_account_created'")
            #expect(index == "CREATE INDEX emails_account_created ON emails(account_id, created_at, id, \(Schema.indexedAddressPrefix))")
            // Its statistics, which the stale check reads, are taken again.
            #expect(try AuditDatabase.analyzedEmails(db) == total)
            for stem in Self.stems {
                let want = Self.expected(rows, stem)
                for limit in [1, 2, 50] {
                    let pages = try Self.pagesOnTheDateIndex(db, stem, limit: limit)
                    #expect(pages.older == want, "\(stem) by \(limit)")
                    #expect(pages.newer == want.reversed(), "\(stem) by \(limit), oldest first")
                    // The stem's first characters are compared with the index's expression.
                    #expect(pages.sql.allSatisfy { $0.contains("\(Schema.indexedAddressPrefix) >= ?") }, "\(stem)")
                }
            }
            #expect(Self.expected(rows, "anna.smit").count == 6 && Self.expected(rows, "zoë.å").count == 6)
        }
    }

    @Test func aShortPrefixIsComparedOnTheIndexEntryBeforeTheRowIsRead() throws {
        let data = try PagingData(count: 300)
        try data.store.updateStatistics()
        try data.store.read { db in
            for (stem, both) in [("al", false), ("alice.tenant@", true)] {
                let queries = EmailQueryPlanner.queries(
                    filter: EmailFilter(accountID: data.fixture.account.id, dateRange: .all), cursor: nil, direction: .older, limit: 50,
                    span: TimeSpan(start: nil, end: nil), summaryColumns: AuditDatabase.summaryColumns, residualTo: .prefix(stem))
                let sql = queries[0].sql
                let plan = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: queries[0].arguments)
                    .map { $0["detail"] as String }.joined(separator: " | ")
                #expect(plan.contains("USING INDEX emails_account_created (account_id=?)") && !plan.contains("TEMP B-TREE"), "\(plan)")
                // A stem no longer than the indexed characters is compared there alone; a longer
                // one on its first characters there, then on the whole address.
                #expect(sql.contains("\(Schema.indexedAddressPrefix) >= ?") && sql.contains("\(Schema.indexedAddressPrefix) < ?"))
                #expect(sql.contains("to_address >= ?") == both, "\(stem)")
                // SQLite compares the index's value: the bytecode reads the expression's column
                // from the index cursor and seeks the row only once it is needed.
                let root = try Int.fetchOne(db, sql: "SELECT rootpage FROM sqlite_master WHERE name = 'emails_account_created'")
                let program = try Row.fetchAll(db, sql: "EXPLAIN " + sql, arguments: queries[0].arguments)
                let cursor = try #require(program.first { ($0["opcode"] as String) == "OpenRead" && ($0["p2"] as Int) == root }?["p1"] as Int?)
                #expect(program.contains { ($0["opcode"] as String) == "Column" && ($0["p1"] as Int) == cursor && ($0["p2"] as Int) == 3 },
                        "\(stem): the index's fourth column is read")
                #expect(program.contains { ($0["opcode"] as String) == "DeferredSeek" && ($0["p1"] as Int) == cursor }, "\(stem)")
            }
        }
        #expect(ToAddressWalkLimits.standard.entryCheckShare < 1)
        func indexedWhole(_ pattern: AddressPattern) -> Bool { EmailQueryPlanner.indexedStem(pattern)?.isWhole == true }
        #expect(indexedWhole(.prefix("anna.smi")) && !indexedWhole(.prefix("anna.smit")))
        #expect(indexedWhole(.prefix("zoë.åber")) && !indexedWhole(.contains("ann")))
    }
}
