import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An advisory lock (`flock`) on the folder holding a store, held while a process inspects,
/// creates or migrates the store: exclusive for a writer, shared for a reader. Two processes
/// creating the same new store at once therefore run one after the other (the second finds
/// the finished store), and a reader never sees a store half created.
///
/// The lock is on the folder, not on the database file: closing any descriptor of the
/// database file would drop SQLite's own POSIX locks on it.
final class CreationLock {
    private var descriptor: Int32

    /// Waits up to `timeout` seconds for the lock on the folder of `path`.
    init(path: String, exclusive: Bool, timeout: TimeInterval = 30) throws {
        let folder = (path as NSString).deletingLastPathComponent
        descriptor = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        // A folder this user cannot open cannot be locked; SQLite will report what is wrong.
        guard descriptor >= 0 else { return }
        let deadline = Date().addingTimeInterval(timeout)
        while flock(descriptor, (exclusive ? LOCK_EX : LOCK_SH) | LOCK_NB) != 0 {
            let code = errno
            guard code == EWOULDBLOCK || code == EINTR else { return }  // no locking on this file system
            if Date() > deadline {
                release()
                throw StoreError.database(path: path, underlying: "another email-audit process is still creating this store")
            }
            usleep(10_000)
        }
    }

    /// Releases the lock (idempotent).
    func release() {
        guard descriptor >= 0 else { return }
        _ = flock(descriptor, LOCK_UN)
        close(descriptor)
        descriptor = -1
    }

    deinit {
        release()
    }
}
