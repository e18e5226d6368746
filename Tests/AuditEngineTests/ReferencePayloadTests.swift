import AuditCore
import AuditStore
import Foundation
import Testing
@testable import AuditEngine

@Suite("Every example payload of the Mailgun reference")
struct ReferencePayloadTests {
    /// Each example alone, and the status it describes.
    static let expectations: [(line: Int, status: EmailStatus?)] = [
        (0, .accepted), (1, .rejected), (2, .delivered), (3, .temporaryFailure), (4, .failed),
        (5, .failed), (6, .failed), (7, .opened), (8, .complained), (9, nil),  // stored (inbound) is not an outgoing email
    ]

    @Test func eachExampleYieldsTheStatusItDescribes() throws {
        let lines = try TestStore.fixtureLines("reference-examples.jsonl")
        #expect(lines.count == 10)
        for (index, expected) in Self.expectations {
            let harness = try TestStore()
            let report = try EventIngestor(store: harness.store).ingest(lines: [lines[index]])
            #expect(report.problems.isEmpty, "line \(index): \(report.problems)")
            let page = try harness.store.summaries(matching: EmailFilter(dateRange: .all), from: nil, direction: .older, limit: 10, now: Date())
            if let expected {
                #expect(page.count == 1, "line \(index)")
                #expect(page.first?.status == expected, "line \(index)")
                #expect(page.first?.raisedByName == StaffUser.externalName)
            } else {
                #expect(page.isEmpty)
                #expect(report.ignored == 1)
            }
        }
    }

    @Test func theWholeReferenceTellsOneStoryPerMessage() throws {
        let harness = try TestStore()
        let lines = try TestStore.fixtureLines("reference-examples.jsonl")
        let report = try EventIngestor(store: harness.store).ingest(lines: lines)
        #expect(report.problems.isEmpty)
        let rows = try harness.store.summaries(matching: EmailFilter(dateRange: .all), from: nil, direction: .older, limit: 50, now: Date())
        let byRecipient = Dictionary(grouping: rows, by: \.to)
        // accepted → delivered → opened for the same message and recipient: one email, Opened.
        #expect(byRecipient["alice@example.net"]?.map(\.status) == [.opened])
        #expect(byRecipient["carol@gmail.com"]?.map(\.status) == [.temporaryFailure])
        #expect(byRecipient["dave@nomx.example"]?.map(\.status) == [.failed])
        #expect(byRecipient["no.such.user@gmail.com"]?.count == 2)  // two messages
        #expect(byRecipient["bob@example.org"]?.map(\.status) == [.rejected])
        #expect(byRecipient["erin@example.com"]?.map(\.status) == [.complained])

        let alice = try #require(byRecipient["alice@example.net"]?.first)
        let detail = try #require(try harness.store.detail(emailID: alice.id))
        #expect(detail.events.map(\.kind) == [.accepted, .delivered, .opened])
        #expect(detail.email.subject == "Invoice 1042")

        let old = try #require(byRecipient["dave@nomx.example"]?.first)
        let oldDetail = try #require(try harness.store.detail(emailID: old.id))
        #expect(oldDetail.email.statusDetail?.code == 602)
        #expect(oldDetail.email.statusDetail?.reason == "old")

        // Suppression list: the hard bounce and the complaint, not the soft failure or the expiry.
        let accountID = try #require(try harness.store.accountsByID().first?.id)
        let suppressed = Set(try harness.store.suppressions(accountID: accountID).map(\.address))
        #expect(suppressed == ["no.such.user@gmail.com", "erin@example.com"])
    }

    @Test func aWebhookBodyIngestsLikeAnEvent() throws {
        let harness = try TestStore()
        let lines = try TestStore.fixtureLines("reference-examples.jsonl")
        let body = #"{"signature": {"timestamp": "1741947310", "token": "3f9c1e0b7a5d4c2e8f6a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d", "signature": "0bc43bd965377db8ff3d5e39b6519a3d9b85e190f12c780afacd435c74a67fe4"}, "event-data": "# + lines[2] + "}"
        let report = try EventIngestor(store: harness.store).ingest(lines: [body])
        #expect(report.problems.isEmpty)
        #expect(report.inserted == 1)
        let page = try harness.store.summaries(matching: EmailFilter(dateRange: .all), from: nil, direction: .older, limit: 5, now: Date())
        #expect(page.map(\.status) == [.delivered])
    }
}
