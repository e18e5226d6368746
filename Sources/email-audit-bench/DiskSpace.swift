import Foundation

/// Free disk and file sizes, so a large build (`--emails 10000000`) is checked against the disk
/// before it starts rather than failing hours in.
enum DiskSpace {
    /// Disk a build takes per email at its peak, when the ingest ends: the simulator's events
    /// file (about 2.2 lines per email) and the store beside it. The 5,000,000-email build of
    /// 04/12/2026 took 4,438 (11.26 GB of events file and a 10.93 GB store; its "disk:" line in
    /// docs/benchmark.txt; 4,670 at 1,000,000): so 10,000,000 emails need about 44 GB, checked as 50.
    static let estimatedBytesPerEmail = 5_000.0

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
