import AuditCore
import Foundation
import PostgresNIO

/// The PostgreSQL backend of the store contract (``PortfolioStore``, ``EmailRecordingStore``)
/// over one ``BlockingPostgresConnection``: the same operations, answers and refusals as the
/// SQLite store (`AuditDatabase`), on the schema of ``PostgresSchema`` (the account in every key).
///
/// Open the connection with ``PostgresStoreOpening/open(url:passwordFile:timeZone:now:environment:warn:)``
/// (it migrates the schema and creates this month's and next month's partitions); an email of
/// another month gets its partition when first recorded (see ``record(_:)``).
public final class PostgresAuditStore: @unchecked Sendable {
    /// The connection every call uses (one caller at a time).
    public let connection: BlockingPostgresConnection
    /// The store's zone (`store_meta.partition_time_zone`): month partitions and roll-up days
    /// are its local months and days.
    public let timeZone: TimeZone

    var location: String { connection.location.description }
    /// The change token by LISTEN/NOTIFY on ``connection`` (``changeToken()``).
    let changeWatch = PostgresChangeWatch()
    /// Whether pages without Subject text are read by prepared statements with generic plans,
    /// planned once per connection and statement text
    /// (``BlockingPostgresConnection/preparedRows(_:arguments:)``); false plans every page's
    /// statement afresh, as before (the benchmark's `--pg-unprepared`, to compare both in one
    /// binary on one database; tests check both give the same pages).
    public var preparesPages = true
    /// The most provider messages one ingest transaction locks (``apply(_:defaultAccountID:)``
    /// splits a batch naming more into transactions in a row). Every message is one advisory
    /// lock until the transaction ends, and the server's lock table holds
    /// `max_locks_per_transaction` × `max_connections` locks in all (6,400 by default): two
    /// writers with 4,000-event batches of distinct messages, or one batch of 8,000 events
    /// (email-audit-bench --pg-batch-size 8000 at 300,000 emails), ran out of it (SQLSTATE 53200).
    public var messagesPerTransaction = 2_000
    /// The emails a Subject page reads in date order before it reads the subject trigram index
    /// (``subjectPage(matching:addresses:accountID:from:direction:limit:now:)``); tests make it
    /// small to reach the index's windows with a few emails.
    public var subjectWalkRows = 1_000
    /// Whether a Subject page past its walk always walks on (true) or always reads the subject
    /// trigram index (false); nil, the default, chooses by the walk's figures
    /// (``SubjectPageCosts``). Tests set it to reach both ways with a few emails.
    public var subjectPagesWalkOn: Bool?
    /// The store's emails and months for Subject pages' costs, read from the catalog at most
    /// every five minutes.
    let storeEmailsCache = PostgresTimedValue<(emails: Double, months: Int)>(lifetime: 300)
    /// The last account's newest subjects, a Subject page's sample beside a raiser or domain.
    let newestSubjectsCache = PostgresTimedValue<(accountID: Int64, subjects: [[UInt8]])>(lifetime: 60)

    /// A store over a connection to a migrated database (``PostgresSchema/migrate(_:timeZone:)``).
    public init(connection: BlockingPostgresConnection) throws(PostgresStoreError) {
        self.connection = connection
        let identifier = try connection.rows("SELECT value FROM store_meta WHERE key = 'partition_time_zone'")
            .first.map { row throws(PostgresStoreError) in try Self.decode(row, String.self, location: connection.location.description) }
        guard let identifier, let zone = TimeZone(identifier: identifier) else {
            throw .notAnAuditDatabase(location: connection.location.description)
        }
        timeZone = zone
    }

    /// Decodes a one-column row, a decoding failure reported as a server answer we cannot read.
    static func decode<T: PostgresDecodable>(_ row: PostgresRow, _ type: T.Type, location: String) throws(PostgresStoreError) -> T {
        do {
            return try row.decode(T.self)
        } catch {
            throw .server(location: location, sqlState: "XX000", message: "unexpected column type (\(PostgresStoreError.oneLine(String(describing: error))))")
        }
    }

    /// Decodes the rows of `query` with `body`, a decoding failure reported as in ``decode(_:_:location:)``.
    func rows<T>(_ query: PostgresQuery, on db: BlockingPostgresConnection? = nil,
                 _ body: (PostgresRandomAccessRow) throws -> T) throws -> [T] {
        let rows = try (db ?? connection).rows(query)
        do {
            return try rows.map { try body($0.makeRandomAccess()) }
        } catch let error as PostgresStoreError {
            throw error
        } catch {
            throw PostgresStoreError.server(location: location, sqlState: "XX000",
                                            message: "unexpected column type (\(PostgresStoreError.oneLine(String(describing: error))))")
        }
    }

    /// The one Int64 of the first row of `query`, nil when there is no row.
    func int64(_ query: PostgresQuery, on db: BlockingPostgresConnection) throws -> Int64? {
        try rows(query, on: db) { try $0[0].decode(Int64.self) }.first
    }

    /// SQLite's `COLLATE NOCASE` ordering (ASCII letters folded, bytes compared) for `column`,
    /// so both backends list names in one order whatever the database's collation.
    static func noCase(_ column: String) -> String {
        "translate(\(column), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') COLLATE \"C\""
    }

    /// Throws ``PostgresStoreError/unknownAccount(id:)`` unless the account exists.
    func requireAccount(_ accountID: Int64, on db: BlockingPostgresConnection) throws {
        guard try int64("SELECT id FROM accounts WHERE id = \(accountID)", on: db) != nil else {
            throw PostgresStoreError.unknownAccount(id: accountID)
        }
    }

    /// Throws ``PostgresStoreError/unknownUnit(id:)`` unless the unit is one of the account's.
    func requireUnit(_ unitID: Int64, accountID: Int64, on db: BlockingPostgresConnection) throws {
        guard try int64("SELECT id FROM units WHERE account_id = \(accountID) AND id = \(unitID)", on: db) != nil else {
            throw PostgresStoreError.unknownUnit(id: unitID)
        }
    }
}

/// The store's guard on what it writes, as the SQLite store's: no text with a NUL character
/// (PostgreSQL's text cannot hold one) and no time outside the years 1970 to 9999.
enum PostgresValueCheck {
    /// 9999-12-31T23:59:59Z.
    static let latestSeconds: Double = 253_402_300_799

    static func requireTime(_ date: Date, _ what: @autoclosure () -> String) throws(PostgresStoreError) {
        let seconds = date.timeIntervalSince1970
        guard seconds.isFinite, seconds >= 0, seconds <= latestSeconds else {
            throw .invalidValue("\(what()) is not a storable time (\(seconds) seconds since 1970)")
        }
    }

    static func requireText(_ text: String?, _ what: @autoclosure () -> String) throws(PostgresStoreError) {
        guard let text, StoredText.containsNUL(text) else { return }
        throw .invalidValue("\(what()) contains a NUL character")
    }

    /// Checks every value of a new email that the store keeps (a malformed address is kept as
    /// given, as the SQLite store keeps it: the provider rejects it and the audit shows that).
    static func check(_ email: NewEmail) throws(PostgresStoreError) {
        try requireTime(email.createdAt, "the creation time of an email to \(email.to.prefix(80))")
        for value in [email.to, email.from, email.subject, email.textBody] + email.cc + email.attachmentNames {
            try requireText(value, "a field of the email to \(email.to.prefix(80))")
        }
    }
}
