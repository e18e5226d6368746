import AuditCore
import Foundation
import Mailgun
import ProviderSimulator
import Testing

@Suite("Suppression lifetime (a support desk that clears entries)")
struct SuppressionLifetimeTests {
    let days: Double = 24

    @Test func anEntryLapsesAfterItsLifetimeAndComesBackOnTheNextBounce() throws {
        let simulator = MailgunSimulator(seed: 5, suppressionLifetime: 30 * 86_400)
        let address = "bounce.kim@example.com"
        let first = try sendAndCollect(simulator, request(to: [address]), hours: 1)
        #expect(first.events.last?.reason == "bounce")
        // Within the 30 days the address stays suppressed, and sends fail as suppressed.
        let within = try sendAndCollect(simulator, request(to: [address], auditID: "E-2"), at: sendTime.adding(hours: 29 * days), hours: 1)
        #expect(within.events.last?.reason == "suppress-bounce")
        #expect(simulator.isSuppressed(address) == .bounce)
        // After them the entry has lapsed: the next send is tried, bounces, and lists it again.
        _ = simulator.events(through: sendTime.adding(hours: 30 * days + 1))
        #expect(simulator.isSuppressed(address) == nil)
        let after = try sendAndCollect(simulator, request(to: [address], auditID: "E-3"), at: sendTime.adding(hours: 31 * days), hours: 1)
        #expect(after.events.last?.reason == "bounce")
        #expect(simulator.isSuppressed(address) == .bounce)
        let again = try sendAndCollect(simulator, request(to: [address], auditID: "E-4"), at: sendTime.adding(hours: 32 * days), hours: 1)
        #expect(again.events.last?.reason == "suppress-bounce")
    }

    @Test func withoutALifetimeEntriesStayAsOnMailgun() throws {
        let simulator = MailgunSimulator(seed: 5)
        let address = "bounce.kim@example.com"
        _ = try sendAndCollect(simulator, request(to: [address]), hours: 1)
        let years = try sendAndCollect(simulator, request(to: [address], auditID: "E-2"), at: sendTime.adding(hours: 3 * 365 * days), hours: 1)
        #expect(years.events.last?.reason == "suppress-bounce")
        #expect(simulator.isSuppressed(address) == .bounce)
    }

    @Test func aSavedStateKeepsTheLifetimeOfTheSimulatorItIsRestoredInto() throws {
        let simulator = MailgunSimulator(seed: 5, suppressionLifetime: 86_400)
        _ = try sendAndCollect(simulator, request(to: ["bounce.kim@example.com"]), hours: 1)
        let restored = MailgunSimulator(seed: 5, suppressionLifetime: 86_400)
        restored.restore(simulator.state())
        #expect(restored.isSuppressed("bounce.kim@example.com") == .bounce)
        _ = restored.events(through: sendTime.adding(hours: 25))
        #expect(restored.isSuppressed("bounce.kim@example.com") == nil)
    }
}
