import AuditCore
import AuditStore
import Foundation
import Mailgun

/// What one hand-over run did.
public struct HandOverReport: Sendable, Equatable {
    /// Emails the provider accepted for delivery in this run.
    public var handedOver = 0
    /// Requests the provider refused outright (recorded as Rejected through the ingest path).
    public var refused = 0
    /// True when the provider was unavailable: the remaining emails stay Pending for a later batch.
    public var deferred = false
    /// The provider's words when it was unavailable.
    public var providerProblem: String?
    /// Daily digest emails recorded before the hand-over (see ``DigestRecordingStore``).
    public var digests = 0

    public init() {}
}

/// Hands Pending emails to the provider in batches.
///
/// Idempotent on the email id: the feeder claims a batch from the queue
/// (``HandOverQueueStore/claimPending(limit:accounts:claimant:now:lease:)``), and marks each
/// email handed over (with the provider's message id) right after the provider accepts it;
/// only Pending emails are ever claimed. When the provider is down or erroring, the run stops,
/// gives its claims back, and every unsent email stays Pending for the next run — nothing is
/// lost and nothing is sent twice. Several feeders (several `serve` processes on one
/// PostgreSQL store) take different emails; what "exactly once" means when a feeder dies
/// mid-batch is said at ``HandOverQueueStore``.
public final class BatchFeeder: Sendable {
    /// The Pending emails' queue.
    public let queue: any HandOverQueueStore
    /// Where the daily digests due at each run are recorded; nil: no digests (a store whose
    /// notifications are not behind the contract yet, as PostgreSQL's).
    public let digests: (any DigestRecordingStore)?
    /// The provider each account's emails go to (see ``HandOverProviders``).
    public let providers: HandOverProviders
    public let ingestor: EventIngestor
    /// Emails per claim; a run keeps going until no Pending email is left.
    public let batchSize: Int
    /// How long a claim lasts (a dead feeder's emails come back after it). The feeder sends
    /// from a claim only during the first half of it, then claims afresh.
    public let lease: TimeInterval
    /// This feeder's name on its claims (unique per feeder).
    public let claimant: String

    /// A feeder that hands every account's emails to `provider`.
    public convenience init(store: AuditDatabase, provider: any EmailProvider, ingestor: EventIngestor, batchSize: Int = 500) {
        self.init(store: store, providers: .every(provider), ingestor: ingestor, batchSize: batchSize)
    }

    /// A feeder on a SQLite store that also records its daily digests; each account's emails
    /// go to its own provider, and accounts `providers` does not serve keep their emails Pending.
    public convenience init(store: AuditDatabase, providers: HandOverProviders, ingestor: EventIngestor, batchSize: Int = 500) {
        self.init(queue: store, digests: store, providers: providers, ingestor: ingestor, batchSize: batchSize)
    }

    /// A feeder on any store's queue; `digests`, when given, records the daily digests due
    /// before each run's hand-over.
    public init(queue: any HandOverQueueStore, digests: (any DigestRecordingStore)?, providers: HandOverProviders,
                ingestor: EventIngestor, batchSize: Int = 500, lease: TimeInterval = 300) {
        self.queue = queue
        self.digests = digests
        self.providers = providers
        self.ingestor = ingestor
        self.batchSize = max(1, batchSize)
        self.lease = max(1, lease)
        claimant = "feeder-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.lowercased())"
    }

    /// Records the daily digests due at `now`, then hands every Pending email (the digests
    /// included) to the provider, oldest first, and records in the store whether the provider
    /// answered (the screen warns when it does not and emails wait too long).
    public func handOver(now: Date) throws -> HandOverReport {
        let digests = try self.digests?.recordDueDigests(at: now) ?? 0
        var report = try handOverPending(now: now)
        report.digests = digests
        try queue.recordHandOverOutcome(answered: !report.deferred, at: now)
        return report
    }

    private func handOverPending(now: Date) throws -> HandOverReport {
        var report = HandOverReport()
        let runStarted = DispatchTime.now().uptimeNanoseconds
        func elapsed(since start: UInt64) -> TimeInterval { Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
        // Whatever this run claimed and did not mark goes back to the queue when it ends. A run
        // whose claims all came back empty holds none (a claim that failed may have taken some),
        // and the look is one round trip fewer per run on PostgreSQL.
        var mayHoldClaims = false
        defer { if mayHoldClaims { try? queue.releaseClaims(of: claimant) } }
        while true {
            // Claims are timed on `now` plus the run's time so far, so a long run's leases end
            // when they should also on a clock that stands still (the tests' and the demo's).
            let emails: [Email]
            do {
                emails = try queue.claimPending(limit: batchSize, accounts: providers.servedAccounts, claimant: claimant,
                                                now: now + elapsed(since: runStarted), lease: lease)
            } catch {
                mayHoldClaims = true
                throw error
            }
            if !emails.isEmpty { mayHoldClaims = true }
            let claimed = DispatchTime.now().uptimeNanoseconds
            var stale = false
            for email in emails {
                // A claim older than half its lease is not used: claim again (the rest come back first).
                if elapsed(since: claimed) > lease / 2 {
                    stale = true
                    break
                }
                // Every claimed email's account is served (the claim was limited to them).
                guard let provider = providers.provider(forAccount: email.accountID) else { continue }
                do {
                    let response = try provider.send(Self.request(for: email), at: now)
                    if try queue.markHandedOver(emailID: email.id, inAccount: email.accountID,
                                                providerMessageID: MailgunSendResponse.bareMessageID(response.id), at: now) {
                        report.handedOver += 1
                    }
                } catch let error as MailgunSendError {
                    switch error {
                    case .requestRejected(let status, let message):
                        try recordRefusal(of: email, status: status, message: message, sendingDomain: provider.sendingDomain, now: now)
                        report.refused += 1
                    default:
                        report.deferred = true
                        report.providerProblem = "\(error)"
                        return report
                    }
                }
            }
            if stale {
                try queue.releaseClaims(of: claimant)
                continue
            }
            if emails.count < batchSize { return report }
        }
    }

    /// The provider request for an email. The audit id travels as a custom variable so
    /// events can be matched back to the email even before its message id is stored.
    package static func request(for email: Email) -> MailgunSendRequest {
        MailgunSendRequest(
            from: email.from, to: [email.to], cc: email.cc, subject: email.subject, text: email.textBody,
            attachments: email.attachmentNames.map { MailgunAttachment(filename: $0, size: 0) },
            tags: [email.activity.rawValue], variables: ["audit-id": String(email.id)])
    }

    /// A request the provider refused (HTTP 4xx) produces no provider event, so the feeder
    /// writes a Mailgun-shaped `rejected` event with the provider's words and sends it down
    /// the same ingest path as every other event.
    private func recordRefusal(of email: Email, status: Int, message: String, sendingDomain: String, now: Date) throws {
        let messageID = "refused.\(email.id).\(Int(now.timeIntervalSince1970))@\(sendingDomain)"
        guard try queue.markHandedOver(emailID: email.id, inAccount: email.accountID, providerMessageID: messageID, at: now) else { return }
        let event = MailgunEvent(
            event: "rejected", id: "refused-\(email.id)", timestamp: now.timeIntervalSince1970, logLevel: "warn",
            message: MailgunEvent.Message(headers: MailgunEvent.Headers(to: email.to, from: email.from, subject: email.subject,
                                                                        messageID: messageID)),
            reject: MailgunEvent.Reject(reason: message, description: "HTTP \(status) from the provider's sending API"),
            tags: [email.activity.rawValue], userVariables: ["audit-id": String(email.id)])
        // Written by the Mailgun module's encoder (AuditCore's JSONWriter), like every other event line.
        _ = try ingestor.ingest(lines: [MailgunEventEncoder.jsonLine(event)])
    }
}
