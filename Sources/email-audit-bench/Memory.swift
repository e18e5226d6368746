import Foundation
import Synchronization

/// Reads this process's memory use from /proc.
enum Memory {
    /// Peak resident set size (VmHWM) in MB: since the process started, or since the last
    /// ``startPhase()``.
    static func peakResidentMegabytes() -> Double { field("VmHWM:") }

    /// The process's peak resident set size in MB over its whole life, across ``startPhase()``
    /// resets of the kernel's figure.
    static func processPeakMegabytes() -> Double {
        earlierPhasesPeak.withLock { max($0, peakResidentMegabytes()) }
    }

    /// The current phase's peak in MB, kept for ``processPeakMegabytes()``. Read it before
    /// freeing memory: the kernel's figure is the larger of a recorded high-water mark and the
    /// current size, and a peak that was the current size is not always recorded.
    @discardableResult
    static func recordPeak() -> Double {
        let peak = peakResidentMegabytes()
        earlierPhasesPeak.withLock { $0 = max($0, peak) }
        return peak
    }

    /// Starts a new phase of the benchmark: the kernel's peak (VmHWM) is reset to the current
    /// resident size (`5` written to /proc/self/clear_refs, Linux 4.0 and later), so that
    /// ``peakResidentMegabytes()`` is the new phase's own; ``processPeakMegabytes()`` keeps the
    /// largest. Returns false where the kernel refuses (the peak then stays the process's).
    @discardableResult
    static func startPhase() -> Bool {
        recordPeak()
        guard let file = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? file.close() }
        do { try file.write(contentsOf: Data("5".utf8)) } catch { return false }
        return true
    }

    /// The largest peak of the phases before the current one.
    private static let earlierPhasesPeak = Mutex<Double>(0)

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
