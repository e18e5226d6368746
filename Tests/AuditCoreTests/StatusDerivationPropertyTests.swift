import Foundation
import PropertyBased
import Testing
@testable import AuditCore

/// Properties of ``StatusDerivation`` over generated event sets. A failure is shrunk to a small
/// event set and reported with the seed that reproduces it (`.fixedSeed(...)` on the test).
@Suite("Status derivation properties")
struct StatusDerivationPropertyTests {
    static let reasons = ["generic", "bounce", "old", "suppress-bounce", "greylisted"]

    /// Plausible-or-not event sets of up to nine events, with deliberate ties in time (whole
    /// minutes 0 to 5). Shrinking removes events and moves each towards the first kind, minute and code.
    static func events() -> Generator<[ProviderEvent], some Sequence & SendableMetatype> {
        zip(Gen<EventKind>.case, Gen.int(in: 0...5), Gen.int(in: 0...9), Gen.int(in: 250...560))
            .array(of: 0...9)
            .map { specs in
                specs.enumerated().map { index, spec in
                    let (kind, minute, variant, code) = spec
                    return Fixture.event(kind, at: TimeInterval(minute * 60),
                                         severity: kind == .failed ? (variant < 5 ? .temporary : .permanent) : nil,
                                         reason: kind == .failed ? reasons[variant % reasons.count] : nil,
                                         code: code, attempt: code % 4 + 1, id: "ev\(index)")
                }
            }
    }

    @Test func orderAndDuplicatesDoNotMatter() async {
        // Up to nine events and four duplicates (each the event at its index modulo the count); every copy takes
        // the next of 13 generated sort keys, and sorting by them shuffles (and shrinks towards the original order).
        await propertyCheck(count: 3_000, input: Self.events(), Gen.int(in: 0...1_000).array(of: 13),
                            Gen.int(in: 0...12).array(of: 0...4)) { events, sortKeys, duplicates in
            var copies = events
            if !events.isEmpty { copies += duplicates.map { events[$0 % events.count] } }
            let shuffled = zip(copies, sortKeys).sorted { $0.1 < $1.1 }.map(\.0)
            #expect(StatusDerivation.derive(shuffled) == StatusDerivation.derive(events),
                    "events \(events.map(\.key)) shuffled to \(shuffled.map(\.key))")
        }
    }

    @Test func statusIsTheHighestRankedIndicatedStatus() async {
        await propertyCheck(count: 1_000, input: Self.events()) { events in
            let expected = events.compactMap(\.indicatedStatus)
                .max { StatusDerivation.rank(of: $0) < StatusDerivation.rank(of: $1) } ?? .pending
            #expect(StatusDerivation.derive(events).status == expected)
        }
    }
}
