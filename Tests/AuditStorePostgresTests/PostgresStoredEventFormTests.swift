import AuditCore
import Foundation
import PostgresNIO
import Testing
@testable import AuditStorePostgres

/// The ingest derives an email's status from its stored events read before the batch plus the
/// batch's new events as they will read back (``PostgresAuditStore/storedForm(of:)``): that form
/// must be what reading them back gives, field for field.
@Suite("PostgreSQL stored event form", .enabled(if: TestServer.isConfigured,
                                                "needs a server: set EMAIL_AUDIT_TEST_POSTGRES_URL (scripts/pg_throwaway.sh start prints one; make unit does it)"))
struct PostgresStoredEventFormTests {
    @Test func newEventsInTheFormTheyReadBackIn() throws {
        try TestServer.withFreshDatabase { location in
            let db = try TestServer.connect(location)
            defer { db.close() }
            _ = try PostgresSchema.migrate(db, timeZone: TimeZone(identifier: "Europe/London")!)
            let account = try db.rows("INSERT INTO accounts (name) VALUES ('Harbour Lets') RETURNING id").first!.decode(Int64.self)
            let store = try PostgresAuditStore(connection: db)
            let start = 1_796_000_000.123_456_789
            func at(_ seconds: Double) -> Date { Date(timeIntervalSince1970: start + seconds) }
            let events = [
                ProviderEvent(key: "k-accepted", providerEventID: "p1", kind: .accepted, occurredAt: at(0)),
                ProviderEvent(key: "k-delivered", providerEventID: "p2", kind: .delivered, occurredAt: at(1.000_000_4),
                              delivery: DeliveryStatus(code: 250, message: "OK", mxHost: "mx.example.net", attemptNumber: 1)),
                ProviderEvent(key: "k-temporary", providerEventID: "p3", kind: .failed, occurredAt: at(2.5),
                              severity: .temporary, reason: "generic", delivery: DeliveryStatus(), isDelayedBounce: true),
                ProviderEvent(key: "k-failed", providerEventID: "p4", kind: .failed, occurredAt: at(3.999_999_9),
                              severity: .permanent, reason: "bounce",
                              delivery: DeliveryStatus(code: 5_000_000_000, enhancedCode: "5.1.1", description: "no such user",
                                                       retrySeconds: -9_000_000_000)),
                ProviderEvent(key: "k-clicked", providerEventID: "p5", kind: .clicked, occurredAt: at(4), url: "https://example.net/ä"),
                ProviderEvent(key: "k-rejected", providerEventID: "p6", kind: .rejected, occurredAt: at(5), rejectReason: "suppressed"),
            ]
            let batch = events.map {
                IncomingEvent(messageID: "form-1@mg.example.net", recipient: "tenant@example.net", event: $0, rawJSON: "{}")
            }
            let result = try store.apply(batch, defaultAccountID: account)
            #expect(result.inserted == events.count)
            let read = try store.rows(PostgresQuery(unsafeSQL: "SELECT \(PostgresAuditStore.eventColumns) FROM events v ORDER BY v.id"),
                                      PostgresAuditStore.providerEvent(from:))
            #expect(read == events.map(PostgresAuditStore.storedForm(of:)))
            // The form is not the event itself: times to the microsecond, numbers as 32 bits, no empty delivery.
            #expect(read != events)
        }
    }
}
