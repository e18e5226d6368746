import AuditStore
import Foundation

/// The store's size per email and per event, and where the bytes are (`dbstat`).
enum StoreSizeReport {
    /// The lines the benchmark prints for `store`.
    static func lines(_ store: AuditDatabase) throws -> [String] {
        let size = try store.storageSize()
        let emails = max(1, try store.emailCount())
        let events = max(1, try store.eventCount())
        let used = size.fileBytes - size.freeBytes
        var out = [
            String(format: "store size: %.1f MB (page_count × page_size; %.1f MB of it free pages) = %.0f bytes per email, %.0f bytes per event (%d emails, %d events; target ≤ 1,536 bytes per email)",
                   Double(size.fileBytes) / 1e6, Double(size.freeBytes) / 1e6, Double(used) / Double(emails),
                   Double(used) / Double(events), emails, events),
        ]
        if size.byObject.isEmpty {
            out.append("  (per table and index: this SQLite has no dbstat virtual table, so only the file's total is shown)")
        }
        for object in size.byObject.prefix(12) {
            out.append("  " + object.name.padding(toLength: 34, withPad: " ", startingAt: 0)
                       + String(format: " %9.1f MB  %6.0f bytes per email  %6.0f per event", Double(object.bytes) / 1e6, Double(object.bytes) / Double(emails), Double(object.bytes) / Double(events)))
        }
        return out
    }
}
