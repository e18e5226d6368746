import AuditCore
import Foundation
import GRDB

/// Writes users (in the caller's transaction).
enum UserWriter {
    /// Adds a user; the login is ``AppUser/login(forName:)``, made unique with a number.
    static func insert(_ db: Database, name: String, role: StaffRole, accountID: Int64?, staffID: Int64?) throws -> AppUser {
        let stem = AppUser.login(forName: name)
        var login = stem
        var suffix = 2
        while try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM users WHERE login = ?"), arguments: [login]) != nil {
            login = "\(stem)\(suffix)"
            suffix += 1
        }
        try db.execute(sql: "INSERT INTO users (name, login, role, account_id, staff_id) VALUES (?, ?, ?, ?, ?)",
                       arguments: [name, login, role.rawValue, accountID, staffID])
        return AppUser(id: db.lastInsertedRowID, name: name, login: login, role: role, accountID: accountID, staffID: staffID)
    }

    static let columns = "id, name, login, role, account_id, staff_id"

    static func user(from row: Row) -> AppUser {
        AppUser(id: row[0], name: row[1], login: row[2], role: StaffRole(rawValue: row[3]) ?? .staff,
                accountID: row[4], staffID: row[5])
    }

    /// The user with `id`, read in the caller's transaction.
    static func user(_ db: Database, id: Int64) throws -> AppUser {
        guard let row = try Row.fetchOne(db, sql: "SELECT \(columns) FROM users WHERE id = ?", arguments: [id]) else {
            throw StoreError.unknownUser(id: id)
        }
        return user(from: row)
    }
}

/// Who may sign in.
extension AuditDatabase {
    /// Every user, support team first, then by account and name. Names and logins are not
    /// account data, so this is the one read that needs no account: it is how a person finds
    /// the name to sign in with (`email-audit users`).
    public func users() throws -> [AppUser] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT \(UserWriter.columns) FROM users
                ORDER BY account_id IS NOT NULL, account_id, name COLLATE NOCASE, id
                """).map(UserWriter.user(from:))
        }
    }

    /// Adds a member of the support team who is not a staff member of any account.
    public func insertSupportUser(name: String) throws -> AppUser {
        try StoredValueCheck.requireText(name, "the user's name")
        return try write { db in try UserWriter.insert(db, name: name, role: .support, accountID: nil, staffID: nil) }
    }

    /// The users `text` names (login, or name ignoring case and accents).
    public func users(named text: String) throws -> [AppUser] {
        try users().filter { $0.isNamed(text) }
    }

    /// The accounts `user` may read: their own, or every account for support.
    public func accounts(for user: AppUser) throws -> [Account] {
        let all = try accountsByID()
        return user.isSupport ? all : all.filter { $0.id == user.accountID }
    }

    /// Every account, oldest first (the first is the demo's Harbour Lets).
    package func accountsByID() throws -> [Account] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, name FROM accounts ORDER BY id").map { Account(id: $0[0], name: $0[1]) }
        }
    }

    /// Whether the store has any account (a new store has none until `seed` or an ingest).
    public func hasAccounts() throws -> Bool {
        try !accountsByID().isEmpty
    }

    /// The reader of a store with no account yet (a new store the screen opened): it answers
    /// for no account, so every list is empty. Throws once the store has an account.
    public func emptyStoreReader() throws -> AccountScopedReader {
        guard try accountsByID().isEmpty else { throw StoreError.accountNotPermitted(user: "Nobody", accountID: nil) }
        return AccountScopedReader(database: self, user: AppUser(id: 0, name: "Nobody", login: "", role: .staff, accountID: 0, staffID: nil),
                                   account: Account(id: 0, name: "No account yet"))
    }

    /// A reader for `user` that answers only for `accountID`.
    ///
    /// - Throws: ``StoreError/accountNotPermitted(user:accountID:)`` when a staff user asks
    ///   for another account; ``StoreError/unknownAccount(id:)`` for an account that does not exist.
    public func reader(for user: AppUser, accountID: Int64) throws -> AccountScopedReader {
        guard user.isSupport || user.accountID == accountID else {
            throw StoreError.accountNotPermitted(user: user.name, accountID: accountID)
        }
        guard let account = try accountsByID().first(where: { $0.id == accountID }) else {
            throw StoreError.unknownAccount(id: accountID)
        }
        return AccountScopedReader(database: self, user: user, account: account)
    }
}
