import AuditCore
import Foundation
import Testing
@testable import TerminalUI

/// Builds sessions on the fake store with time pinned to 20/11/2026 14:30 Europe/London.
enum Fixture {
    static func options(filter: EmailFilter = EmailFilter(), pageSize: Int = 200, windowPages: Int = 5) -> TerminalOptions {
        TerminalOptions(accountID: 1, accountName: "Acme Lettings", userName: "Jo Bloggs",
                        timeZone: FakeAuditReader.timeZone, initialFilter: filter, colorEnabled: true,
                        mouseEnabled: true, pageSize: pageSize, windowPages: windowPages)
    }

    static func session(_ reader: FakeAuditReader = FakeAuditReader(), width: Int = 80, height: Int = 24,
                        filter: EmailFilter = EmailFilter(), pageSize: Int = 200, windowPages: Int = 5) -> HeadlessSession {
        HeadlessSession(reader: reader, options: options(filter: filter, pageSize: pageSize, windowPages: windowPages),
                        width: width, height: height, now: { FakeAuditReader.now })
    }

    /// Row of a status in the Status pick list ("All" is row 0).
    static func statusRow(_ status: EmailStatus) -> Int {
        FilterChoices.statusRows.firstIndex(of: status)!
    }
}

/// Compares a buffer with `Snapshots/<name>.txt` (text, then style runs).
///
/// A missing snapshot is recorded and the test fails; `RECORD_SNAPSHOTS=1` re-records.
func assertSnapshot(_ buffer: Buffer, named name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots")
    let file = directory.appendingPathComponent("\(name).txt")
    let actual = buffer.text + "\n--- styles ---\n" + buffer.styleRuns.joined(separator: "\n") + "\n"
    let record = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"].map { !$0.isEmpty && $0 != "0" } ?? false
    guard !record, let expected = try? String(contentsOf: file, encoding: .utf8) else {
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try? actual.write(to: file, atomically: true, encoding: .utf8)
        Issue.record("Recorded snapshot \(name).txt; check it and run again", sourceLocation: sourceLocation)
        return
    }
    if expected != actual {
        let e = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let a = actual.split(separator: "\n", omittingEmptySubsequences: false)
        let firstDiff = zip(e, a).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(e.count, a.count)
        let expectedLine = firstDiff < e.count ? String(e[firstDiff]) : "<end>"
        let actualLine = firstDiff < a.count ? String(a[firstDiff]) : "<end>"
        Issue.record("""
            Snapshot \(name).txt differs at line \(firstDiff + 1):
              expected: \(expectedLine)
              actual:   \(actualLine)
            (RECORD_SNAPSHOTS=1 re-records)
            """, sourceLocation: sourceLocation)
    }
}
