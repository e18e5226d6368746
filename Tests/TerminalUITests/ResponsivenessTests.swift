import AuditCore
import Foundation
import Testing
@testable import TerminalUI

/// Scrolling stays cheap by construction: a key reads the store only when the selection nears
/// a page not yet in the window, never once per key, and the window stays a few pages long
/// (the viewport and three pages).
/// (How fast a step is comes from the benchmark on a 1M-email store, `email-audit-bench`'s
/// "Scroll step" row, not from a timed test.)
@Suite struct ResponsivenessTests {
    @Test func scrollingReadsAPageOnlyWhenItCrossesOne() {
        let reader = FakeAuditReader()
        // 600 emails in all: 540 more, one an hour before the standard 60.
        for index in 0..<540 {
            let id = Int64(1_000 + index)
            reader.add(id: id, created: FakeAuditReader.now.addingTimeInterval(-Double(40 + index) * 86_400 / 24),
                       status: EmailStatus.allCases[index % 10], to: "r\(index)@example.net", subject: "Statement \(index)",
                       person: FakeAuditReader.staffList[index % FakeAuditReader.staffList.count])
        }
        let pageSize = 10
        let windowPages = 3
        let session = Fixture.session(reader, width: 120, height: 40, filter: EmailFilter(dateRange: .all),
                                      pageSize: pageSize, windowPages: windowPages)
        let opening = reader.summaryCalls.count
        #expect(opening >= 1, "the first page is read on opening")
        // Down 200 rows, up 150, down 50: every step a key and a frame.
        var crossings = 0
        var previous = 0
        for step in 0..<400 {
            session.send(step < 200 || step >= 350 ? .down : .up)
            _ = session.render()
            let position = session.state.list.selectedPosition ?? 0
            if position / pageSize != previous / pageSize { crossings += 1 }
            previous = position
            #expect(session.state.list.rows.count <= session.state.windowLimit, "the window stays a few pages long")
        }
        #expect(previous == 100, "the selection is on row 100 after 250 down and 150 up")
        let reads = reader.summaryCalls.count - opening
        #expect(reads >= 15, "\(reads) page reads: scrolling 400 rows through a 30-row window needs pages")
        #expect(reads <= crossings + 2, "\(reads) page reads for \(crossings) page crossings in 400 keys")
        #expect(reader.summaryCalls.allSatisfy { $0.limit <= pageSize }, "a page at a time")
    }
}
