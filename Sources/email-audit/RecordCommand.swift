import ArgumentParser
import AuditCore
import Foundation
import Server

/// `email-audit record`: the intake's JSON, one email per line on standard input.
struct RecordCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Record emails as Pending from JSON lines on standard input (the body of POST /v1/emails, with \"account\").",
        discussion: """
            Idempotent by host_id: a line whose host_id is already recorded in its account prints the existing email id. \
            Prints one JSON result per recorded line; a bad line is reported on standard error with its line number and \
            field and is not recorded, the others are, and the exit code is 2.
            """)

    @OptionGroup var store: StoreOptions

    @Option(help: ArgumentHelp("Lines per store transaction.", visibility: .hidden))
    var batchSize = 1_000

    func run() throws {
        let postgres = try store.openPostgresStores()?[0]
        defer { postgres?.connection.close() }
        let target: any HostRecordingStore = try postgres ?? store.openStore()
        let recorder = IntakeRecorder(store: target)
        var failures = 0
        var lineNumber = 0
        var batch: [(line: Int, request: IntakeRequest)] = []

        func flush() {
            guard !batch.isEmpty else { return }
            let results = recorder.record(batch: batch.map(\.request))
            for (entry, result) in zip(batch, results) {
                switch result {
                case .success(let recording):
                    Console.print("{\"line\": \(entry.line), \"email_id\": \(recording.emailID), \"created\": \(recording.created)}")
                case .failure(let error):
                    failures += 1
                    Console.printError("line \(entry.line): \(error.field): \(error.message)")
                }
            }
            batch.removeAll(keepingCapacity: true)
        }

        while let line = readLine(strippingNewline: true) {
            lineNumber += 1
            if line.allSatisfy(\.isWhitespace) { continue }
            do {
                batch.append((lineNumber, try IntakeRequest.parse(Data(line.utf8))))
            } catch {
                failures += 1
                Console.printError("line \(lineNumber): \(error.field): \(error.message)")
            }
            if batch.count >= max(1, batchSize) { flush() }
        }
        flush()
        if failures > 0 { throw ExitCode(2) }
    }
}
