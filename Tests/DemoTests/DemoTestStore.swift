import AuditStore
import Foundation

/// A store in a fresh temporary folder for the demo's tests, removed with the value.
final class TestStore {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("email-audit-demo-tests-\(UUID().uuidString)")
    let store: AuditDatabase

    init() throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try AuditDatabase(path: folder.appendingPathComponent("audit.sqlite").path,
                                  timeZone: TimeZone(identifier: "Europe/London")!)
    }

    deinit { try? FileManager.default.removeItem(at: folder) }
}
