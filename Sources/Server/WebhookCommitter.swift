import AuditEngine
import AuditStore
import Foundation
import Logging

/// What happened to one verified webhook in the store.
public enum WebhookCommitOutcome: Sendable, Equatable {
    /// Stored now, or already stored (a retry): answer 200.
    case stored
    /// Its token was first seen with another event: answer 406.
    case tokenMisused
    /// The ingest path could not read it: answer 400.
    case malformed(String)
    /// The store could not take it: answer 503 so Mailgun retries.
    case unavailable
}

/// Group commit for webhooks: requests that arrive while a commit is running wait together and
/// go into the store in the next one, so each 200 follows a durable commit without one commit
/// per request.
///
/// One thread does the store work (the store's writes are blocking calls, kept off the
/// server's event loops and the cooperative pool). A group is: bind the tokens to their events
/// (one transaction), then hand the accepted bodies to the one ingest path, ``EventIngestor``
/// (one transaction). Binding first is safe: a token bound to an event that a failed ingest did
/// not store is bound to the same event when Mailgun retries it.
public final class WebhookCommitter: @unchecked Sendable {
    private struct Pending {
        var webhook: VerifiedWebhook
        var continuation: CheckedContinuation<WebhookCommitOutcome, Never>
    }

    private let store: AuditDatabase
    private let ingestor: EventIngestor
    private let maximumGroup: Int
    /// Tokens older than this are forgotten (twice the timestamp window: a signature that old is refused anyway).
    private let tokenLifetime: TimeInterval
    private var lastPrune = Date.distantPast
    private let logger: Logger
    private let condition = NSCondition()
    private var queue: [Pending] = []
    private var stopping = false
    private var thread: Thread?
    private var stopped = false

    /// Creates a committer; call ``start()`` before ``submit(_:)``.
    public init(store: AuditDatabase, ingestor: EventIngestor, maximumGroup: Int = 2_000, timestampWindow: TimeInterval = 9 * 3600,
                logger: Logger) {
        self.store = store
        self.ingestor = ingestor
        self.maximumGroup = max(1, maximumGroup)
        tokenLifetime = 2 * timestampWindow
        self.logger = logger
    }

    /// Starts the writer thread.
    public func start() {
        condition.lock()
        defer { condition.unlock() }
        guard thread == nil else { return }
        let thread = Thread { [self] in run() }
        thread.name = "webhook-commit"
        self.thread = thread
        thread.start()
    }

    /// Finishes the groups already queued, then stops the thread. Later submissions get `.unavailable`.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while thread != nil && !stopped { condition.wait() }
        condition.unlock()
    }

    /// Webhooks waiting for the next group commit (for `/metrics`).
    public var queueDepth: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }

    /// Queues a webhook for the next group commit and waits for its outcome.
    public func submit(_ webhook: VerifiedWebhook) async -> WebhookCommitOutcome {
        await withCheckedContinuation { continuation in
            condition.lock()
            if stopping || thread == nil {
                condition.unlock()
                continuation.resume(returning: .unavailable)
                return
            }
            queue.append(Pending(webhook: webhook, continuation: continuation))
            condition.signal()
            condition.unlock()
        }
    }

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty && stopping {
                stopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let count = min(queue.count, maximumGroup)
            let group = Array(queue.prefix(count))
            queue.removeFirst(count)
            condition.unlock()
            let outcomes = commit(group.map(\.webhook))
            for (pending, outcome) in zip(group, outcomes) { pending.continuation.resume(returning: outcome) }
            pruneTokensHourly()
        }
    }

    /// Forgets tokens older than the lifetime, at most once an hour (on the writer thread, between groups).
    private func pruneTokensHourly() {
        let now = Date()
        guard now.timeIntervalSince(lastPrune) >= 3600 else { return }
        lastPrune = now
        do {
            let forgotten = try store.forgetWebhookTokens(receivedBefore: now - tokenLifetime)
            if forgotten > 0 { logger.info("old webhook tokens forgotten", metadata: ["count": "\(forgotten)"]) }
        } catch {
            logger.error("cannot forget old webhook tokens", metadata: ["error": "\(error)"])
        }
    }

    /// Stores one group; returns an outcome per webhook, in order.
    func commit(_ webhooks: [VerifiedWebhook]) -> [WebhookCommitOutcome] {
        let now = Date()
        do {
            let bound = try store.bindWebhookTokens(webhooks.map {
                WebhookTokenUse(token: $0.token, bodyDigest: $0.eventDigest, receivedAt: now)
            })
            var outcomes = bound.map { $0 ? WebhookCommitOutcome.stored : .tokenMisused }
            let acceptedIndexes = outcomes.indices.filter { outcomes[$0] == .stored }
            if !acceptedIndexes.isEmpty {
                let report = try ingestor.ingest(lines: acceptedIndexes.map { webhooks[$0].body })
                for problem in report.problems where (1...acceptedIndexes.count).contains(problem.line) {
                    outcomes[acceptedIndexes[problem.line - 1]] = .malformed("field \(problem.field): \(problem.problem)")
                }
                logger.debug("webhook group committed", metadata: [
                    "requests": "\(webhooks.count)", "inserted": "\(report.inserted)", "duplicates": "\(report.duplicates)",
                ])
            }
            return outcomes
        } catch {
            logger.error("webhook group not stored", metadata: ["requests": "\(webhooks.count)", "error": "\(error)"])
            return webhooks.map { _ in .unavailable }
        }
    }
}
