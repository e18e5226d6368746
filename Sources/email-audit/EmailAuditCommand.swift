import ArgumentParser
import AuditCore
import Foundation

/// `email-audit`: what happened to every email the system sent.
@main
struct EmailAuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "email-audit",
        abstract: "See what happened to every email the property-management system sent.",
        discussion: """
            With no subcommand, opens the Email Audit screen on the store.
            Store: --db PATH, else $EMAIL_AUDIT_DB, else $XDG_DATA_HOME/email-audit/audit.sqlite \
            (~/.local/share/email-audit/audit.sqlite). Time zone: --time-zone, else $EMAIL_AUDIT_TZ, \
            else Europe/London.
            """,
        subcommands: [OpenCommand.self, DemoCommand.self, SeedCommand.self, QueryCommand.self, ShowCommand.self,
                      IngestCommand.self, SimulateCommand.self, CheckCommand.self, SetTimeZoneCommand.self,
                      ExportCommand.self, UsersCommand.self, SuppressionsCommand.self, ServeCommand.self, RecordCommand.self,
                      SimulateProviderCommand.self, SyncCommand.self, NotificationsCommand.self, PrefsCommand.self,
                      ResendCommand.self, CompactCommand.self, MigrateCommand.self],
        defaultSubcommand: OpenCommand.self)

    /// Parses and runs the command. Every message, errors included, goes out through
    /// ``Console``, so an argument echoed in an error cannot carry control characters to
    /// the terminal. An error is the one line of its message (no usage block).
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                let text = fullMessage(for: error)  // --help and the like: the program's own text
                if !text.isEmpty { Console.print("\(lines: text)") }
            } else {
                let text = oneLine(message(for: error))
                if !text.isEmpty { Console.printError("Error: \(text)") }
            }
            Foundation.exit(code.rawValue)
        }
    }

    /// An error message as one line: ArgumentParser lists six or more choices as a bulleted
    /// block ("…one of the following:\n  - a\n  - b"), written here as "…following: a, b".
    static func oneLine(_ message: String) -> String {
        let lines = message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = lines.first, lines.count > 1 else { return message }
        let rest = lines.dropFirst().map { $0.hasPrefix("- ") ? String($0.dropFirst(2)) : $0 }
        return first + " " + rest.joined(separator: ", ")
    }
}
