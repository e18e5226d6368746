import Foundation
import Testing
@testable import AuditCore

@Suite("Status derivation rule table")
struct StatusDerivationTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let events: [ProviderEvent]
        let expected: EmailStatus
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "no events is Pending", events: [], expected: .pending),
        Case(name: "accepted only", events: [Fixture.accepted], expected: .accepted),
        Case(name: "delivered", events: [Fixture.accepted, Fixture.delivered], expected: .delivered),
        Case(name: "opened beats delivered", events: [Fixture.accepted, Fixture.delivered, Fixture.opened], expected: .opened),
        Case(name: "clicked beats opened", events: [Fixture.delivered, Fixture.opened, Fixture.clicked], expected: .clicked),
        Case(name: "temporary failure while retrying", events: [Fixture.accepted, Fixture.temp1, Fixture.temp2], expected: .temporaryFailure),
        Case(name: "soft then delivered", events: [Fixture.accepted, Fixture.temp1, Fixture.delivered], expected: .delivered),
        Case(name: "hard bounce", events: [Fixture.accepted, Fixture.bounce], expected: .failed),
        Case(name: "reason old ends retries even with temporary severity", events: [Fixture.accepted, Fixture.temp1, Fixture.oldTemporary], expected: .failed),
        Case(name: "late bounce after delivery wins", events: [Fixture.accepted, Fixture.delivered, Fixture.opened, Fixture.lateBounce], expected: .failed),
        Case(name: "unsubscribed outranks engagement", events: [Fixture.delivered, Fixture.opened, Fixture.clicked, Fixture.unsubscribed], expected: .unsubscribed),
        Case(name: "complained outranks unsubscribed", events: [Fixture.delivered, Fixture.unsubscribed, Fixture.complained], expected: .complained),
        Case(name: "rejected is an outcome", events: [Fixture.rejected], expected: .rejected),
        Case(name: "stored events do not count", events: [Fixture.event(.stored, at: 1)], expected: .pending),
    ]

    @Test(arguments: cases)
    func derivesExpectedStatus(_ testCase: Case) {
        #expect(StatusDerivation.derive(testCase.events).status == testCase.expected)
    }

    @Test func detailsComeFromTheDecidingEvent() {
        let derived = StatusDerivation.derive([Fixture.accepted, Fixture.temp1, Fixture.temp2])
        #expect(derived.detail?.attemptNumber == 2)
        #expect(derived.detail?.code == 452)
        #expect(derived.detail?.mxHost == "mx.example.net")
        #expect(derived.lastEventAt == Fixture.temp2.occurredAt)

        let bounced = StatusDerivation.derive([Fixture.bounce, Fixture.accepted])
        #expect(bounced.detail?.reason == "bounce")
        #expect(bounced.detail?.code == 550)
        #expect(bounced.detail?.summary.contains("does not exist") == true)
    }

    @Test func pendingHasNoDetail() {
        #expect(StatusDerivation.derive([]) == .pending)
    }
}
