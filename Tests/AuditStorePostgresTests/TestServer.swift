import Foundation
import PostgresNIO
import Testing
@testable import AuditStorePostgres

/// The PostgreSQL server the tests use: the URL in `EMAIL_AUDIT_TEST_POSTGRES_URL` (a role that
/// may create databases). `scripts/pg_throwaway.sh start` prints one; `make unit` and `.ci/run`
/// start a throwaway server and set the variable. Without it the suites that need a server are
/// recorded as skipped (never passed), and under CI=true ``PostgresServerConfigurationTests``
/// fails.
enum TestServer {
    static let variable = "EMAIL_AUDIT_TEST_POSTGRES_URL"

    static let url: String? = ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 }

    static var isConfigured: Bool { url != nil }

    static func connect(_ location: PostgresLocation) throws -> BlockingPostgresConnection {
        let password = try PostgresPassword.resolve(for: location).password
        return try BlockingPostgresConnection.connect(to: location, password: password)
    }

    /// Runs `body` with the location of a new, empty database that is dropped afterwards.
    static func withFreshDatabase<T>(_ body: (PostgresLocation) throws -> T) throws -> T {
        let admin = try PostgresLocation(url: url!)
        let name = "email_audit_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let server = try connect(admin)
        defer { server.close() }
        try server.execute(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"))
        defer { _ = try? server.execute(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)")) }
        var location = admin
        location.database = name
        return try body(location)
    }

    /// Runs `body` on a connection to a new database migrated to the current schema.
    static func withMigratedStore<T>(timeZone: String = "Europe/London",
                                     _ body: (BlockingPostgresConnection) throws -> T) throws -> T {
        try withFreshDatabase { location in
            let db = try connect(location)
            defer { db.close() }
            try PostgresSchema.migrate(db, timeZone: TimeZone(identifier: timeZone)!)
            return try body(db)
        }
    }
}

/// The server is not optional in CI: an unset URL there is a failure, not a skip.
@Suite("PostgreSQL test server")
struct PostgresServerConfigurationTests {
    @Test func ciSetsTheServerURL() {
        let ci = ProcessInfo.processInfo.environment["CI"] == "true"
        #expect(!ci || TestServer.isConfigured,
                "CI=true but \(TestServer.variable) is unset: .ci/run must start scripts/pg_throwaway.sh")
    }
}

/// UTC instants for the tests.
func utc(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0) -> Date {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC")!
    return calendar.date(from: DateComponents(year: year, month: month, day: day, hour: hour, minute: minute))!
}
