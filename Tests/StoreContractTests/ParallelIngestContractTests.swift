import AuditCore
import AuditEngine
import AuditStore
import AuditStorePostgres
import Foundation
import Testing

/// A file ingested by two writers at once on PostgreSQL (``EventIngestor/additionalWriters``,
/// as `email-audit ingest` does there) ends as the same file ingested by SQLite's one writer:
/// every event stored once, each email's status derived from all its events, counts exact.
@Suite("Store contract: two ingest writers at once")
struct ParallelIngestContractTests {
    let base = IngestContractTests()

    /// One Mailgun event line (the wire format the ingest reads).
    func line(_ kind: String, id: String, to: String, at seconds: Int, auditID: Int64, message: String) -> String {
        let outcome = kind == "failed"
            ? #","severity":"permanent","delivery-status":{"code":550,"message":"mailbox unavailable"}"# : ""
        return #"{"event":"\#(kind)","id":"\#(id)","timestamp":\#(seconds),"recipient":"\#(to)"\#(outcome),"#
            + #""message":{"headers":{"message-id":"\#(message)","to":"\#(to)","subject":"Rent receipt"}},"#
            + #""user-variables":{"audit-id":"\#(auditID)"}}"#
    }

    /// Forty emails' events in a shuffled order (each email's events spread over several
    /// batches of five), a tenth of the lines twice; the same file into a store.
    func ingestFile(into contract: ContractStore, writers: [any EventIngestStore]) throws -> [String: EmailStatus] {
        let store = contract.store
        let agency = try base.agency(store)
        var lines: [String] = []
        var ids: [String: Int64] = [:]
        let start = Int(utc(2026, 12, 1, 9).timeIntervalSince1970)
        for n in 0..<40 {
            let to = "tenant\(n)@example.net", message = "p\(n)@mg.harbourlets.co.uk"
            let id = try base.record(store, agency, to: to)
            ids[to] = id
            var kinds = ["accepted", "delivered"]
            if n % 3 == 0 { kinds.append("opened") }
            if n % 5 == 0 { kinds = ["accepted", "failed"] }
            for (k, kind) in kinds.enumerated() {
                lines.append(line(kind, id: "p\(n)-\(k)", to: to, at: start + n * 60 + k * 5, auditID: id, message: message))
            }
        }
        var generator = ReaderContractTests.Seeded(state: 42)
        lines.shuffle(using: &generator)
        lines += lines.enumerated().filter { $0.offset % 10 == 0 }.map(\.element)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("parallel-ingest-\(UUID().uuidString).jsonl")
        try lines.joined(separator: "\n").write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let report = try EventIngestor(store: store, defaultAccountID: agency.account.id, batchSize: 5, additionalWriters: writers)
            .ingest(fileAt: file.path)
        #expect(report.problems.isEmpty)
        #expect(report.inserted + report.duplicates == lines.count && report.duplicates >= lines.count / 11)
        var statuses: [String: EmailStatus] = [:]
        for (to, id) in ids {
            statuses[to] = try #require(try store.recordedEmail(id: id, inAccount: agency.account.id)).status
            let keys = try contract.events(emailID: id).map(\.key)
            #expect(Set(keys).count == keys.count, "an event of \(to) stored twice")
        }
        return statuses
    }

    @Test(.enabled(if: Backend.serverURL != nil, "needs a server: set EMAIL_AUDIT_TEST_POSTGRES_URL"))
    func twoWritersOnPostgreSQLMatchOneOnSQLite() throws {
        let one = try withStore(.sqlite) { try ingestFile(into: $0, writers: []) }
        let two = try withStore(.postgres) { contract in
            try contract.withSecondPostgresStore { second in
                let statuses = try ingestFile(into: contract, writers: [second])
                // Counts equal a recount of the rows.
                let account = try #require(try contract.store.accounts().first).id
                var recount: [Int: Int] = [:]
                for status in statuses.values { recount[status.code, default: 0] += 1 }
                #expect(try contract.statusCounts(accountID: account).allSatisfy { $0 == recount })
                return statuses
            }
        }
        #expect(one.count == 40)
        #expect(two == one)
        #expect(Set(one.values).count >= 3)
    }
}
