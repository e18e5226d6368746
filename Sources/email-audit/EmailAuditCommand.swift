import ArgumentParser

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
                      IngestCommand.self, SimulateCommand.self, ExportCommand.self],
        defaultSubcommand: OpenCommand.self)
}
