import Foundation
import Testing
import TerminalUI

/// docs/keys.md is generated from the key table; this fails when it drifts.
@Suite struct KeyDocTests {
    @Test func keysDocumentMatchesTheKeyTable() throws {
        let file = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("docs/keys.md")
        let expected = KeyTable.markdown()
        let record = ProcessInfo.processInfo.environment["RECORD_SNAPSHOTS"].map { !$0.isEmpty && $0 != "0" } ?? false
        guard !record, let actual = try? String(contentsOf: file, encoding: .utf8) else {
            try expected.write(to: file, atomically: true, encoding: .utf8)
            Issue.record("Wrote docs/keys.md from the key table; check it and run again")
            return
        }
        #expect(actual == expected, "docs/keys.md is out of date: RECORD_SNAPSHOTS=1 regenerates it")
    }
}
