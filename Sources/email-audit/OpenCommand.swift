import ArgumentParser
import AuditCore
import AuditEngine
import AuditStore
import Demo
import Foundation
import TerminalUI

struct OpenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "open",
        abstract: "Open the Email Audit screen (the default).")

    @OptionGroup var store: StoreOptions
    @OptionGroup var screen: ScreenOptions

    func run() throws {
        let opened = try store.openForReading(creatingMissing: true)
        defer { opened.close() }
        // A damaged SQLite store is reported before the screen starts, not shown as garbage.
        if case .sqlite(let database) = opened { try StoreHealth.requireIntact(database) }
        try screen.run(store: opened)
    }
}

/// Options of the full-screen app.
struct ScreenOptions: ParsableArguments {
    @OptionGroup var signIn: SignInOptions

    @Flag(name: .customLong("no-mouse"), help: "Leave the mouse to the terminal (for copying text).")
    var noMouse = false

    @Flag(name: .customLong("no-color"), help: "Monochrome (also when NO_COLOR is set).")
    var noColor = false

    @Flag(help: "ASCII only: names transliterated, lines from the terminal's line-drawing set (also EMAIL_AUDIT_ASCII=1; automatic when the locale is not UTF-8).")
    var ascii = false

    @Flag(help: "Open on the Workbench (your notifications and the Email Notification widget; w from any screen).")
    var workbench = false

    @Option(name: .customLong("export-dir"), help: ArgumentHelp("The folder x (Excel) and p (PDF) suggest for exports (default: the current folder).", valueName: "path"))
    var exportDirectory: String?

    @Option(help: ArgumentHelp("Pretend it is this time (dd/mm/yyyy HH:mm); for reproducible screenshots.", visibility: .hidden))
    var now: String?

    /// Runs the screen; `beforeSignalExit` runs when a termination signal ends the process
    /// (after the terminal is restored), where the caller's `defer` blocks would not.
    /// `providers` are the live providers (the demo's simulators) told of suppression removals.
    func run(database: AuditDatabase, providers: DemoProviders? = nil, beforeSignalExit: () -> Void = {}) throws {
        try run(store: .sqlite(database), providers: providers, beforeSignalExit: beforeSignalExit)
    }

    /// Runs the screen on either backend. On PostgreSQL it reads through `PostgresAuditReader`,
    /// changes through ``PostgresChangeActions`` (resends, suppression requests and removals), and
    /// the Workbench's notifications and preferences work through the same connection; anything
    /// the PostgreSQL store cannot do yet is turned off, and its keys say so.
    func run(store: ReadableStore, providers: DemoProviders? = nil, beforeSignalExit: () -> Void = {}) throws {
        let environment = ProcessInfo.processInfo.environment
        let reader: any ReportingReader
        switch store {
        case .sqlite(let database):
            // A new store (no account yet) opens on its empty screen; otherwise someone signs in.
            reader = try !database.hasAccounts() ? try database.emptyStoreReader() : try signIn.reader(for: store)
        case .postgres:
            reader = try signIn.reader(for: store)
        }
        let account = reader.account
        var options = TerminalOptions()
        options.accountID = account.id
        options.accountName = account.name
        options.userName = reader.user.name
        options.isSupport = reader.user.isSupport
        options.timeZone = reader.timeZone
        options.initialFilter = EmailFilter(accountID: account.id)
        options.colorEnabled = !noColor && (environment["NO_COLOR"] ?? "").isEmpty
        options.mouseEnabled = !noMouse
        options.charset = ascii || TerminalLocale.asciiRequested(environment: environment) ? .ascii : .unicode
        options.exporter = StoreExporter(reader: reader, environment: environment)
        options.opensWorkbench = workbench
        if case .sqlite(let database) = store, reader.account.id != 0 {
            let path = database.path, zone = database.timeZone
            let openForWriting = { database.access == .readWrite ? database : try AuditDatabase(path: path, timeZone: zone, access: .readWrite) }
            let actions = StoreSuppressionActions(user: reader.user, providers: providers, openForWriting: openForWriting)
            options.suppressionActions = actions
            options.resendActions = actions
            options.notifications = StoreNotificationSource(user: reader.user, database: database, openForWriting: openForWriting)
        }
        if case .postgres(let postgres) = store {
            options.notifications = StoreNotificationSource(user: reader.user, store: postgres)
            let actions = PostgresChangeActions(store: postgres, user: reader.user, providers: providers)
            options.suppressionActions = actions
            options.resendActions = actions
        }
        if let exportDirectory {
            var isDirectory: ObjCBool = false
            let expanded = (exportDirectory as NSString).expandingTildeInPath
            guard FileManager.default.fileExists(atPath: expanded, isDirectory: &isDirectory), isDirectory.boolValue else {
                throw CLIError("--export-dir \(exportDirectory) is not a folder")
            }
            options.exportDirectory = (expanded as NSString).standardizingPath
        }
        if let now {
            let pinned = try parseNow(now, zone: store.timeZone)
            options.now = { pinned }
        }
        try runEmailAuditTerminal(reader: reader, options: options, beforeSignalExit: beforeSignalExit)
    }
}
