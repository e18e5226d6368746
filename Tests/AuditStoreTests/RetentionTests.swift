import AuditCore
import Foundation
import GRDB
import Testing
@testable import AuditStore

/// Retention: the emails created before the cut go with everything that is only theirs, the
/// counts stay exact, the archive holds every deleted email and event exactly once.
@Suite("Retention")
struct RetentionTests {
    // MARK: The cut

    @Test func theCutIsLocalMidnightNCalendarMonthsAgo() {
        // Summer time now, winter time at the cut: 00:00 GMT.
        #expect(RetentionCut.cut(months: 1, now: utcDate(2026, 4, 15, 9), timeZone: london) == utcDate(2026, 3, 15))
        // Winter time now, summer time at the cut (the DST month): 00:00 BST is 23:00 UTC the day before.
        #expect(RetentionCut.cut(months: 8, now: utcDate(2026, 11, 30, 12), timeZone: london) == utcDate(2026, 3, 29, 23))
        // The day the clocks went forward (29/03/2026): its midnight was still GMT.
        #expect(RetentionCut.cut(months: 1, now: utcDate(2026, 4, 29, 12), timeZone: london) == utcDate(2026, 3, 29))
        // The day the clocks went back (25/10/2026): its midnight was BST.
        #expect(RetentionCut.cut(months: 1, now: utcDate(2026, 11, 25, 12), timeZone: london) == utcDate(2026, 10, 24, 23))
        // 23:30 UTC on 14/05 is already 15/05 in London.
        #expect(RetentionCut.cut(months: 12, now: utcDate(2026, 5, 14, 23, 30), timeZone: london) == utcDate(2025, 5, 14, 23))
        // A shorter month: its last day.
        #expect(RetentionCut.cut(months: 3, now: utcDate(2026, 5, 31, 12), timeZone: london) == utcDate(2026, 2, 28))
        #expect(RetentionCut.cut(months: 1, now: utcDate(2026, 5, 31, 12), timeZone: newYork) == utcDate(2026, 4, 30, 4))
        #expect(RetentionCut.cut(months: 0, now: utcDate(2026, 5, 31), timeZone: london) == nil)
    }

    @Test func monthCountsAreWholeNumbers() {
        #expect(RetentionCut.months(parsing: "12") == 12)
        #expect(RetentionCut.months(parsing: "0") == 0)
        for bad in ["-3", "abc", "1.5", "", " ", "1e3", "1201", "٣", "+3"] {
            #expect(RetentionCut.months(parsing: bad) == nil, "\(bad)")
        }
    }

    // MARK: A store with old and new emails in two accounts

    /// The cut used below: 00:00 BST on 30/03/2026 (the day after the clocks went forward).
    static let cut = utcDate(2026, 3, 29, 23)

    /// Emails either side of the cut in both accounts, with events (raw JSON of every kind of
    /// character), units, notifications, resend links, a digest and a webhook token.
    struct Seeded {
        let fixture: Fixture
        var old: Set<Int64> = []
        var kept: Set<Int64> = []
    }

    static func seed() throws -> Seeded {
        let f = try Fixture()
        var seeded = Seeded(fixture: f)
        let instants = [
            utcDate(2025, 12, 1, 10), utcDate(2026, 1, 31, 23, 59), utcDate(2026, 3, 29, 0, 30),
            Self.cut.addingTimeInterval(-0.001), Self.cut, Self.cut.addingTimeInterval(60), utcDate(2026, 4, 2, 12),
        ]
        let statuses: [EmailStatus] = [.delivered, .failed, .opened, .pending, .temporaryFailure, .complained, .accepted]
        var index = 0
        for staff in [f.alice, f.bob, f.carol] {
            for (slot, instant) in instants.enumerated() {
                index += 1
                // The same address in both accounts and on both sides of the cut.
                let to = slot % 2 == 0 ? "shared@example.net" : "only\(index)@example.org"
                var email = f.newEmail(by: staff, to: to, at: instant, subject: "Subject \(index) ünïcode")
                // Every other body long enough to be stored compressed (``StoredBody``).
                if index % 2 == 0 { email.textBody = StoredBodyTests.letter + " \(index)" }
                let id = try f.store.record([email])[0]
                if instant < Self.cut { seeded.old.insert(id) } else { seeded.kept.insert(id) }
                let status = statuses[slot]
                guard status != .pending else { continue }
                let messageID = try f.handOver(id, at: instant.addingTimeInterval(1))
                var events = [Events.make(.accepted, recipient: to, at: instant.addingTimeInterval(2))]
                if let last = Events.giving(status, recipient: to, at: instant.addingTimeInterval(3)), status != .accepted {
                    events.append(last)
                }
                let incoming = events.map { event in
                    IncomingEvent(messageID: messageID, recipient: to, event: event,
                                  rawJSON: Self.rawJSON(event, index: index), auditEmailID: id)
                }
                _ = try f.store.apply(incoming, defaultAccountID: nil)
            }
        }
        // Rows that belong to emails: units, notifications, resends, a digest; and a webhook token.
        try f.store.pool.write { db in
            let block = try Int64.fetchOne(db, sql: "INSERT INTO blocks (account_id, name, street, town, postcode) VALUES (?, 'B', 'S', 'T', 'P') RETURNING id", arguments: [f.account.id])!
            let unit = try Int64.fetchOne(db, sql: "INSERT INTO units (block_id, name) VALUES (?, 'Flat 1') RETURNING id", arguments: [block])!
            let contact = try Int64.fetchOne(db, sql: "INSERT INTO contacts (account_id, name, email, phone, role) VALUES (?, 'C', 'c@example.net', '', 'tenant') RETURNING id", arguments: [f.account.id])!
            let user = try Int64.fetchOne(db, sql: "INSERT INTO users (name, login, role, account_id) VALUES ('U', 'u', 'staff', ?) RETURNING id", arguments: [f.account.id])!
            let all = try Row.fetchAll(db, sql: "SELECT id, account_id, created_at FROM emails ORDER BY id")
            for row in all {
                let id: Int64 = row[0], account: Int64 = row[1]
                try db.execute(sql: "INSERT INTO email_units (email_id, unit_id) VALUES (?, ?)", arguments: [id, unit])
                try db.execute(sql: """
                    INSERT INTO notifications (account_id, user_id, email_id, status, raised_at, delivery) VALUES (?, ?, ?, 6, ?, 'screen')
                    """, arguments: [account, user, id, row[2] as Int64])
            }
            let accountEmails = all.filter { $0[1] as Int64 == f.account.id }.map { $0[0] as Int64 }
            let oldOnes = accountEmails.filter { seeded.old.contains($0) }, newOnes = accountEmails.filter { seeded.kept.contains($0) }
            // An old email resent as a new one, a new one resent as another new one, an old as an old.
            for (original, resend) in [(oldOnes[0], newOnes[0]), (newOnes[1], newOnes[2]), (oldOnes[1], oldOnes[2])] {
                try db.execute(sql: """
                    INSERT INTO email_resends (resend_id, account_id, original_id, at, user_name, original_to, to_address)
                    VALUES (?, ?, ?, 0, 'U', 'a', 'b')
                    """, arguments: [resend, f.account.id, original])
                try db.execute(sql: """
                    INSERT INTO contact_changes (account_id, contact_id, at, old_email, new_email, user_name, resend_id)
                    VALUES (?, ?, 0, 'a', 'b', 'U', ?)
                    """, arguments: [f.account.id, contact, resend])
            }
            try db.execute(sql: "INSERT INTO notification_digests (account_id, user_id, day, email_id, notifications, sent_at) VALUES (?, ?, 1, ?, 1, 0)",
                           arguments: [f.account.id, user, oldOnes[0]])
            try db.execute(sql: "INSERT INTO notification_digests (account_id, user_id, day, email_id, notifications, sent_at) VALUES (?, ?, 2, ?, 1, 0)",
                           arguments: [f.account.id, user, newOnes[0]])
            try db.execute(sql: "INSERT INTO webhook_tokens (token, body_sha256, received_at) VALUES ('old', 'x', ?), ('new', 'y', ?)",
                           arguments: [StorageEncoding.milliseconds(Self.cut) - 1, StorageEncoding.milliseconds(Self.cut)])
            try db.execute(sql: """
                INSERT INTO account_suppressions (account_id, address, kind, created_at, reason, email_id) VALUES (?, 'shared@example.net', 'bounce', 0, 'r', ?)
                """, arguments: [f.account.id, oldOnes[0]])
        }
        return seeded
    }

    /// Raw JSON as a provider might send it: escapes, non-ASCII, odd spacing, long enough to be compressed.
    static func rawJSON(_ event: ProviderEvent, index: Int) -> String {
        "{\"event\": \"\(event.kind.rawValue)\",\"id\":\"\(event.providerEventID)\", \"note\":\"line\\nbreak \\\"quoted\\\" \\u00e9 é 😀 / \\/\","
            + " \"padding\":\"\(String(repeating: "x", count: 40 + index))\" ,\"n\":1.50,"
            // The recipient and MX host, which format 4 replaces by tokens from the row.
            + "\"recipient\":\"\(String(decoding: EventJSONTokens.recipient(ofKey: event.key), as: UTF8.self))\","
            + "\"mx-host\":\"\(event.delivery?.mxHost ?? "mx.example.net")\"}"
    }

    /// Every column of every row of every table (FTS shadow tables and statistics left out).
    static func snapshot(_ store: AuditDatabase, _ tables: [String]) throws -> [String: [[String: DatabaseValue]]] {
        try store.pool.read { db in
            var result: [String: [[String: DatabaseValue]]] = [:]
            for table in tables {
                result[table] = try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map { row in
                    Dictionary(uniqueKeysWithValues: row.map { ($0.0, $0.1) })
                }
            }
            return result
        }
    }

    /// The daily and monthly roll-ups' non-zero cells, and those recounted from the emails.
    static func rollupsAndRecount(_ store: AuditDatabase) throws -> (stored: [String], recounted: [String]) {
        let query = """
            SELECT 'd' || account_id || ':' || day || ':' || raised_by_id || ':' || status || '=' || count FROM rollups WHERE count <> 0
            UNION ALL
            SELECT 'm' || account_id || ':' || month || ':' || raised_by_id || ':' || status || '=' || count FROM rollups_monthly WHERE count <> 0
            ORDER BY 1
            """
        let stored = try store.pool.read { db in try String.fetchAll(db, sql: query) }
        // Recount in a transaction that is rolled back: the store keeps its own roll-ups.
        var recounted: [String] = []
        try store.pool.writeWithoutTransaction { db in
            try db.inTransaction {
                try store.rebuildRollups(db, zone: london)
                recounted = try String.fetchAll(db, sql: query)
                return .rollback
            }
        }
        return (stored, recounted)
    }

    static func count(_ store: AuditDatabase, _ sql: String) throws -> Int {
        try store.pool.read { db in try Int.fetchOne(db, sql: sql) ?? 0 }
    }

    // MARK: What goes and what stays

    @Test func exactlyTheOldEmailsGoWithEverythingOfTheirs() throws {
        let seeded = try Self.seed()
        let store = seeded.fixture.store
        let keptTables = ["accounts", "staff", "users", "blocks", "units", "contacts", "account_suppressions", "suppression_history"]
        let keptBefore = try Self.snapshot(store, keptTables)
        let keptEvents = try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM events WHERE email_id IN (\(seeded.kept.map(String.init).joined(separator: ","))) ORDER BY id")
        }
        #expect(try store.emailCount(createdBefore: Self.cut) == seeded.old.count)

        let oldNotifications = try Self.count(store, "SELECT count(*) FROM notifications WHERE email_id IN (\(seeded.old.map(String.init).joined(separator: ",")))")
        let allNotifications = try Self.count(store, "SELECT count(*) FROM notifications")
        let report = try store.applyRetention(before: Self.cut, batchSize: 2)
        #expect(report.emails == seeded.old.count)
        #expect(report.batches >= seeded.old.count / 2)
        let left = try store.pool.read { db in Set(try Int64.fetchAll(db, sql: "SELECT id FROM emails")) }
        #expect(left == seeded.kept)
        // The kept emails' events are untouched; no row anywhere points at a deleted email.
        #expect(try store.pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM events ORDER BY id") } == keptEvents)
        for table in ["events", "email_units", "notifications"] {
            #expect(try Self.count(store, "SELECT count(*) FROM \(table) WHERE email_id NOT IN (SELECT id FROM emails)") == 0, "\(table)")
        }
        #expect(try Self.count(store, "SELECT count(*) FROM notifications") == allNotifications - oldNotifications)
        #expect(try Self.count(store, "SELECT count(*) FROM email_resends") == 1, "only the new-to-new resend link stays")
        #expect(try Self.count(store, "SELECT count(*) FROM email_resends WHERE resend_id NOT IN (SELECT id FROM emails) OR original_id NOT IN (SELECT id FROM emails)") == 0)
        #expect(try Self.count(store, "SELECT count(*) FROM contact_changes") == 3, "a contact's history stays")
        #expect(try Self.count(store, "SELECT count(*) FROM contact_changes WHERE resend_id IS NOT NULL AND resend_id NOT IN (SELECT id FROM emails)") == 0)
        #expect(try Self.count(store, "SELECT count(*) FROM notification_digests") == 1)
        #expect(try store.pool.read { db in try String.fetchAll(db, sql: "SELECT token FROM webhook_tokens") } == ["new"])
        #expect(report.resendLinks == 2)
        #expect(report.notifications == oldNotifications && oldNotifications >= seeded.old.count)
        // Search indexes: the recipients and their trigrams match the emails left; the Subject index is consistent.
        #expect(try Self.count(store, "SELECT count(*) FROM recipients WHERE emails <= 0") == 0)
        #expect(try store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT address || '=' || emails FROM recipients ORDER BY address")
        } == (try store.pool.read { db in
            try String.fetchAll(db, sql: "SELECT to_address || '=' || count(*) FROM emails GROUP BY to_address ORDER BY to_address")
        }))
        #expect(try store.pool.read { db in try String.fetchAll(db, sql: "SELECT address FROM recipients_trigram ORDER BY address") }
                == (try store.pool.read { db in try String.fetchAll(db, sql: "SELECT address FROM recipients ORDER BY address") }))
        try store.pool.write { db in
            try db.execute(sql: "INSERT INTO emails_subject_trigram (emails_subject_trigram, rank) VALUES ('integrity-check', 1)")
        }
        #expect(try Self.count(store, "SELECT count(*) FROM emails_subject_trigram WHERE emails_subject_trigram MATCH 'ubj'") == seeded.kept.count)
        // Everything else stays as it was; the kept counts equal the rows.
        #expect(try Self.snapshot(store, keptTables) == keptBefore)
        try seeded.fixture.checkCounts()
        #expect(try store.integrityProblems(full: true).isEmpty)
        // A second run finds nothing more.
        #expect(try store.applyRetention(before: Self.cut).emails == 0)
    }

    @Test func everyCountEqualsARecountFromTheEmailsLeft() throws {
        let seeded = try Self.seed()
        let store = seeded.fixture.store
        let before = try Self.rollupsAndRecount(store)
        #expect(before.stored == before.recounted && !before.stored.isEmpty)
        _ = try store.applyRetention(before: Self.cut, batchSize: 3)
        let after = try Self.rollupsAndRecount(store)
        #expect(after.stored == after.recounted)
        // The days and months before the cut's day keep no cells at all.
        let cutDay = CalendarDay(containing: Self.cut, in: london).ordinal
        #expect(try Self.count(store, "SELECT count(*) FROM rollups WHERE day < \(cutDay)") == 0)
        #expect(try Self.count(store, "SELECT count(*) FROM rollups_monthly WHERE month < \(MonthlyRollups.month(ofDay: cutDay))") == 0)
        // The screen's counts for any range equal counting the emails left.
        let now = utcDate(2026, 4, 20, 12)
        let ranges: [DateRangeChoice] = [
            .all, .thisMonth, .lastMonth, .last30Days,
            .custom(from: CalendarDay(year: 2026, month: 3, day: 29), through: CalendarDay(year: 2026, month: 3, day: 30)),
            .custom(from: CalendarDay(year: 2025, month: 1, day: 1), through: CalendarDay(year: 2026, month: 3, day: 31)),
            .custom(from: nil, through: CalendarDay(year: 2026, month: 3, day: 29)),
        ]
        for range in ranges {
            for account in [seeded.fixture.account.id, seeded.fixture.otherAccount.id] {
                let filter = EmailFilter(accountID: account, dateRange: range)
                let span = range.interval(now: now, timeZone: london)
                var expected: [EmailStatus: Int] = [:]
                let rows = try store.pool.read { db in
                    try Row.fetchAll(db, sql: "SELECT status, created_at FROM emails WHERE account_id = ?", arguments: [account])
                }
                for row in rows where span.contains(StorageEncoding.date(milliseconds: row[1])) {
                    expected[EmailStatus(code: row[0])!, default: 0] += 1
                }
                #expect(try store.statusCounts(matching: filter, now: now).byStatus == expected, "\(range) account \(account)")
            }
        }
    }

    // MARK: The archive

    /// The rows that will be deleted, as the archive must hold them: every email column and
    /// every event column, with each event's raw JSON text exactly as received.
    static func expectedArchive(_ store: AuditDatabase, ids: Set<Int64>) throws -> [Int64: [String: Any]] {
        var result: [Int64: [String: Any]] = [:]
        try store.pool.read { db in
            for id in ids {
                let row = try Row.fetchOne(db, sql: "SELECT * FROM emails WHERE id = ?", arguments: [id])!
                var email: [String: Any] = [:]
                for (name, value) in row where name != "message_hash" && name != "sender_id" {
                    email[name] = name == "body" ? try StoredBody.text(value) : Self.plain(value)
                }
                // The archive keeps version 1's From text and object-form status detail (schema v13 stores both shorter).
                email["from_address"] = try String.fetchOne(db, sql: "SELECT address FROM senders WHERE id = ?", arguments: [row["sender_id"] as Int64?])
                email["status_detail"] = StorageEncoding.statusDetailObjectJSON(StorageEncoding.decodeStatusDetail(row["status_detail"]))
                    ?? NSNull()
                let events = try Row.fetchAll(db, sql: "SELECT * FROM events WHERE email_id = ? ORDER BY occurred_at, id", arguments: [id])
                email["events"] = try events.map { event -> [String: Any] in
                    var columns: [String: Any] = [:]
                    for (name, value) in event where name != "raw_json" && name != "key_hash" { columns[name] = Self.plain(value) }
                    // The archive holds the whole key (the row stores it without its id and kind).
                    columns["event_key"] = StoredEventKey.key(stored: event["event_key"], providerEventID: event["provider_event_id"],
                                                              kind: event["kind"])
                    columns["raw_json"] = try store.storedText(event["raw_json"] as DatabaseValue, decompressor: CompactText.Decompressor(),
                                                               tokens: EventJSONTokens(providerEventID: event["provider_event_id"],
                                                                                       kind: event["kind"], storedKey: event["event_key"],
                                                                                       occurredAtMicroseconds: event["occurred_at"],
                                                                                       mxHost: event["mx_host"]))
                    return columns
                }
                result[id] = email
            }
        }
        return result
    }

    static func plain(_ value: DatabaseValue) -> Any {
        switch value.storage {
        case .null: NSNull()
        case .int64(let number): Int(number)
        case .double(let number): number
        case .string(let text): text
        case .blob(let data): data.base64EncodedString()
        }
    }

    /// The archive's lines parsed, by email id (every id once).
    static func readArchive(_ path: String) throws -> [Int64: [String: Any]] {
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        if path.hasSuffix(".gz") {
            let gunzip = Process()
            gunzip.executableURL = URL(fileURLWithPath: "/bin/sh")
            gunzip.arguments = ["-c", "gzip -dc < \"$0\"", path]
            let pipe = Pipe()
            gunzip.standardOutput = pipe
            try gunzip.run()
            data = pipe.fileHandleForReading.readDataToEndOfFile()
            gunzip.waitUntilExit()
            #expect(gunzip.terminationStatus == 0, "gzip -dc \(path)")
        }
        #expect(data.last == UInt8(ascii: "\n"))
        var result: [Int64: [String: Any]] = [:]
        for line in data.split(separator: UInt8(ascii: "\n")) {
            let object = try JSONSerialization.jsonObject(with: line) as! [String: Any]
            let id = Int64(object["id"] as! Int)
            #expect(result[id] == nil, "email \(id) archived twice")
            result[id] = object
        }
        return result
    }

    /// Whether every expected key has an equal value in the archived line (events included,
    /// raw JSON compared as exact text).
    static func matches(_ archived: [String: Any], _ expected: [String: Any]) -> Bool {
        for (key, value) in expected {
            if key == "events" {
                guard let lines = archived["events"] as? [[String: Any]], let wanted = value as? [[String: Any]],
                      lines.count == wanted.count else { return false }
                for (line, want) in zip(lines, wanted) where !matches(line, want) { return false }
                if zip(lines, wanted).contains(where: { ($0["raw_json"] as? String) != ($1["raw_json"] as? String) }) { return false }
                continue
            }
            guard let got = archived[key], same(got, value) else { return false }
        }
        return true
    }

    /// Equal JSON scalars (null, text, whole or other numbers).
    static func same(_ a: Any, _ b: Any) -> Bool {
        if a is NSNull || b is NSNull { return a is NSNull && b is NSNull }
        if let x = a as? String, let y = b as? String { return x == y }
        if let x = a as? Int, let y = b as? Int { return x == y }
        if let x = a as? Double, let y = b as? Double { return x == y }
        return false
    }

    @Test(arguments: ["archive.jsonl", "archive.jsonl.gz"])
    func theArchiveHoldsEveryDeletedEmailAndEventExactly(name: String) throws {
        let seeded = try Self.seed()
        let store = seeded.fixture.store
        let expected = try Self.expectedArchive(store, ids: seeded.old)
        let path = seeded.fixture.folder.path(name)
        let archive = try RetentionArchive(path: path, store: store)
        #expect(archive.opening == .created)
        let report = try store.applyRetention(before: Self.cut, batchSize: 4, archive: archive)
        #expect(report.archived == seeded.old.count && report.emails == seeded.old.count)
        let archived = try Self.readArchive(path)
        #expect(Set(archived.keys) == seeded.old)
        for (id, email) in expected {
            #expect(Self.matches(archived[id]!, email), "email \(id)")
            #expect(archived[id]!["account_name"] as? String != nil && archived[id]!["raised_by_name"] as? String != nil)
            #expect((archived[id]!["units"] as? [Int])?.count == 1)
        }
        // Raw JSON is the provider's text, byte for byte.
        let raws = archived.values.flatMap { ($0["events"] as! [[String: Any]]).map { $0["raw_json"] as! String } }
        #expect(!raws.isEmpty && raws.allSatisfy { $0.contains("é 😀 / \\/") && $0.contains(" ,\"n\":1.50,\"recipient\":") })
    }

    @Test func anUnwritableArchiveDeletesNothing() throws {
        let seeded = try Self.seed()
        let store = seeded.fixture.store
        let before = try Self.snapshot(store, ["emails", "events", "rollups", "notifications"])
        // A folder that does not exist, and one this process may not write.
        let missing = seeded.fixture.folder.path("no-such-folder/archive.jsonl")
        let error = #expect(throws: StoreError.self) { _ = try RetentionArchive(path: missing, store: store) }
        #expect(error.map { "\($0)".contains("Cannot use the archive") && "\($0)".contains("No email was deleted") } == true)
        // A write that fails (a full disk): the batch is not deleted, the file keeps nothing of it.
        let path = seeded.fixture.folder.path("full.jsonl")
        let archive = try RetentionArchive(path: path, store: store)
        archive.failNextWrite = true
        #expect(throws: StoreError.self) { try store.applyRetention(before: Self.cut, batchSize: 2, archive: archive) }
        #expect(try Self.snapshot(store, ["emails", "events", "rollups", "notifications"]) == before)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).isEmpty)
        // The same archive then works (it is empty), and holds everything.
        let again = try RetentionArchive(path: path, store: store)
        #expect(again.opening == .emptyFile)
        _ = try store.applyRetention(before: Self.cut, batchSize: 2, archive: again)
        #expect(Set(try Self.readArchive(path).keys) == seeded.old)
    }

    @Test func anotherFileIsNeverOverwrittenOrAppendedTo() throws {
        let seeded = try Self.seed()
        let store = seeded.fixture.store
        let path = seeded.fixture.folder.path("precious.txt")
        try Data("someone else's data\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: StoreError.self) { _ = try RetentionArchive(path: path, store: store) }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "someone else's data\n")
        #expect(try store.emailCount(createdBefore: Self.cut) == seeded.old.count)
    }

    // MARK: Interruption

    struct Interrupted: Error {}

    @Test(arguments: ["resume.jsonl", "resume.jsonl.gz"])
    func anInterruptedRunFinishesWithTheSameResult(name: String) throws {
        let seeded = try Self.seed()
        let store = seeded.fixture.store
        let untouched = try Self.seed()
        let expected = try Self.expectedArchive(store, ids: seeded.old)
        let path = seeded.fixture.folder.path(name)
        // Stopped after two batches (as a kill between transactions would).
        var batches = 0
        #expect(throws: Interrupted.self) {
            try store.applyRetention(before: Self.cut, batchSize: 2, archive: try RetentionArchive(path: path, store: store)) { step in
                if step.done > 0 { batches += 1 }
                if batches == 2 { throw Interrupted() }
            }
        }
        #expect(try store.emailCount(createdBefore: Self.cut) == seeded.old.count - 4)
        // Killed after a batch was written and synced but before its delete committed: its bytes
        // are still at the end of the file.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(name.hasSuffix(".gz") ? RetentionArchive.gzipMember(Array("{\"id\":1}\n".utf8)) : Array("{\"id\":1}\n{\"id\"".utf8)))
        try handle.close()
        let resumed = try RetentionArchive(path: path, store: store)
        guard case .appending(_, let dropped) = resumed.opening else {
            Issue.record("not appended to: \(resumed.opening)")
            return
        }
        #expect(dropped > 0)
        _ = try store.applyRetention(before: Self.cut, batchSize: 2, archive: resumed)
        // The same rows as a store that ran in one go, and every deleted email archived once.
        _ = try untouched.fixture.store.applyRetention(before: Self.cut)
        // (Event ids from the provider differ between the two seeds: the rest of each row is compared.)
        let tables = ["rollups", "rollups_monthly", "recipients", "notifications", "email_resends",
                      "contact_changes", "notification_digests", "email_units"]
        #expect(try Self.snapshot(store, tables) == Self.snapshot(untouched.fixture.store, tables))
        let rows = "SELECT 'e', id, account_id, status, created_at, to_address, subject FROM emails UNION ALL SELECT 'v', id, email_id, kind, occurred_at, raw_json IS NOT NULL, '' FROM events ORDER BY 1, 2"
        #expect(try store.pool.read { db in try Row.fetchAll(db, sql: rows) }
                == (try untouched.fixture.store.pool.read { db in try Row.fetchAll(db, sql: rows) }))
        let archived = try Self.readArchive(path)
        #expect(Set(archived.keys) == seeded.old)
        for (id, email) in expected { #expect(Self.matches(archived[id]!, email), "email \(id)") }
        try seeded.fixture.checkCounts()
        // Run again with the same archive: it is this store's, so appending is safe; nothing more goes.
        let third = try RetentionArchive(path: path, store: store)
        #expect(try store.applyRetention(before: Self.cut, archive: third).emails == 0)
    }

    // MARK: Accounts

    @Test func eachAccountKeepsItsOwnRowsWhileRetentionRuns() throws {
        let seeded = try Self.seed()
        let f = seeded.fixture
        let store = f.store
        // Account two's new emails and their cells stay exactly as they were.
        let query = "SELECT * FROM rollups WHERE account_id = \(f.otherAccount.id) AND day >= \(CalendarDay(year: 2026, month: 3, day: 30).ordinal) ORDER BY day, raised_by_id, status"
        let otherBefore = try store.pool.read { db in try Row.fetchAll(db, sql: query) }
        let otherEmails = try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM emails WHERE account_id = ? AND created_at >= ? ORDER BY id",
                             arguments: [f.otherAccount.id, StorageEncoding.milliseconds(Self.cut)])
        }
        _ = try store.applyRetention(before: Self.cut, batchSize: 1)
        #expect(try store.pool.read { db in try Row.fetchAll(db, sql: query) } == otherBefore)
        #expect(try store.pool.read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM emails WHERE account_id = ? ORDER BY id", arguments: [f.otherAccount.id])
        } == otherEmails)
        // Both accounts lost their old emails; the address shared by both sides stays while emails use it.
        for account in [f.account.id, f.otherAccount.id] {
            #expect(try Self.count(store, "SELECT count(*) FROM emails WHERE account_id = \(account) AND created_at < \(StorageEncoding.milliseconds(Self.cut))") == 0)
            #expect(try Self.count(store, "SELECT count(*) FROM emails WHERE account_id = \(account)") > 0)
        }
        #expect(try Self.count(store, "SELECT emails FROM recipients WHERE address = 'shared@example.net'")
                == (try Self.count(store, "SELECT count(*) FROM emails WHERE to_address = 'shared@example.net'")))
    }
}
