import AuditCore
import Foundation
import GRDB
import Testing
@testable import AuditStore

@Suite("Opening files")
struct OpeningTests {
    func bytes(_ path: String) throws -> Data {
        try Data(contentsOf: URL(fileURLWithPath: path))
    }

    @Test func createsFileAndParentFoldersAndReopens() throws {
        let folder = TempFolder()
        let path = folder.path("a/b/c/audit.sqlite")
        do {
            let store = try AuditDatabase(path: path, timeZone: london)
            #expect(FileManager.default.fileExists(atPath: path))
            #expect(try store.schemaVersion() == Schema.version)
            let account = try store.insertAccount(name: "Acme")
            let staff = try store.insertStaff(accountID: account.id, name: "Ann", role: .staff)
            _ = try store.record([NewEmail(accountID: account.id, raisedByID: staff.id, activity: .receiptRecorded,
                                           to: "X@Example.net", from: "a@b.c", subject: "s", textBody: "b", createdAt: Date())])
            try store.close()
        }
        let again = try AuditDatabase(path: path, timeZone: london)
        #expect(try again.emailCount() == 1)
        #expect(try again.summaries(matching: EmailFilter(dateRange: .all), from: nil, direction: .older, limit: 5, now: Date()).first?.to == "x@example.net")
        let appID = try again.pool.read { try Int32.fetchOne($0, sql: "PRAGMA application_id") }
        #expect(appID == Schema.applicationID)
        let mode = try again.pool.read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    @Test func initialisesAnEmptyFile() throws {
        let folder = TempFolder()
        let path = folder.path("empty.sqlite")
        _ = FileManager.default.createFile(atPath: path, contents: Data())
        let store = try AuditDatabase(path: path, timeZone: london)
        #expect(try store.emailCount() == 0)
        #expect(try store.schemaVersion() == Schema.version)
    }

    @Test func refusesAnotherProgramsDatabaseAndLeavesItUntouched() throws {
        let folder = TempFolder()
        for appID in [0, 0x1234_5678] {
            let path = folder.path("other-\(appID).db")
            do {
                let queue = try DatabaseQueue(path: path)
                try queue.write { db in
                    try db.execute(sql: "CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO notes (text) VALUES ('keep me')")
                    try db.execute(sql: "PRAGMA application_id = \(appID)")
                }
                try queue.close()
            }
            let before = try bytes(path)
            #expect(throws: StoreError.notAnAuditDatabase(path: path)) {
                _ = try AuditDatabase(path: path, timeZone: london)
            }
            #expect(try bytes(path) == before)
            let walExists = FileManager.default.fileExists(atPath: path + "-wal")
            if walExists { #expect(try bytes(path + "-wal").isEmpty) }
        }
    }

    @Test func refusesATextFileAndLeavesItUntouched() throws {
        let folder = TempFolder()
        let path = folder.path("notes.txt")
        let text = Data("Dear leaseholder,\nthis is not a database at all. It is long enough to have a header of a hundred bytes, honestly.\n".utf8)
        try text.write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: StoreError.self) { _ = try AuditDatabase(path: path, timeZone: london) }
        #expect(error == .notAnAuditDatabase(path: path))
        #expect(error?.description.contains("not an email-audit database") == true)
        #expect(try bytes(path) == text)

        let short = folder.path("short.txt")
        try Data("hi".utf8).write(to: URL(fileURLWithPath: short))
        #expect(throws: StoreError.notAnAuditDatabase(path: short)) { _ = try AuditDatabase(path: short, timeZone: london) }
        #expect(try bytes(short) == Data("hi".utf8))
    }

    @Test func refusesACorruptFileAndLeavesItUntouched() throws {
        let folder = TempFolder()
        let path = folder.path("broken.sqlite")
        var data = Data("SQLite format 3\u{0}".utf8)
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<8192 { data.append(UInt8.random(in: 0...255, using: &generator)) }
        try data.write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: StoreError.self) { _ = try AuditDatabase(path: path, timeZone: london) }
        if case .corrupt(let errorPath, _) = error {
            #expect(errorPath == path)
        } else {
            Issue.record("expected .corrupt, got \(String(describing: error))")
        }
        #expect(try bytes(path) == data)
    }

    @Test func refusesANewerSchemaAndLeavesItUntouched() throws {
        let folder = TempFolder()
        let path = folder.path("newer.sqlite")
        try AuditDatabase(path: path, timeZone: london).close()
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in try db.execute(sql: "PRAGMA user_version = \(Schema.version + 1)") }
            try queue.close()
        }
        let before = try bytes(path)
        let error = #expect(throws: StoreError.self) { _ = try AuditDatabase(path: path, timeZone: london) }
        #expect(error == .newerSchema(path: path, found: Schema.version + 1, supported: Schema.version))
        #expect(error?.description.contains("version \(Schema.version + 1)") == true)
        #expect(try bytes(path) == before)
    }

    @Test func refusesUnknownMigrations() throws {
        let folder = TempFolder()
        let path = folder.path("newer-migration.sqlite")
        try AuditDatabase(path: path, timeZone: london).close()
        do {
            let queue = try DatabaseQueue(path: path)
            try queue.write { db in try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v2-from-the-future')") }
            try queue.close()
        }
        let before = try bytes(path)
        let error = #expect(throws: StoreError.self) { _ = try AuditDatabase(path: path, timeZone: london) }
        if case .newerSchema = error {} else { Issue.record("expected .newerSchema, got \(String(describing: error))") }
        #expect(try bytes(path) == before)
    }

    @Test func refusesADirectory() throws {
        let folder = TempFolder()
        #expect(throws: StoreError.notAnAuditDatabase(path: folder.url.path)) {
            _ = try AuditDatabase(path: folder.url.path, timeZone: london)
        }
    }

    @Test func reportsAFolderThatCannotBeCreated() {
        let error = #expect(throws: StoreError.self) { _ = try AuditDatabase(path: "/proc/email-audit-test/audit.sqlite", timeZone: london) }
        if case .cannotCreateFolder(let folder, _) = error {
            #expect(folder == "/proc/email-audit-test")
        } else {
            Issue.record("expected .cannotCreateFolder, got \(String(describing: error))")
        }
    }

    @Test func defaultPathFollowsTheEnvironment() {
        #expect(AuditDatabase.defaultPath(environment: ["EMAIL_AUDIT_DB": "/x/y.sqlite", "XDG_DATA_HOME": "/d", "HOME": "/h"]) == "/x/y.sqlite")
        #expect(AuditDatabase.defaultPath(environment: ["XDG_DATA_HOME": "/d", "HOME": "/h"]) == "/d/email-audit/audit.sqlite")
        #expect(AuditDatabase.defaultPath(environment: ["HOME": "/h"]) == "/h/.local/share/email-audit/audit.sqlite")
        #expect(AuditDatabase.defaultPath(environment: ["EMAIL_AUDIT_DB": "", "XDG_DATA_HOME": "", "HOME": "/h"]) == "/h/.local/share/email-audit/audit.sqlite")
    }

    @Test func errorsReadAsOneLine() {
        let errors: [StoreError] = [
            .notAnAuditDatabase(path: "/p"), .newerSchema(path: "/p", found: 3, supported: 1),
            .corrupt(path: "/p", underlying: "file is not a database"), .permissionDenied(path: "/p"),
            .needsSupportRole(user: "Alice Able", action: "remove a suppression"),
            .accountNotPermitted(user: "Alice Able", accountID: 2), .accountNotPermitted(user: "Alice Able", accountID: nil),
        ]
        for error in errors {
            #expect(!error.description.contains("\n"))
            #expect(error.description.count > 20)
        }
    }
}
