import AuditCore
import Foundation
import Testing
@testable import TerminalUI

/// The Pending-over-10-minutes rule as a warning on the status line while the provider is down.
@Suite struct HandOverWarningTests {
    static let down = HandOverHealth(lastSuccess: FakeAuditReader.now - 3600, lastFailure: FakeAuditReader.now - 5,
                                     pending: 14, pendingOverLimit: 12, oldestPending: FakeAuditReader.now - 1800)

    func statusLine(_ session: HeadlessSession) -> String {
        let lines = session.render().text.split(separator: "\n", omittingEmptySubsequences: false)
        return String(lines[session.state.size.height - 2])
    }

    @Test func theWarningShowsWhileTheProviderIsDownAndGoesWhenItRecovers() {
        let reader = FakeAuditReader()
        let session = Fixture.session(reader)
        #expect(session.effectLog.contains(.checkHandOver(accountID: 1)))  // read on start, for the account
        #expect(!session.render().text.contains("Provider down"))

        reader.setHandOverHealth(Self.down)
        for _ in 0..<AppState.handOverCheckTicks { session.tick() }
        #expect(session.state.handOverHealth == Self.down)
        #expect(session.render().text.contains("Provider down: 12 Pending over 10 min"))

        var recovered = Self.down
        recovered.lastSuccess = FakeAuditReader.now
        recovered.pendingOverLimit = 0
        reader.setHandOverHealth(recovered)
        for _ in 0..<AppState.handOverCheckTicks { session.tick() }
        #expect(!session.render().text.contains("Provider down"))
    }

    @Test func theHealthIsReadEveryTenTicksAndNotWhileAReadIsInFlight() {
        let options = Fixture.options()
        var state = AppState(options: options, size: TerminalSize(width: 80, height: 24))
        var effects: [Effect]
        (state, effects) = update(state, .started)
        #expect(effects.contains(.checkHandOver(accountID: 1)))
        for _ in 0..<(AppState.handOverCheckTicks * 2) {
            (state, effects) = update(state, .tick)
            #expect(!effects.contains(.checkHandOver(accountID: 1)))  // the first read has not answered
        }
        (state, _) = update(state, .handOverHealthLoaded(Self.down))
        var reads = 0
        for _ in 0..<(AppState.handOverCheckTicks * 3) {
            (state, effects) = update(state, .tick)
            if effects.contains(.checkHandOver(accountID: 1)) {
                reads += 1
                (state, _) = update(state, .handOverHealthLoaded(Self.down))
            }
        }
        #expect(reads == 3)
        (state, _) = update(state, .effectFailed(.checkHandOver(accountID: 1), "disk I/O error"))
        #expect(!state.checkingHandOver)
    }

    /// An idle screen draws nothing between ticks: the checks' bookkeeping (ticks counted, a
    /// read in flight, the same answer again) leaves the frame as it was, and a new answer does not.
    @Test func ticksAndUnchangedAnswersDoNotRedraw() {
        let options = Fixture.options()
        var state = AppState(options: options, size: TerminalSize(width: 80, height: 24))
        (state, _) = update(state, .started)
        (state, _) = update(state, .handOverHealthLoaded(HandOverHealth()))
        (state, _) = update(state, .changeTokenLoaded(7))
        let drawn = state
        for _ in 0..<(AppState.handOverCheckTicks * 2) {
            var effects: [Effect]
            (state, effects) = update(state, .tick)
            if effects.contains(.checkHandOver(accountID: 1)) { (state, _) = update(state, .handOverHealthLoaded(HandOverHealth())) }
            if effects.contains(.checkChangeToken) { (state, _) = update(state, .changeTokenLoaded(7)) }
            #expect(state.drawsLike(drawn))
        }
        (state, _) = update(state, .handOverHealthLoaded(Self.down))
        #expect(!state.drawsLike(drawn))
    }

    @Test func theRuleNeedsBothAnOutageAndALateEmail() {
        #expect(HandOverHealth().warning == nil)
        #expect(HandOverHealth(lastFailure: FakeAuditReader.now, pendingOverLimit: 0).warning == nil)  // down, nothing late
        #expect(HandOverHealth(lastSuccess: FakeAuditReader.now, lastFailure: FakeAuditReader.now - 60,
                               pendingOverLimit: 3).warning == nil)  // up again: the next batch takes them
        #expect(HandOverHealth(lastFailure: FakeAuditReader.now, pendingOverLimit: 1).warning == "Provider down: 1 Pending over 10 min")
        #expect(HandOverHealth(lastFailure: FakeAuditReader.now, pendingOverLimit: 1_234).warning == "Provider down: 1,234 Pending over 10 min")
    }

    @Test func theWarningFitsAt80ColumnsAndInASCII() {
        let line = StatusLine(counts: nil, position: nil, loading: false, notice: nil, warning: Self.down.warning)
        var buffer = Buffer(width: 80, height: 1)
        line.render(into: &buffer, area: Rect(x: 0, y: 0, width: 80, height: 1))
        #expect(buffer.text.contains("Provider down: 12 Pending over 10 min"))
        #expect(Self.down.warning?.unicodeScalars.allSatisfy(\.isASCII) == true)
    }
}
