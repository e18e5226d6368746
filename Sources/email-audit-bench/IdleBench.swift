import AuditCore
import AuditEngine
import AuditStore
import Demo
import Foundation
import TerminalUI
#if canImport(Glibc)
import Glibc
#endif

/// The CPU an idle screen uses: `email-audit-bench --idle-cpu [--idle-seconds 60]`.
///
/// Runs the real curses screen (this binary with `--idle-child`) on a pseudo-terminal over a
/// small seeded store, lets it settle, then reads its user + system CPU time from
/// /proc/PID/stat before and after `seconds` with no input at all.
struct IdleBench {
    let seconds: Int
    let folder: String

    func run() throws {
        let db = (folder as NSString).appendingPathComponent("email-audit-idle-bench.sqlite")
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        let zone = TimeZone(identifier: "Europe/London")!
        let store = try AuditDatabase(path: db, timeZone: zone)
        _ = try DemoSeeder.seed(store, options: SeedOptions(emails: 2_000, days: 30, seed: 7, now: Date())) { _ in }

        let pty = try PseudoTerminalCalls()
        let master = pty.open(O_RDWR | O_NOCTTY)
        guard master >= 0, pty.grant(master) == 0, pty.unlock(master) == 0, let name = pty.name(master) else {
            throw BenchError("no pseudo-terminal: \(String(cString: strerror(errno)))")
        }
        let slavePath = String(cString: name)
        let slave = open(slavePath, O_RDWR | O_NOCTTY)
        guard slave >= 0 else { throw BenchError("cannot open \(slavePath)") }
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        child.arguments = ["--idle-child", "--db", db]
        var environment = ProcessInfo.processInfo.environment
        // No window size on a fresh pty: curses takes these instead.
        environment["TERM"] = "xterm-256color"
        environment["LINES"] = "40"
        environment["COLUMNS"] = "120"
        child.environment = environment
        let terminal = FileHandle(fileDescriptor: slave, closeOnDealloc: false)
        child.standardInput = terminal
        child.standardOutput = terminal
        child.standardError = terminal
        try child.run()
        close(slave)
        // Drain what the screen draws, as a terminal would.
        let drained = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while buffer.withUnsafeMutableBytes({ read(master, $0.baseAddress!, $0.count) }) > 0 {}
            drained.signal()
        }
        Thread.sleep(forTimeInterval: 5)  // open the store, first frame, first answers
        guard child.isRunning, let before = Self.cpuSeconds(child.processIdentifier) else {
            throw BenchError("the screen did not start")
        }
        Thread.sleep(forTimeInterval: Double(seconds))
        guard let after = Self.cpuSeconds(child.processIdentifier) else { throw BenchError("the screen exited early") }
        _ = "q".withCString { write(master, $0, 1) }
        let deadline = Date().addingTimeInterval(5)
        while child.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        if child.isRunning { child.terminate() }
        child.waitUntilExit()
        close(master)
        _ = drained.wait(timeout: .now() + 2)
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: db + suffix) }
        print(String(format: "Idle screen (120×40, no input): %.2f s CPU over %d s (user + system, /proc) (target ≤ 0.1 s)",
                     after - before, seconds))
    }

    /// The screen itself, on this process's terminal (the pseudo-terminal `run` made).
    static func runChild(db: String) throws {
        let zone = TimeZone(identifier: "Europe/London")!
        let store = try AuditDatabase(path: db, timeZone: zone)
        let reader = try ScreenBench.reader(store)
        let account = reader.account
        let options = TerminalOptions(accountID: account.id, accountName: account.name, userName: reader.user.name,
                                      timeZone: zone, initialFilter: EmailFilter(accountID: account.id, dateRange: .all))
        try runEmailAuditTerminal(reader: reader, options: options)
    }

    /// User + system CPU seconds of a process, from /proc/PID/stat (fields 14 and 15).
    static func cpuSeconds(_ pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}

/// glibc's pseudo-terminal calls, which its Swift module leaves out (they need _XOPEN_SOURCE),
/// looked up by name.
private struct PseudoTerminalCalls {
    let open: @convention(c) (Int32) -> Int32
    let grant: @convention(c) (Int32) -> Int32
    let unlock: @convention(c) (Int32) -> Int32
    let name: @convention(c) (Int32) -> UnsafeMutablePointer<CChar>?

    init() throws {
        let process = dlopen(nil, RTLD_NOW)
        func symbol(_ name: String) throws -> UnsafeMutableRawPointer {
            guard let found = dlsym(process, name) else { throw BenchError("no \(name) in the C library") }
            return found
        }
        open = unsafeBitCast(try symbol("posix_openpt"), to: (@convention(c) (Int32) -> Int32).self)
        grant = unsafeBitCast(try symbol("grantpt"), to: (@convention(c) (Int32) -> Int32).self)
        unlock = unsafeBitCast(try symbol("unlockpt"), to: (@convention(c) (Int32) -> Int32).self)
        name = unsafeBitCast(try symbol("ptsname"), to: (@convention(c) (Int32) -> UnsafeMutablePointer<CChar>?).self)
    }
}
