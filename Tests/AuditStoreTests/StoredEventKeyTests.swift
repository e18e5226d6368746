import AuditCore
import Foundation
import GRDB
import PropertyBased
import Testing
@testable import AuditStore

/// `events.event_key` is stored without the row's own event id and kind (schema v11) and read
/// back exactly.
@Suite("Stored event keys")
struct StoredEventKeyTests {
    /// Text made of the characters the format treats specially, and others.
    static let pieces: [String] = ["|", "\\", "a", "Ab", "delivered", "failed", "ev1", "x@example.net", "19817", "é", "👩‍👩‍👧", "", " "]
    static let texts = Gen.element(of: pieces).array(of: 0...8).map { $0.compactMap { $0 }.joined() }

    @Test func everyKeyRoundTripsWhateverTheRowHolds() async {
        await propertyCheck(count: 2_000, input: Self.texts, Self.texts, Self.texts) { key, id, kind in
            let stored = StoredEventKey.stored(key, providerEventID: id, kind: kind)
            #expect(Array(StoredEventKey.key(stored: stored, providerEventID: id, kind: kind).utf8) == Array(key.utf8))
        }
        // The key built from the row's own id and kind, with any rest.
        await propertyCheck(count: 2_000, input: Self.texts, Self.texts, Self.texts) { id, kind, rest in
            let key = id + "|" + kind + "|" + rest
            let stored = StoredEventKey.stored(key, providerEventID: id, kind: kind)
            #expect(stored == "|" + rest)
            #expect(StoredEventKey.key(stored: stored, providerEventID: id, kind: kind) == key)
        }
    }

    @Test func aProviderKeyIsStoredWithoutItsIDAndKind() {
        let at = Date(timeIntervalSince1970: 1_712_236_769.669285)
        let key = ProviderEvent.makeKey(providerEventID: "_t8rqm23tn-Q_r02-kHYvS", kind: "delivered", recipient: "PWilliams@virginmedia.com",
                                        occurredAt: at)
        #expect(StoredEventKey.stored(key, providerEventID: "_t8rqm23tn-Q_r02-kHYvS", kind: "delivered") == "|pwilliams@virginmedia.com|19817")
        // Another row's id or kind: the whole key is kept.
        #expect(StoredEventKey.stored(key, providerEventID: "other", kind: "delivered") == key)
        #expect(StoredEventKey.stored(key, providerEventID: "_t8rqm23tn-Q_r02-kHYvS", kind: "opened") == key)
        #expect(StoredEventKey.stored("|odd", providerEventID: "x", kind: "y") == "\\|odd")
    }

    /// What the ingest stored reads back as the events' own keys, and the retention archive
    /// writes the whole key.
    @Test func ingestedEventsReadBackTheirKeys() throws {
        let f = try Fixture()
        let t0 = utcDate(2026, 6, 10, 9)
        let id = try f.store.record([f.newEmail(by: f.alice, to: "tenant@example.net", at: t0)])[0]
        let messageID = try f.handOver(id, at: t0.addingTimeInterval(60))
        let events = [EmailStatus.accepted, .delivered, .opened].enumerated().map { index, status in
            Events.incoming(Events.giving(status, recipient: "tenant@example.net", at: t0.addingTimeInterval(Double(120 + index * 60)))!,
                            messageID: messageID, recipient: "tenant@example.net", auditID: id)
        }
        #expect(try f.store.apply(events, defaultAccountID: nil).inserted == 3)
        #expect(try f.store.detail(emailID: id)?.events.map(\.key) == events.map(\.event.key))
        let stored = try f.store.read { try String.fetchAll($0, sql: "SELECT event_key FROM events ORDER BY id") }
        #expect(stored.allSatisfy { $0.hasPrefix("|tenant@example.net|") }, "\(stored)")
    }
}
