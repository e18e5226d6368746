import Foundation

/// Reads this process's memory use from /proc.
enum Memory {
    /// Peak resident set size (VmHWM) in MB.
    static func peakResidentMegabytes() -> Double { field("VmHWM:") }
    /// Current resident set size (VmRSS) in MB.
    static func residentMegabytes() -> Double { field("VmRSS:") }

    /// Gives the free memory of every malloc arena back to the system (glibc's `malloc_trim`):
    /// what one phase of the benchmark freed (the build's batches, the simulator thread's
    /// arena) is otherwise kept and counted in the next phase's resident size.
    static func trim() {
        // Not in Swift's Glibc module: looked up once (nil handle = RTLD_DEFAULT).
        guard let trim = mallocTrim else { return }
        _ = trim(0)
    }

    private typealias MallocTrim = @convention(c) (Int) -> Int32
    private static let mallocTrim: MallocTrim? = dlsym(nil, "malloc_trim").map { unsafeBitCast($0, to: MallocTrim.self) }

    private static func field(_ name: String) -> Double {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix(name) {
            let kilobytes = line.split(separator: " ").compactMap { Double($0) }.first ?? 0
            return kilobytes / 1024
        }
        return 0
    }
}

/// How long this process has been running, from /proc (clock ticks since boot).
enum ProcessAge {
    static func seconds() -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/self/stat", encoding: .utf8),
              let uptime = try? String(contentsOfFile: "/proc/uptime", encoding: .utf8),
              let close = stat.lastIndex(of: ")") else { return nil }
        // Fields after the command name; starttime is field 22 overall, the 20th after ")".
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 19, let ticks = Double(fields[19]),
              let up = Double(uptime.split(separator: " ").first ?? "") else { return nil }
        let hertz = Double(sysconf(Int32(_SC_CLK_TCK)))
        return up - ticks / hertz
    }
}
