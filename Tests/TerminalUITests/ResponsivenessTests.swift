import AuditCore
import Foundation
import Testing
@testable import TerminalUI

/// A coarse guard against slow key handling or drawing (the real numbers come from the
/// benchmark on a 1M-email store; this runs a debug build on the small fake store).
@Suite struct ResponsivenessTests {
    @Test func scrollStepsAndFramesStayFast() {
        let session = Fixture.session(width: 120, height: 40, filter: EmailFilter(dateRange: .all), pageSize: 10, windowPages: 3)
        let clock = ContinuousClock()
        var worst = Duration.zero
        for step in 0..<200 {
            let started = clock.now
            session.send(step % 120 < 60 ? .down : .up)
            _ = session.render()
            worst = max(worst, clock.now - started)
        }
        // Generous for a debug build on a shared 2-core machine.
        #expect(worst < .milliseconds(250), "slowest key-to-frame: \(worst)")
    }
}
