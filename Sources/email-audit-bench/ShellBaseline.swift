import AuditCore
import AuditStore
import Foundation

/// The app's first-page queries side by side with the `sqlite3` command-line shell running the
/// same statements (with the same values written in) on the same file: how much the app adds to
/// SQLite's own time (planning, binding, records, GRDB). Target: the app ≤ 2× the shell.
struct ShellBaseline {
    let store: AuditDatabase
    let path: String
    let now: Date
    /// Runs of each filter, in the app and in the shell.
    let runs: Int
    static let shell = "/usr/bin/sqlite3"

    func run(_ filters: [(name: String, filter: EmailFilter)]) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.shell) else {
            print("Shell baseline skipped: \(Self.shell) is not installed (apt-get install sqlite3).")
            return
        }
        let version = try Self.output(["-version"]).split(separator: " ").first.map(String.init) ?? "?"
        print("""
            First page (50 rows) in the app and in the sqlite3 shell \(version) on the same statements, one fixed filter \
            each, mean of \(runs) runs (app: summaries(), i.e. planning + the statements + records; shell: the same \
            statements with their values written in, rows printed to /dev/null, its process start and schema read subtracted; \
            best of 3 shell processes each, full run minus empty run):
            """)
        for (name, filter) in filters {
            let statements = try store.firstPageStatements(matching: filter, limit: 50, now: now)
            var app = Stopwatch()
            for _ in 0..<runs {
                _ = try app.time { try store.summaries(matching: filter, from: nil, direction: .older, limit: 50, now: now) }
            }
            let appMean = app.samples.reduce(0, +) / Double(max(1, app.samples.count))
            let shellMean = try shellMilliseconds(statements)
            let ratio = appMean / max(shellMean, 0.000_1)
            print(String(format: "  %-38@ app %7.3f ms (p50 %7.3f)   shell %7.3f ms   app/shell %5.2f×  %@  (%d statement%@)",
                         name as NSString, appMean, app.percentile(50), shellMean, ratio,
                         (ratio <= 2 ? "ok (target ≤ 2×)" : "OVER target ≤ 2×") as NSString,
                         statements.count, (statements.count == 1 ? "" : "s") as NSString))
        }
        if let example = try store.firstPageStatements(matching: filters.first!.filter, limit: 50, now: now).first {
            print("  e.g. \(filters.first!.name): \(example)")
        }
    }

    /// The shell's mean time per run of `statements`, in milliseconds.
    func shellMilliseconds(_ statements: [String]) throws -> Double {
        let script = FileManager.default.temporaryDirectory
            .appendingPathComponent("email-audit-bench-shell-\(ProcessInfo.processInfo.processIdentifier).sql").path
        defer { try? FileManager.default.removeItem(atPath: script) }
        let once = statements.map { $0.hasSuffix(";") ? $0 : $0 + ";" }.joined(separator: "\n") + "\n"
        try String(repeating: once, count: runs).write(toFile: script, atomically: true, encoding: .utf8)
        var full = Double.infinity, empty = Double.infinity
        for _ in 0..<3 {
            full = min(full, try Self.wallSeconds([path, ".output /dev/null", "SELECT count(*) FROM meta;", ".read \(script)"]))
            empty = min(empty, try Self.wallSeconds([path, ".output /dev/null", "SELECT count(*) FROM meta;"]))
        }
        return max(0, full - empty) * 1000 / Double(runs)
    }

    /// Wall time of one shell process, spawned and reaped directly (Foundation's
    /// `Process.waitUntilExit()` polls every 50 ms on Linux, coarser than what is measured).
    static func wallSeconds(_ arguments: [String]) throws -> Double {
        let argv = ([shell, "-readonly", "-batch"] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        var pid: pid_t = 0
        let start = DispatchTime.now().uptimeNanoseconds
        guard posix_spawn(&pid, shell, &actions, nil, argv, environ) == 0 else {
            throw ShellError(arguments: arguments, status: -1)
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if status != 0 { throw ShellError(arguments: arguments, status: status) }
        return seconds
    }

    static func output(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: shell)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    struct ShellError: Error, CustomStringConvertible {
        let arguments: [String]
        let status: Int32
        var description: String { "sqlite3 \(arguments.joined(separator: " ")) exited with \(status)" }
    }
}
