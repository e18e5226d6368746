import AuditCore
import Export
import Foundation

/// Times the export writers on generated rows, each format in a fresh child process so its
/// peak RSS is its own: `email-audit-bench --exports [--export-rows N] [--xlsxwriter]`.
///
/// The rows come through the same ``ExportRowSource`` paging as a store export (pages of
/// 1,000, status details looked up per page), generated on the fly, so the figures are the
/// export path's own and do not include SQLite.
struct ExportBench {
    let rows: Int
    let folder: String
    let compareWithXlsxWriter: Bool

    func run() throws {
        print("Export benchmark: \(Count.text(rows)) rows per format (PDF: 50,000), generated, Europe/London")
        var results: [String: (seconds: Double, megabytes: Double, bytes: Int64)] = [:]
        for format in ["xlsx", "csv", "pdf"] {
            let count = format == "pdf" ? min(rows, 50_000) : rows
            let out = (folder as NSString).appendingPathComponent("bench-export.\(format)")
            try? FileManager.default.removeItem(atPath: out)
            let child = Process()
            child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            child.arguments = ["--export-one", format, "--export-rows", String(count), "--export-out", out]
            let pipe = Pipe()
            child.standardOutput = pipe
            try child.run()
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            child.waitUntilExit()
            let fields = String(decoding: data, as: UTF8.self).split(separator: " ").compactMap { Double($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
            guard child.terminationStatus == 0, fields.count >= 3 else {
                print("\(format): failed (\(String(decoding: data, as: UTF8.self)))")
                continue
            }
            results[format] = (fields[0], fields[1], Int64(fields[2]))
            let target: String
            switch format {
            case "xlsx": target = "target ≤ 10 s, ≤ 100 MB"
            case "csv": target = "target ≤ 4 s"
            default: target = "target ≤ 10 s"
            }
            print(String(format: "%@: %@ rows in %.2f s = %@ rows/s, peak RSS %.1f MB, file %.1f MB (%@)",
                         format.uppercased(), Count.text(count), fields[0], Count.text(Int(Double(count) / max(fields[0], 0.001))),
                         fields[1], Double(fields[2]) / 1_048_576, target))
        }
        guard compareWithXlsxWriter, let ours = results["xlsx"] else { return }
        // XlsxWriter (constant_memory) on the same rows: read back from the CSV just written.
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("scripts/xlsxwriter_bench.py").path
        let python = Process()
        python.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        python.arguments = ["python3", script, (folder as NSString).appendingPathComponent("bench-export.csv"),
                            (folder as NSString).appendingPathComponent("bench-xlsxwriter.xlsx")]
        let pipe = Pipe()
        python.standardOutput = pipe
        try python.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        python.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        print(text.trimmingCharacters(in: .whitespacesAndNewlines))
        if let line = text.split(separator: "\n").first(where: { $0.hasPrefix("write seconds:") }),
           let seconds = Double(line.split(separator: " ").last ?? "") {
            print(String(format: "XLSX ours / XlsxWriter (constant_memory), writing only: %.2f s / %.2f s = %.3f", ours.seconds, seconds, ours.seconds / seconds))
        }
    }

    /// One format in this process; prints "seconds peakMB bytes".
    static func runOne(format: String, rows: Int, out: String) throws {
        guard let exportFormat = ExportFormat(rawValue: format) else { throw BenchError("unknown format \(format)") }
        let zone = TimeZone(identifier: "Europe/London")!
        let heading = ExportHeading(accountName: "Harbour Lets", filterWords: "All emails · All dates",
                                    producedBy: "bench", producedAt: Date(), timeZone: zone)
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let spacing = 94_608_000.0 / Double(max(rows, 1))  // three years
        let source = ExportRowSource(summaries: { cursor, limit in
            let first = cursor.map { Int(1_000_000_000 - $0.id) + 1 } ?? 0
            guard first < rows else { return [] }
            return (first..<min(rows, first + limit)).map { index in
                SyntheticRows.summary(index, createdAt: start.addingTimeInterval(-Double(index) * spacing))
            }
        }, details: { ids in
            var found: [Int64: StatusDetail] = [:]
            for id in ids {
                let index = Int(1_000_000_000 - id)
                if let detail = SyntheticRows.detail(index) { found[id] = detail }
            }
            return found
        }, links: { _ in [:] })  // the synthetic rows have no resends
        let began = Date()
        let outcome = try SummaryExport.run(format: exportFormat, destination: ExportDestination(path: out, replaceExisting: true),
                                            heading: heading, expectedRows: rows, source: source)
        let seconds = Date().timeIntervalSince(began)
        let size = (try? FileManager.default.attributesOfItem(atPath: out)[.size] as? NSNumber)?.int64Value ?? 0
        precondition(outcome.rows == rows)
        print(String(format: "%.3f %.1f %lld", seconds, Memory.peakResidentMegabytes(), size))
    }
}

/// Deterministic rows that look like the demo agency's: varied addresses and subjects,
/// names with accents, every status, provider details on failures.
enum SyntheticRows {
    static let names = ["Zoë Clarke", "Łukasz Nowak", "Siobhán O'Connor", "Tomasz Wiśniewski", "Chloé Martin",
                        "Eleanor Price", "Grace Thompson", "James Whitfield", "Priya Sharma", "Marcus Reid"]
    static let domains = ["gmail.com", "outlook.com", "yahoo.co.uk", "btinternet.com", "mcgregor-lettings.co.uk", "nhs.net"]
    static func subject(_ kind: Int, _ a: Int, _ b: Int) -> String {
        switch kind {
        case 0: "Service charge demand \(a) for Flat \(b), Foundry Yard"
        case 1: "Payment received: £\(a).00 for Flat \(b)"
        case 2: "Ticket #\(a) updated: Damp patch in Flat \(b)"
        case 3: "Your statement of account for Flat \(b) (\(a))"
        case 4: "Reminder: £\(a) overdue on Flat \(b)"
        default: "Section 20 notice: major works consultation \(a)/\(b)"
        }
    }
    static let statuses: [EmailStatus] = [.delivered, .delivered, .opened, .opened, .clicked, .delivered, .failed,
                                          .temporaryFailure, .accepted, .complained, .unsubscribed, .rejected, .pending]
    static let activities = Activity.allCases

    static func summary(_ index: Int, createdAt: Date) -> EmailSummary {
        let name = names[index % names.count]
        let subject = Self.subject(index % 6, index % 99_991, index % 317)
        return EmailSummary(id: Int64(1_000_000_000 - index), createdAt: createdAt,
                            to: "person\(index % 60_000)@\(domains[index % domains.count])", subject: subject,
                            raisedByName: name, status: statuses[index % statuses.count],
                            activity: activities[index % activities.count])
    }

    static func detail(_ index: Int) -> StatusDetail? {
        switch statuses[index % statuses.count] {
        case .failed: StatusDetail(status: .failed, reason: "bounce", code: 550, enhancedCode: "5.1.1", message: "5.1.1 The email account that you tried to reach does not exist")
        case .temporaryFailure: StatusDetail(status: .temporaryFailure, code: 452, enhancedCode: "4.2.2", message: "4.2.2 Mailbox full")
        case .rejected: StatusDetail(status: .rejected, rejectReason: "'to' parameter is not a valid address")
        default: nil
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ text: String) { description = text }
}
