import ArgumentParser
import AuditCore
import AuditEngine
import Foundation

struct IngestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Store Mailgun events from a JSON-lines file (an event object or a webhook body per line).",
        discussion: "Idempotent: ingesting the same file twice changes nothing. Malformed lines are reported with their line number and field; the rest are stored.")

    @OptionGroup var store: StoreOptions

    @Argument(help: ArgumentHelp("The file, or - for standard input.", valueName: "file"))
    var file: String

    @Option(help: ArgumentHelp("Lines per store transaction (default 16,000 on SQLite, 4,000 on PostgreSQL).", visibility: .hidden))
    var batchSize: Int?

    @Option(help: ArgumentHelp("Lines decoded and handed to the store at a time (SQLite takes several in one transaction).", visibility: .hidden))
    var chunkSize = EventIngestor.defaultChunkSize

    func run() throws {
        if file != "-", !FileManager.default.fileExists(atPath: file) {
            throw CLIError("no such file: \(file)")
        }
        // On PostgreSQL two connections store batches at once (each batch locks its emails'
        // rows); SQLite has one writer.
        let postgres = try store.openPostgresStores(count: 2)
        defer { postgres?.forEach { $0.connection.close() } }
        let target: any EventIngestStore & PortfolioStore = try postgres?[0] ?? store.openStore()
        let ingestor = EventIngestor(store: target, defaultAccountID: try target.accounts().map(\.id).min(), batchSize: batchSize,
                                     chunkSize: chunkSize, additionalWriters: Array((postgres ?? []).dropFirst()))
        let report: IngestReport
        do {
            report = try ingestor.ingest(fileAt: file)
        } catch let error as EngineError {
            throw CLIError(error.description)
        } catch {
            throw CLIError("\(error)")
        }
        for problem in report.problems.prefix(IngestReport.keptProblems) {
            Console.printError("\(file): \(problem)")
        }
        if report.malformed > report.problems.count {
            Console.printError("\(file): … and \(report.malformed - report.problems.count) more malformed lines")
        }
        Console.print("\(report)")
        if report.malformed > 0 { throw ExitCode(2) }
    }
}
