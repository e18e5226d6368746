import Foundation

/// Free disk and file sizes, so a large build (`--emails 10000000`) is checked against the disk
/// before it starts rather than failing hours in.
enum DiskSpace {
    /// Disk a build takes per email at its peak, when the ingest ends: the simulator's events
    /// file (about 2.3 lines per email) and the store beside it. The 1,000,000-email build
    /// of 03/12/2026 took 4,670 (1,023 bytes per event line × 2.3, and a 2,183-byte store; its
    /// "disk:" line in docs/benchmark.txt): so 10,000,000 emails need about 47 GB, checked as 60.
    static let estimatedBytesPerEmail = 6_000.0

    /// Free bytes on the file system holding `folder`, or nil when it cannot be read.
    static func freeBytes(at folder: String) -> Int64? {
        let attributes = try? FileManager.default.attributesOfFileSystem(forPath: folder.isEmpty ? "." : folder)
        return (attributes?[.systemFreeSize] as? NSNumber)?.int64Value
    }

    /// A file's size in bytes (0 when it does not exist).
    static func fileBytes(_ path: String) -> Int64 {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.int64Value ?? 0
    }
}
