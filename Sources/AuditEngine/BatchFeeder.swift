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
    /// Daily digest emails recorded before the hand-over (see ``AuditDatabase/sendDigests(at:)``).
    public var digests = 0

    public init() {}
}

/// Hands Pending emails to the provider in batches.
///
/// Idempotent on the email id: an email is marked handed over (with the provider's message
/// id) right after the provider accepts it, and only unmarked emails are ever sent. When the
/// provider is down or erroring, the run stops and every unsent email stays Pending for the
/// next run — nothing is lost and nothing is sent twice.
public final class BatchFeeder: Sendable {
    public let store: AuditDatabase
    /// The provider each account's emails go to (see ``HandOverProviders``).
    public let providers: HandOverProviders
    public let ingestor: EventIngestor
    /// Emails per query; a run keeps going until no Pending email is left.
    public let batchSize: Int

    /// A feeder that hands every account's emails to `provider`.
    public convenience init(store: AuditDatabase, provider: any EmailProvider, ingestor: EventIngestor, batchSize: Int = 500) {
        self.init(store: store, providers: .every(provider), ingestor: ingestor, batchSize: batchSize)
    }

    /// A feeder that hands each account's emails to its own provider; accounts `providers`
    /// does not serve keep their emails Pending.
    public init(store: AuditDatabase, providers: HandOverProviders, ingestor: EventIngestor, batchSize: Int = 500) {
        self.store = store
        self.providers = providers
        self.ingestor = ingestor
        self.batchSize = max(1, batchSize)
    }

    /// Records the daily digests due at `now`, then hands every Pending email (the digests
    /// included) to the provider, oldest first, and records in the store whether the provider
    /// answered (the screen warns when it does not and emails wait too long).
    public func handOver(now: Date) throws -> HandOverReport {
        let digests = try store.sendDigests(at: now).count
        var report = try handOverPending(now: now)
        report.digests = digests
        try store.recordHandOverOutcome(answered: !report.deferred, at: now)
        return report
    }

    private func handOverPending(now: Date) throws -> HandOverReport {
        var report = HandOverReport()
        while true {
            let emails = try store.pendingHandOver(limit: batchSize, accounts: providers.servedAccounts)
            for email in emails {
                // Every fetched email's account is served (pendingHandOver was limited to them).
                guard let provider = providers.provider(forAccount: email.accountID) else { continue }
                do {
                    let response = try provider.send(Self.request(for: email), at: now)
                    if try store.markHandedOver(emailID: email.id, providerMessageID: MailgunSendResponse.bareMessageID(response.id), at: now) {
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
        guard try store.markHandedOver(emailID: email.id, providerMessageID: messageID, at: now) else { return }
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
