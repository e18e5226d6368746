import ArgumentParser
import AuditCore
import AuditStore
import Export
import Foundation

/// `email-audit users`: who may sign in, with their role and account.
struct UsersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "List the users who may sign in (--user NAME or $EMAIL_AUDIT_USER): login, name, role and account.")

    @OptionGroup var store: StoreOptions

    @Option(help: "table or json.")
    var format = "table"

    func run() throws {
        let json: Bool
        switch format.lowercased() {
        case "table": json = false
        case "json": json = true
        default: throw CLIError("unknown format '\(format)'; use table or json")
        }
        let opened = try store.openForReading()
        defer { opened.close() }
        let users = try opened.users()
        let names = try opened.accountNames()
        func accountName(_ user: AppUser) -> String {
            user.accountID.flatMap { names[$0] } ?? "Support team (any account)"
        }
        if json {
            let objects: [[String: Any]] = users.map { user in
                var object: [String: Any] = ["id": user.id, "login": user.login, "name": user.name, "role": user.role.rawValue,
                                             "account": accountName(user)]
                if let accountID = user.accountID { object["accountId"] = accountID }
                return object
            }
            let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            Console.print(DisplayText(lines: JSONSummaryWriter.escapingControls(String(decoding: data, as: UTF8.self))))
            return
        }
        let loginWidth = max(5, users.map(\.login.count).max() ?? 0)
        let nameWidth = max(4, users.map(\.name.count).max() ?? 0)
        func pad(_ text: String, _ width: Int) -> String { text + String(repeating: " ", count: max(0, width - text.count)) }
        Console.print("\(pad("Login", loginWidth))  \(pad("Name", nameWidth))  Role     Account")
        for user in users {
            Console.print("\(pad(user.login, loginWidth))  \(pad(user.name, nameWidth))  \(pad(user.role.rawValue, 7))  \(accountName(user))")
        }
    }
}
