import Foundation
import Testing
@testable import AuditCore

/// Issue 9: conversions of outside numbers never trap; the plausible window for event times.
@Suite("Plausible times and safe conversions")
struct PlausibleTimeTests {
    @Test func clampingNeverTraps() {
        #expect(PlausibleTime.clampedInt64(1e300) == .max)
        #expect(PlausibleTime.clampedInt64(-1e300) == .min)
        #expect(PlausibleTime.clampedInt64(.infinity) == .max)
        #expect(PlausibleTime.clampedInt64(-.infinity) == .min)
        #expect(PlausibleTime.clampedInt64(.nan) == 0)
        #expect(PlausibleTime.clampedInt64(9_223_372_036_854_775_808.0) == .max)
        #expect(PlausibleTime.clampedInt64(-9_223_372_036_854_775_808.0) == .min)
        #expect(PlausibleTime.clampedInt64(1_795_089_600.4) == 1_795_089_600)
        #expect(PlausibleTime.clampedInt64(-2.5) == -3)
    }

    @Test func theWindowRunsFrom2000ToADayAfterNow() {
        let now = Date(timeIntervalSince1970: 1_795_176_000)
        #expect(PlausibleTime.contains(946_684_800, now: now))
        #expect(!PlausibleTime.contains(946_684_799.9, now: now))
        #expect(PlausibleTime.contains(1_795_262_400, now: now))
        #expect(!PlausibleTime.contains(1_795_262_400.5, now: now))
        #expect(!PlausibleTime.contains(1e12, now: now))
        #expect(!PlausibleTime.contains(.nan, now: now))
        let problem = PlausibleTime.problem(with: 1e300, now: now)
        #expect(problem?.contains("not a plausible time") == true)
        #expect(problem?.contains("\n") == false)
        #expect(PlausibleTime.problem(with: 1_795_000_000, now: now) == nil)
    }

    @Test func aKeyFromAHugeTimeDoesNotTrap() {
        let key = ProviderEvent.makeKey(providerEventID: "x", kind: "delivered", recipient: "A@B", occurredAt: Date(timeIntervalSince1970: 1e300))
        #expect(key.hasPrefix("x|delivered|a@b|"))
    }

    @Test func storedTextIsCutWithAMark() {
        #expect(StoredText.capped("short", limit: 10) == "short")
        #expect(StoredText.capped("ééééé", limit: 5) == "ééééé")
        #expect(StoredText.capped(String(repeating: "a", count: 12), limit: 10) == "aaaaaaaaaa… (cut: 2 characters)")
        #expect(StoredText.containsNUL("a\u{0}b"))
        #expect(!StoredText.containsNUL("ab"))
    }
}
