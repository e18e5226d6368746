import Foundation
import Testing
@testable import AuditStorePostgres

/// The password comes from files, read as libpq reads `~/.pgpass`.
@Suite("PostgreSQL password files")
struct PostgresPassFileTests {
    let tcp = try! PostgresLocation(url: "postgresql://audit@db.example.net:5432/email_audit", defaultUser: "x")
    let socket = try! PostgresLocation(url: "postgresql://audit@/email_audit", defaultUser: "x")

    @Test func firstMatchingLineWins() {
        let file = PostgresPassFile(text: """
            other.example.net:5432:email_audit:audit:wrong-host
            db.example.net:5433:email_audit:audit:wrong-port
            db.example.net:5432:other:audit:wrong-database
            db.example.net:5432:email_audit:someone:wrong-user
            db.example.net:5432:email_audit:audit:right
            *:*:*:*:too-late
            """)
        #expect(file.password(for: tcp) == "right")
        #expect(file.entries.count == 6)
    }

    @Test func wildcardsMatchAnythingButOnlyAsAWholeField() {
        #expect(PostgresPassFile(text: "*:*:*:*:any").password(for: tcp) == "any")
        #expect(PostgresPassFile(text: "db.example.net:*:*:audit:some").password(for: tcp) == "some")
        // `*x` is a literal, and `\*` is a literal star.
        #expect(PostgresPassFile(text: "*x:*:*:*:no").password(for: tcp) == nil)
        #expect(PostgresPassFile(text: "\\*:*:*:*:no").password(for: tcp) == nil)
        let star = try! PostgresLocation(url: "postgresql://audit@db/%2A", defaultUser: "x")
        #expect(PostgresPassFile(text: "db:5432:\\*:audit:literal").password(for: star) == "literal")
    }

    @Test func escapedColonsAndBackslashes() {
        // A password with a colon and a backslash; an IPv6 host with escaped colons.
        let file = PostgresPassFile(text: "db.example.net:5432:email_audit:audit:pa\\:ss\\\\word")
        #expect(file.password(for: tcp) == "pa:ss\\word")
        let v6 = try! PostgresLocation(url: "postgresql://audit@[::1]/email_audit", defaultUser: "x")
        #expect(PostgresPassFile(text: "\\:\\:1:5432:email_audit:audit:six").password(for: v6) == "six")
        // The password ends at its first unescaped colon.
        #expect(PostgresPassFile(text: "*:*:*:*:first:second").password(for: tcp) == "first")
    }

    @Test func commentsBlankAndShortLinesAreSkipped() {
        let file = PostgresPassFile(text: "# *:*:*:*:commented\n\n*:*:*:audit\r\n*:*:*:*:kept\r\n")
        #expect(file.entries.count == 1)
        #expect(file.password(for: tcp) == "kept")
    }

    @Test func emptyPasswordMeansNone() {
        #expect(PostgresPassFile(text: "*:*:*:*:\n*:*:*:*:later").password(for: tcp) == nil)
    }

    @Test func socketConnectionsMatchTheirDirectoryOrLocalhostForTheDefaultOne() throws {
        #expect(PostgresPassFile(text: "localhost:5432:email_audit:audit:local").password(for: socket) == "local")
        #expect(PostgresPassFile(text: "/var/run/postgresql:5432:email_audit:audit:dir").password(for: socket) == "dir")
        let elsewhere = try PostgresLocation(url: "postgresql://audit@/email_audit?host=/tmp/pg", defaultUser: "x")
        #expect(PostgresPassFile(text: "localhost:5432:email_audit:audit:local").password(for: elsewhere) == nil)
        #expect(PostgresPassFile(text: "/tmp/pg:5432:email_audit:audit:tmp").password(for: elsewhere) == "tmp")
        // A TCP connection to localhost matches localhost too (it is its host).
        let loopback = try PostgresLocation(url: "postgresql://audit@localhost/email_audit", defaultUser: "x")
        #expect(PostgresPassFile(text: "localhost:5432:email_audit:audit:tcp").password(for: loopback) == "tcp")
    }

    // MARK: - Files on disk

    /// A fresh folder for one test, removed afterwards.
    func withFolder(_ body: (String) throws -> Void) throws {
        let folder = NSTemporaryDirectory() + "email-audit-pgpass-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try body(folder)
    }

    func write(_ text: String, to path: String, mode: Int) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
    }

    @Test func pgpassIsIgnoredWithAWarningWhenOthersCanReadIt() throws {
        try withFolder { folder in
            let path = folder + "/pgpass"
            try write("*:*:*:*:open", to: path, mode: 0o644)
            let open = try PostgresPassword.resolve(for: tcp, environment: ["PGPASSFILE": path])
            #expect(open.password == nil)
            #expect(open.warnings == ["WARNING: password file \"\(path)\" has group or world access; permissions should be u=rw (0600) or less"])

            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
            let closed = try PostgresPassword.resolve(for: tcp, environment: ["PGPASSFILE": path])
            #expect(closed == PostgresPassword.Resolution(password: "open", source: path, warnings: []))
        }
    }

    @Test func homePgpassIsTheDefaultAndAMissingOneIsNoError() throws {
        try withFolder { folder in
            #expect(try PostgresPassword.resolve(for: tcp, environment: ["HOME": folder])
                    == PostgresPassword.Resolution(password: nil, source: nil, warnings: []))
            try write("db.example.net:5432:email_audit:audit:from-home\n", to: folder + "/.pgpass", mode: 0o600)
            #expect(try PostgresPassword.resolve(for: tcp, environment: ["HOME": folder]).password == "from-home")
            // PGPASSFILE wins over ~/.pgpass.
            try write("*:*:*:*:named\n", to: folder + "/named", mode: 0o400)
            #expect(try PostgresPassword.resolve(for: tcp, environment: ["HOME": folder, "PGPASSFILE": folder + "/named"]).password == "named")
            // A directory is not a password file.
            try FileManager.default.createDirectory(atPath: folder + "/dir", withIntermediateDirectories: false)
            let directory = try PostgresPassword.resolve(for: tcp, environment: ["PGPASSFILE": folder + "/dir"])
            #expect(directory.password == nil)
            #expect(directory.warnings == ["WARNING: password file \"\(folder)/dir\" is not a plain file"])
        }
    }

    @Test func namedPasswordFileWinsAndMustBePrivate() throws {
        try withFolder { folder in
            let secret = folder + "/db-password"
            try write("pa:ss word\n", to: secret, mode: 0o600)
            try write("*:*:*:*:from-pgpass", to: folder + "/.pgpass", mode: 0o600)
            let environment = ["HOME": folder, PostgresPassword.fileVariable: secret]
            #expect(try PostgresPassword.resolve(for: tcp, environment: environment)
                    == PostgresPassword.Resolution(password: "pa:ss word", source: secret, warnings: []))
            // The option wins over the environment variable.
            try write("from-option\r\n", to: folder + "/option", mode: 0o600)
            #expect(try PostgresPassword.resolve(for: tcp, passwordFile: folder + "/option", environment: environment).password == "from-option")

            try FileManager.default.setAttributes([.posixPermissions: 0o640], ofItemAtPath: secret)
            #expect(throws: PostgresPasswordError.tooOpen(path: secret)) {
                try PostgresPassword.resolve(for: tcp, environment: environment)
            }
            #expect(PostgresPasswordError.tooOpen(path: secret).description.contains("chmod 600 \(secret)"))
            try write("\n", to: secret, mode: 0o600)
            #expect(throws: PostgresPasswordError.empty(path: secret)) {
                try PostgresPassword.resolve(for: tcp, environment: environment)
            }
            #expect(throws: PostgresPasswordError.self) {
                try PostgresPassword.resolve(for: tcp, passwordFile: folder + "/missing", environment: environment)
            }
        }
    }
}
