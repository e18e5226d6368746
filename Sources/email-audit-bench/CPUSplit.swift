import Foundation

/// The CPU time the server process and this process (the load client) used during one phase of
/// the server benchmark: on a 2-core machine they share the cores, so the split shows how much
/// of the machine the client took. Linux only (`/proc`); elsewhere the server's share reads 0.
struct CPUSplit {
    let server: Int32
    private let serverStart: Double
    private let clientStart: Double
    private let wallStart: UInt64

    /// Starts counting for the server process `server`.
    init(server: Int32) {
        self.server = server
        serverStart = Self.processSeconds(server)
        clientStart = Self.ownSeconds()
        wallStart = DispatchTime.now().uptimeNanoseconds
    }

    /// One line: each side's CPU seconds and the cores they kept busy on average.
    func finish() -> String {
        let wall = Double(DispatchTime.now().uptimeNanoseconds - wallStart) / 1e9
        let serverSeconds = Self.processSeconds(server) - serverStart
        let clientSeconds = Self.ownSeconds() - clientStart
        return String(format: "server %.2f s (%.2f cores), load client %.2f s (%.2f cores), over %.2f s", serverSeconds,
                      serverSeconds / max(wall, 1e-9), clientSeconds, clientSeconds / max(wall, 1e-9), wall)
    }

    /// User + system seconds of this process, every thread.
    static func ownSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// User + system seconds of process `pid` from `/proc/PID/stat` (fields 14 and 15, in clock ticks).
    static func processSeconds(_ pid: Int32) -> Double {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")") else { return 0 }
        // Fields after the command name (which may hold spaces) start at field 3.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
