import ArgumentParser
import AuditCore
import AuditEngine
import AuditStore
import Demo
import Foundation

/// Who is signed in, and (for support) which account: the options every command that reads
/// emails takes.
struct SignInOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Sign in as this user: a login or a name, see `email-audit users` (default $EMAIL_AUDIT_USER, else your login name; the demo store signs in \(DemoAgency.defaultUserName)).", valueName: "name"))
    var user: String?

    @Option(help: ArgumentHelp("Support users: the account to work in (default the first).", valueName: "name"))
    var account: String?

    /// Signs in on `database` and returns the reader for the user's account.
    func reader(for database: AuditDatabase) throws -> AccountScopedReader {
        try SignIn.reader(database: database, user: user, account: account, environment: ProcessInfo.processInfo.environment)
    }

    /// Signs in on either backend and returns the reader for the user's account.
    func reader(for store: ReadableStore) throws -> any ChangingReader {
        try SignIn.reader(store: store, user: user, account: account, environment: ProcessInfo.processInfo.environment)
    }
}

/// Works out who is signed in: `--user`, else `EMAIL_AUDIT_USER`, else the login name matched
/// to a user, else (demo store only) ``DemoAgency/defaultUserName``.
enum SignIn {
    /// The one line for a name that matches no user.
    static func unknownUser(_ name: String) -> CLIError {
        CLIError("unknown user '\(name)'; `email-audit users` lists the names to sign in with")
    }

    static func user(database: AuditDatabase, user: String?, environment: [String: String]) throws -> AppUser {
        try self.user(store: .sqlite(database), user: user, environment: environment)
    }

    static func user(store: ReadableStore, user: String?, environment: [String: String]) throws -> AppUser {
        let users = try store.users()
        guard !users.isEmpty else {
            throw CLIError("the store has no users yet: nobody can sign in (`email-audit seed` creates agencies with their staff)")
        }
        func matching(_ text: String) throws -> AppUser? {
            let found = users.filter { $0.isNamed(text) }
            if found.count > 1, let exact = found.first(where: { $0.login.caseInsensitiveCompare(text) == .orderedSame }) {
                return exact
            }
            guard found.count <= 1 else {
                throw CLIError("'\(text)' names \(found.count) users; sign in with a login (\(found.map(\.login).joined(separator: ", ")))")
            }
            return found.first
        }
        if let explicit = user ?? environment["EMAIL_AUDIT_USER"].flatMap({ $0.isEmpty ? nil : $0 }) {
            guard let found = try matching(explicit) else { throw unknownUser(explicit) }
            return found
        }
        let login = environment["USER"] ?? environment["LOGNAME"] ?? ""
        if !login.isEmpty, let found = try matching(login) { return found }
        if try store.isDemoStore(), let found = try matching(DemoAgency.defaultUserName) {
            return found
        }
        throw unknownUser(login.isEmpty ? "(no login name)" : login)
    }

    /// The reader for the signed-in user: their account, or for support `account` (a name,
    /// a unique start of one, or an id), else the first account.
    static func reader(database: AuditDatabase, user name: String?, account: String?,
                       environment: [String: String]) throws -> AccountScopedReader {
        let (user, chosen) = try choose(store: .sqlite(database), user: name, account: account, environment: environment)
        do {
            return try database.reader(for: user, accountID: chosen.id)
        } catch {
            throw CLIError("\(error)")
        }
    }

    /// The reader on either backend, as ``reader(database:user:account:environment:)``.
    static func reader(store: ReadableStore, user name: String?, account: String?,
                       environment: [String: String]) throws -> any ChangingReader {
        let (user, chosen) = try choose(store: store, user: name, account: account, environment: environment)
        do {
            return try store.reader(for: user, accountID: chosen.id)
        } catch {
            throw CLIError("\(error)")
        }
    }

    /// The signed-in user and the account they work in.
    private static func choose(store: ReadableStore, user name: String?, account: String?,
                               environment: [String: String]) throws -> (AppUser, Account) {
        let user = try self.user(store: store, user: name, environment: environment)
        let accounts = try store.accounts(for: user)
        let chosen: Account
        if let account {
            guard user.isSupport else {
                throw CLIError("--account is for support users; \(user.name) works in their own account only")
            }
            let matches = accounts.filter {
                $0.name.compare(account, options: [.caseInsensitive, .diacriticInsensitive]) == .orderedSame || "\($0.id)" == account
            }
            let starts = accounts.filter { $0.name.lowercased().hasPrefix(account.lowercased()) }
            guard let found = matches.first ?? (starts.count == 1 ? starts[0] : nil) else {
                throw CLIError("no account '\(account)'; use one of: \(accounts.map(\.name).joined(separator: ", "))")
            }
            chosen = found
        } else {
            guard let first = accounts.first else { throw CLIError("the store has no accounts yet; run `email-audit seed` first") }
            chosen = first
        }
        return (user, chosen)
    }
}
