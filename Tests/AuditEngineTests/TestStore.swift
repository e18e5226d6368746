import AuditCore
import AuditStore
import Foundation

/// A store in a fresh temporary folder, removed when the value is released.
final class TestStore {
    let folder: URL
    let store: AuditDatabase

    init(timeZone: TimeZone = TimeZone(identifier: "Europe/London")!) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("email-audit-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try AuditDatabase(path: folder.appendingPathComponent("audit.sqlite").path, timeZone: timeZone)
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func fixtureLines(_ name: String) throws -> [String] {
        try String(contentsOf: fixtures.appendingPathComponent(name), encoding: .utf8)
            .split(separator: "\n").map(String.init)
    }
}
