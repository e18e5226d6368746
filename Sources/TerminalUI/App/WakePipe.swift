import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A self-pipe that wakes the input loop from its wait when a background effect posts an
/// answer, so the loop can sleep in `poll()` instead of waking every few milliseconds to look.
final class WakePipe: @unchecked Sendable {
    /// Readable when a wake-up is pending.
    let readDescriptor: Int32
    private let writeDescriptor: Int32

    /// Nil when the process has no descriptors left (the loop then wakes on its timeout).
    init?() {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return nil }
        readDescriptor = ends[0]
        writeDescriptor = ends[1]
        for descriptor in ends {
            _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) | O_NONBLOCK)
            _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC)
        }
    }

    deinit {
        close(readDescriptor)
        close(writeDescriptor)
    }

    /// Wakes the loop (safe from any thread; a full pipe already means "wake").
    func wake() {
        var byte: UInt8 = 1
        _ = Glibc.write(writeDescriptor, &byte, 1)
    }

    /// Empties the pipe after a wake-up.
    func drain() {
        var buffer = [UInt8](repeating: 0, count: 64)
        while buffer.withUnsafeMutableBytes({ Glibc.read(readDescriptor, $0.baseAddress!, $0.count) }) > 0 {}
    }
}
