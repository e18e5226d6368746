import Foundation
import Logging
import PostgresNIO

/// One PostgreSQL connection for synchronous callers (the engine, the screen and the CLI call
/// the store synchronously today): each call blocks the calling thread until the server has
/// answered.
///
/// It is a thin layer over PostgresNIO's `PostgresConnection` and its `EventLoopFuture` API:
/// the work runs on NIO's shared event-loop threads (`MultiThreadedEventLoopGroup.singleton`)
/// and the caller waits on the future. It never touches Swift concurrency's cooperative pool,
/// so a blocked caller cannot starve the tasks that would answer it. It must therefore not be
/// called on a NIO event-loop thread (NIO traps), and should not be called from an `async`
/// context, where it would block a cooperative thread (the server will use PostgresNIO's
/// `PostgresClient` pool directly).
///
/// Statements are `PostgresQuery` values: string interpolation binds values
/// (`"SELECT name FROM accounts WHERE id = \(id)"` sends `$1`), `\(unescaped:)` pastes trusted
/// SQL text. One statement per call (PostgreSQL's extended protocol); migrations run their
/// statements one by one.
///
/// One caller at a time: calls from several threads are serialised by a lock, and a transaction
/// holds the connection until its closure returns.
public final class BlockingPostgresConnection: @unchecked Sendable {
    /// The store this connection reaches, for messages.
    public let location: PostgresLocation
    private let connection: PostgresConnection
    private let logger: Logger
    /// Guards `inTransaction` and keeps one caller's statements (and transaction) together.
    private let lock = NSRecursiveLock()
    private var inTransaction = false
    /// This connection's prepared statements (their names) by SQL text (``preparedRows(_:arguments:)``),
    /// and their texts, least recently used first.
    private var prepared: [String: String] = [:]
    private var preparedOrder: [String] = []
    private var preparedSerial = 0

    /// At most this many prepared statements are kept per connection; the least recently used
    /// is closed on the server when another is prepared.
    public static let maximumPreparedStatements = 64

    private init(location: PostgresLocation, connection: PostgresConnection, logger: Logger) {
        self.location = location
        self.connection = connection
        self.logger = logger
    }

    /// How a ``transaction(isolation:_:)`` sees other transactions' writes.
    public enum Isolation: String, Sendable {
        case readCommitted = "READ COMMITTED"
        case repeatableRead = "REPEATABLE READ"
        case serializable = "SERIALIZABLE"
    }

    /// A logger that drops everything (PostgresNIO logs at debug and trace level).
    public static let quietLogger = Logger(label: "email-audit.postgres", factory: { _ in SwiftLogNoOpLogHandler() })

    /// Connects to `location` as its user with `password` (nil: none), over TLS when its
    /// `sslmode` asks. Waits at most `timeout` seconds for the server.
    public static func connect(to location: PostgresLocation, password: String?, timeout: Int64 = 10,
                               logger: Logger = quietLogger) throws(PostgresStoreError) -> BlockingPostgresConnection {
        var configuration: PostgresConnection.Configuration
        switch location.endpoint {
        case .socket:
            configuration = .init(unixSocketPath: location.socketPath!, username: location.user, password: password,
                                  database: location.database)
        case .tcp(let host, let port):
            let tls: PostgresConnection.Configuration.TLS
            do {
                tls = try tlsMode(for: location)
            } catch {
                throw .cannotConnect(location: location.description, reason: "TLS cannot be set up (\(PostgresStoreError.oneLine(String(describing: error))))")
            }
            configuration = .init(host: host, port: port, username: location.user, password: password,
                                  database: location.database, tls: tls)
        }
        configuration.options.connectTimeout = .seconds(timeout)
        configuration.options.additionalStartupParameters = [("application_name", "email-audit")]
        let future = PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: configuration,
                                                id: nextID(), logger: logger)
        do {
            return BlockingPostgresConnection(location: location, connection: try future.wait(), logger: logger)
        } catch {
            throw PostgresStoreError.wrap(error, location: location.description, connecting: true)
        }
    }

    /// The TLS setting for `location`'s `sslmode`.
    static func tlsMode(for location: PostgresLocation) throws -> PostgresConnection.Configuration.TLS {
        switch location.sslMode {
        case .disable:
            return .disable
        case .require:
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .none
            return .require(try NIOSSLContext(configuration: tls))
        case .verifyFull:
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .fullVerification
            if let roots = location.sslRootCertificate { tls.trustRoots = .file(roots) }
            return .require(try NIOSSLContext(configuration: tls))
        }
    }

    /// Calls `onNotification` for every notification on `channel` (PostgreSQL's LISTEN/NOTIFY;
    /// the LISTEN statement goes before any statement sent after this call), on an event-loop
    /// thread, and `onClose` once when the connection ends. Notifications reach an idle session
    /// at once and a busy one between its statements; the session's own arrive before its
    /// commit returns.
    public func listen(to channel: String, onNotification: @escaping @Sendable () -> Void,
                       onClose: @escaping @Sendable () -> Void) {
        connection.addListener(channel: channel) { _, _ in onNotification() }
        connection.closeFuture.whenComplete { _ in onClose() }
    }

    /// Runs one statement and returns how many rows it inserted, updated or deleted (0 for others).
    @discardableResult
    public func execute(_ query: PostgresQuery) throws(PostgresStoreError) -> Int {
        try run(query).metadata.rows ?? 0
    }

    /// Runs one statement and returns all its rows (decode with `row.decode((Int64, String).self)`).
    public func rows(_ query: PostgresQuery) throws(PostgresStoreError) -> [PostgresRow] {
        try run(query).rows
    }

    /// Runs `sql` (placeholders typed, `$1::BIGINT`, as `PREPARE` takes the parameters' types
    /// from them) as a prepared statement of this connection with `arguments` (SQL expressions,
    /// one per placeholder: ``PostgresStatement/literals``), and returns its rows.
    ///
    /// The statement is prepared on first use (`PREPARE email_audit_page_N AS ...`) and kept
    /// (at most ``maximumPreparedStatements``; the least recently used is `DEALLOCATE`d), and run
    /// (`EXECUTE email_audit_page_N(...)`) with a generic plan: `plan_cache_mode =
    /// force_generic_plan` for this execution only (the setting, the statement and its reset sent
    /// at once, one round trip), so the connection's other statements keep PostgreSQL's default.
    /// The plan is made once per connection and statement text, not at every call. What it is
    /// for: a statement over every month partition of `emails` is planned for each partition
    /// and its indexes (at 1,000,000 emails over 39 partitions, 3.6-25 ms to plan a page that
    /// reads in 0.2-0.4 ms); a generic plan prunes the partitions outside its time bounds when
    /// it runs. Use it for statements whose best plan does not depend on their values.
    ///
    /// (SQL `PREPARE`/`EXECUTE` rather than PostgresNIO's `prepare(query:)`: in PostgresNIO
    /// 1.33.2 that keeps the row description of the Describe, text format, while the rows come
    /// back binary, so no row of it decodes.)
    public func preparedRows(_ sql: String, arguments: [String]) throws(PostgresStoreError) -> [PostgresRow] {
        lock.lock()
        defer { lock.unlock() }
        do {
            let name: String
            if let known = prepared[sql] {
                name = known
                if let index = preparedOrder.lastIndex(of: sql) { preparedOrder.remove(at: index) }
            } else {
                preparedSerial += 1
                name = "email_audit_page_\(preparedSerial)"
                _ = try connection.query(PostgresQuery(unsafeSQL: "PREPARE \(name) AS \(sql)"), logger: logger).wait()
                prepared[sql] = name
                if preparedOrder.count >= Self.maximumPreparedStatements {
                    let oldest = preparedOrder.removeFirst()
                    if let old = prepared.removeValue(forKey: oldest) {
                        _ = try? connection.query(PostgresQuery(unsafeSQL: "DEALLOCATE \(old)"), logger: logger).wait()
                    }
                }
            }
            preparedOrder.append(sql)
            let execute = arguments.isEmpty ? "EXECUTE \(name)" : "EXECUTE \(name)(\(arguments.joined(separator: ", ")))"
            let generic = connection.query(PostgresQuery(unsafeSQL: "SET plan_cache_mode = force_generic_plan"), logger: logger)
            let rows = connection.query(PostgresQuery(unsafeSQL: execute), logger: logger)
            let reset = connection.query(PostgresQuery(unsafeSQL: "RESET plan_cache_mode"), logger: logger)
            let result: PostgresQueryResult
            do {
                _ = try generic.wait()
                result = try rows.wait()
            } catch {
                _ = try? reset.wait()
                throw error
            }
            _ = try reset.wait()
            return result.rows
        } catch {
            // Prepared again next time (a failed statement may be gone or stale).
            if let old = prepared.removeValue(forKey: sql) {
                _ = try? connection.query(PostgresQuery(unsafeSQL: "DEALLOCATE \(old)"), logger: logger).wait()
                preparedOrder.removeAll { $0 == sql }
            }
            throw PostgresStoreError.wrap(error, location: location.description)
        }
    }

    /// How many prepared statements this connection keeps (tests).
    public var preparedStatementCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return prepared.count
    }

    /// Runs `body` in a transaction: committed when it returns, rolled back when it throws
    /// (its error is rethrown). A transaction inside another is refused
    /// (``PostgresStoreError/nestedTransaction``).
    public func transaction<T>(isolation: Isolation = .readCommitted,
                               _ body: (BlockingPostgresConnection) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        guard !inTransaction else { throw PostgresStoreError.nestedTransaction }
        try execute(PostgresQuery(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation.rawValue)"))
        inTransaction = true
        defer { inTransaction = false }
        let result: T
        do {
            result = try body(self)
        } catch {
            _ = try? execute("ROLLBACK")
            throw error
        }
        try execute("COMMIT")
        return result
    }

    /// Closes the connection (waiting for the server to see it go). Later calls fail.
    public func close() {
        lock.lock()
        defer { lock.unlock() }
        try? connection.close().wait()
    }

    /// Whether the connection is closed (by ``close()``, the server or the network).
    public var isClosed: Bool { connection.isClosed }

    private func run(_ query: PostgresQuery) throws(PostgresStoreError) -> PostgresQueryResult {
        lock.lock()
        defer { lock.unlock() }
        do {
            return try connection.query(query, logger: logger).wait()
        } catch {
            throw PostgresStoreError.wrap(error, location: location.description)
        }
    }

    private static let ids = IDCounter()
    private static func nextID() -> Int { ids.next() }
}

/// Connection ids for PostgresNIO's log metadata.
private final class IDCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var value = 0
    func next() -> Int {
        lock.lock()
        defer { lock.unlock() }
        value += 1
        return value
    }
}
