import AuditCore
import AuditStore
import AuditStorePostgres
import Foundation

/// A store opened by a command (``StoreOptions/openForReading(creatingMissing:)``,
/// ``StoreOptions/openForChanging()``): SQLite, or PostgreSQL with what its store offers so far.
enum ReadableStore {
    case sqlite(AuditDatabase)
    case postgres(PostgresAuditStore)

    /// The store's zone for days and times.
    var timeZone: TimeZone {
        switch self {
        case .sqlite(let database): database.timeZone
        case .postgres(let store): store.timeZone
        }
    }

    /// Every user, support first (as `email-audit users` lists them).
    func users() throws -> [AppUser] {
        switch self {
        case .sqlite(let database): try database.users()
        case .postgres(let store): try store.users()
        }
    }

    /// Every account's name by id (as `email-audit users` names them).
    func accountNames() throws -> [Int64: String] {
        let accounts: [Account]
        switch self {
        case .sqlite(let database): accounts = try database.accountsByID()
        case .postgres(let store): accounts = try store.accounts()
        }
        return Dictionary(accounts.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
    }

    /// The accounts `user` may work in: their own, or every account for support.
    func accounts(for user: AppUser) throws -> [Account] {
        switch self {
        case .sqlite(let database):
            return try database.accounts(for: user)
        case .postgres(let store):
            let all = try store.accounts().sorted { $0.id < $1.id }
            return user.isSupport ? all : all.filter { $0.id == user.accountID }
        }
    }

    /// The store as the demo uses it (its saved simulators among the rest).
    var demoStore: any DemoStore {
        switch self {
        case .sqlite(let database): database
        case .postgres(let store): store
        }
    }

    /// Whether this is the demo's store (its saved simulator state; the demo signs in its default user).
    func isDemoStore() throws -> Bool {
        try demoStore.savedSimulatorState(domain: nil) != nil
    }

    /// The store's notifications and digests.
    var notificationStore: any NotificationStore {
        switch self {
        case .sqlite(let database): database
        case .postgres(let store): store
        }
    }

    /// The reader for `user` in `accountID` (it can also change the store: see ``ChangingReader``).
    func reader(for user: AppUser, accountID: Int64) throws -> any ChangingReader {
        switch self {
        case .sqlite(let database): try database.reader(for: user, accountID: accountID)
        case .postgres(let store): try store.reader(for: user, accountID: accountID)
        }
    }

    /// Closes a PostgreSQL connection (a SQLite store closes when released).
    func close() {
        if case .postgres(let store) = self { store.connection.close() }
    }
}
