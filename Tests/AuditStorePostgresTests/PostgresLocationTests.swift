import Testing
@testable import AuditStorePostgres

/// `--db postgresql://...` as libpq reads a connection URI, with passwords refused.
@Suite("PostgreSQL URL")
struct PostgresLocationTests {
    func parse(_ url: String) throws -> PostgresLocation {
        try PostgresLocation(url: url, defaultUser: "amelia")
    }

    func refusal(_ url: String) -> PostgresLocationError? {
        do {
            _ = try PostgresLocation(url: url, defaultUser: "amelia")
            return nil
        } catch {
            return error
        }
    }

    @Test func recognisesBothSchemesInAnyCaseAndNothingElse() {
        #expect(PostgresLocation.isURL("postgresql://db/audit"))
        #expect(PostgresLocation.isURL("postgres://db/audit"))
        #expect(PostgresLocation.isURL("PostgreSQL://db/audit"))
        #expect(!PostgresLocation.isURL("/var/lib/audit.sqlite"))
        #expect(!PostgresLocation.isURL("postgresql:/db"))
        #expect(!PostgresLocation.isURL("mysql://db/audit"))
        #expect(refusal("audit.sqlite") == .notAURL)
    }

    @Test func fullTCPURL() throws {
        let location = try parse("postgresql://audit@db.example.net:6432/email_audit?sslmode=verify-full")
        #expect(location.user == "audit")
        #expect(location.endpoint == .tcp(host: "db.example.net", port: 6432))
        #expect(location.database == "email_audit")
        #expect(location.sslMode == .verifyFull)
        #expect(location.host == "db.example.net")
        #expect(location.socketPath == nil)
        #expect(location.description == "postgresql://audit@db.example.net:6432/email_audit?sslmode=verify-full")
    }

    @Test func defaultsAreLibpqs() throws {
        // No user: the user running the program; no database: the user name; no host: the
        // default socket directory; no port: 5432; no sslmode: disable.
        let location = try parse("postgresql://")
        #expect(location.user == "amelia")
        #expect(location.database == "amelia")
        #expect(location.endpoint == .socket(directory: "/var/run/postgresql", port: 5432))
        #expect(location.socketPath == "/var/run/postgresql/.s.PGSQL.5432")
        #expect(location.sslMode == .disable)
        #expect(try parse("postgres://db").endpoint == .tcp(host: "db", port: 5432))
        #expect(try parse("postgresql://db/").database == "amelia")
    }

    @Test func socketDirectoryAsParameterOrPercentEncodedHost() throws {
        let parameter = try parse("postgresql://root@/postgres?host=/tmp/email-audit-pg.x1&port=5433")
        #expect(parameter.endpoint == .socket(directory: "/tmp/email-audit-pg.x1", port: 5433))
        #expect(parameter.socketPath == "/tmp/email-audit-pg.x1/.s.PGSQL.5433")
        #expect(parameter.host == "/tmp/email-audit-pg.x1")
        #expect(parameter.description == "postgresql://root@:5433/postgres?host=/tmp/email-audit-pg.x1")

        let encoded = try parse("postgresql://root@%2Fvar%2Frun%2Fpostgresql/audit")
        #expect(encoded.endpoint == .socket(directory: "/var/run/postgresql", port: 5432))
        #expect(encoded.description == "postgresql://root@/audit")
    }

    @Test func parametersOverrideThePartsBeforeThem() throws {
        let location = try parse("postgresql://a@h1:5000/d1?user=b&dbname=d2&host=h2&port=6000")
        #expect(location.user == "b")
        #expect(location.database == "d2")
        #expect(location.endpoint == .tcp(host: "h2", port: 6000))
    }

    @Test func ipv6AndPercentEncodedNames() throws {
        let v6 = try parse("postgresql://audit@[::1]:5433/x")
        #expect(v6.endpoint == .tcp(host: "::1", port: 5433))
        #expect(v6.description == "postgresql://audit@[::1]:5433/x")
        let encoded = try parse("postgresql://ops%40harbour@db/audit%20log")
        #expect(encoded.user == "ops@harbour")
        #expect(encoded.database == "audit log")
    }

    @Test func sslModes() throws {
        #expect(try parse("postgresql://db/x?sslmode=disable").sslMode == .disable)
        #expect(try parse("postgresql://db/x?sslmode=require").sslMode == .require)
        let full = try parse("postgresql://db/x?sslmode=verify-full&sslrootcert=/etc/ssl/audit-ca.pem")
        #expect(full.sslMode == .verifyFull)
        #expect(full.sslRootCertificate == "/etc/ssl/audit-ca.pem")
        for unsupported in ["prefer", "allow", "verify-ca", "REQUIRE", ""] {
            let error = refusal("postgresql://db/x?sslmode=\(unsupported)")
            #expect(error == .invalid("sslmode=\(unsupported) is not supported; use sslmode=disable, require or verify-full"))
        }
        // TLS is for TCP: a socket is never encrypted, so asking for it is an error, not a silent no.
        #expect(refusal("postgresql://u@/x?host=/tmp/s&sslmode=require") != nil)
        #expect(refusal("postgresql:///x?sslmode=verify-full") != nil)
        #expect(refusal("postgresql://db/x?sslrootcert=/ca.pem") == .invalid("sslrootcert is used only with sslmode=verify-full"))
    }

    @Test func passwordsAreRefusedWithoutBeingRepeated() {
        for url in ["postgresql://audit:s3cret@db/x", "postgresql://audit:@db/x", "postgres://a:b:c@db",
                    "postgresql://db/x?password=s3cret", "postgresql://db/x?passfile=/root/p"] {
            let error = refusal(url)
            #expect(error == .passwordInURL, "\(url)")
            #expect(error.map { !"\($0)".contains("s3cret") } ?? false)
        }
        let message = PostgresLocationError.passwordInURL.description
        #expect(message.contains("~/.pgpass"))
        #expect(message.contains("PGPASSFILE"))
        #expect(message.contains("EMAIL_AUDIT_DB_PASSWORD_FILE"))
        // A password typed without '@' lands where the port goes: the error does not repeat it.
        let misplaced = refusal("postgresql://audit:s3cret")
        #expect(misplaced == .invalid("the port must be a number from 1 to 65535"))
    }

    @Test func badURLsGetOneClearLine() {
        #expect(refusal("postgresql://db:0/x") == .invalid("the port must be a number from 1 to 65535"))
        #expect(refusal("postgresql://db:65536/x") == .invalid("the port must be a number from 1 to 65535"))
        #expect(refusal("postgresql://db:54x/x") != nil)
        #expect(refusal("postgresql://h1,h2/x") == .invalid("give one host: several hosts (host1,host2) are not supported"))
        #expect(refusal("postgresql://[::1/x") == .invalid("an IPv6 address needs its closing ']'"))
        #expect(refusal("postgresql://db/x?application_name=y")
                == .invalid("unknown parameter 'application_name'; the URL takes host, port, dbname, user, sslmode and sslrootcert"))
        #expect(refusal("postgresql://db/x?sslmode") == .invalid("the parameter 'sslmode' needs a value (name=value)"))
        #expect(refusal("postgresql://db/x%zz") == .invalid("the database name has a bad percent escape ('%' must be followed by two hex digits)"))
        #expect(refusal("postgresql://db/x#frag") != nil)
        #expect(refusal("postgresql://db/x?host=relative/dir") != nil)
        // Control characters from the URL never reach the terminal raw.
        if case .invalid(let text) = refusal("postgresql://db/x?na%1Bme=1") {
            #expect(!text.unicodeScalars.contains { $0.value == 0x1B })
        } else {
            Issue.record("expected .invalid")
        }
        #expect(PostgresLocationError.invalid("x").description == "Invalid PostgreSQL URL: x.")
    }

    @Test func emptyUserIsRefused() {
        #expect(refusal("postgresql://@db/x") == .invalid("no user name: add one (postgresql://USER@host/database)"))
        do {
            _ = try PostgresLocation(url: "postgresql://db/x", defaultUser: "")
            Issue.record("expected a refusal")
        } catch {
            #expect(error == .invalid("no user name: add one (postgresql://USER@host/database)"))
        }
    }
}
