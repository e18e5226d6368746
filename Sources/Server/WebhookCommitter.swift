import AuditEngine
import AuditCore
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
/// per request (``GroupCommitter``).
///
/// The work is split so the writer thread does only what must be serial. Each request prepares
/// its own webhook on its own task, on whichever core is free, while the writer commits the
/// group before it: the ingest path's mapping (``EventIngestor/prepare(_:)``, as the ingest path
/// maps every line) and the compaction of its raw JSON (``RawJSONCompactor``). A group is then
/// ONE transaction on the writer: bind the tokens to their events, then store the accepted events
/// with the ingest path's store step. A token whose event is refused stays bound to that event,
/// so the same webhook again gets the same answer. When the transaction fails, nothing of the
/// group is stored and every webhook in it gets `.unavailable`.
///
/// The transaction's commit does not wait for the disk: a second thread flushes the store's
/// write-ahead log (``WebhookIngestStore/syncWriteAheadLog()``) after each commit and only then are
/// the group's webhooks answered, so every 200 still follows a durable commit, while the writer
/// already runs the next group's transaction during the flush (one flush often covers several
/// groups). When the flush fails the group's webhooks get `.unavailable` (503): Mailgun retries
/// them and the retries find their events already stored.
///
/// On PostgreSQL there are several writers, each on its own connection (``init(writers:ingestor:maximumGroup:timestampWindow:logger:)``),
/// so groups commit side by side; the sync step does nothing there (a commit is durable).
public final class WebhookCommitter: Sendable {
    private let writers: [any WebhookIngestStore]
    private let ingestor: EventIngestor
    /// Tokens older than this are forgotten (twice the timestamp window: a signature that old is refused anyway).
    private let tokenLifetime: TimeInterval
    private let lastPrune = LockedDate()
    private let logger: Logger
    private let compactors = CompactorPool()
    private let groups: [GroupCommitter<PreparedWebhook, WebhookCommitOutcome>]

    /// Creates a committer with one writer; call ``start()`` before ``submit(_:)``.
    public convenience init(store: any WebhookIngestStore, ingestor: EventIngestor, maximumGroup: Int = 2_000,
                            timestampWindow: TimeInterval = 9 * 3600, logger: Logger) {
        self.init(writers: [store], ingestor: ingestor, maximumGroup: maximumGroup, timestampWindow: timestampWindow, logger: logger)
    }

    /// Creates a committer with a writer thread per store in `writers` (each its own connection:
    /// PostgreSQL takes several transactions at once; a SQLite store has one writer). A webhook
    /// joins the group of the writer with the fewest waiting. Call ``start()`` before ``submit(_:)``.
    public init(writers: [any WebhookIngestStore], ingestor: EventIngestor, maximumGroup: Int = 2_000,
                timestampWindow: TimeInterval = 9 * 3600, logger: Logger) {
        precondition(!writers.isEmpty, "a webhook committer needs a store to write to")
        self.writers = writers
        self.ingestor = ingestor
        tokenLifetime = 2 * timestampWindow
        self.logger = logger
        let lifetime = tokenLifetime, lastPrune = lastPrune
        groups = writers.enumerated().map { index, store in
            GroupCommitter(
                name: writers.count == 1 ? "webhook-commit" : "webhook-commit-\(index + 1)", maximumGroup: maximumGroup,
                unavailable: .unavailable,
                commit: { webhooks in
                    Self.commit(webhooks, store: store, defaultAccountID: ingestor.defaultAccountID, deferringSync: true, logger: logger)
                },
                betweenGroups: { Self.pruneTokensHourly(store: store, lifetime: lifetime, lastPrune: lastPrune, logger: logger) },
                sync: {
                    do {
                        try store.syncWriteAheadLog()
                        return true
                    } catch {
                        logger.error("webhook group committed but not synced to disk", metadata: ["error": "\(error)"])
                        return false
                    }
                })
        }
    }

    /// Starts the writer thread.
    public func start() { groups.forEach { $0.start() } }

    /// Finishes the groups already queued, then stops the thread. Later submissions get `.unavailable`.
    public func stop() { groups.forEach { $0.stop() } }

    /// Webhooks waiting for the next group commit (for `/metrics`).
    public var queueDepth: Int { groups.reduce(0) { $0 + $1.queueDepth } }

    /// Groups committed since ``start()``, their webhooks and the writer's time in them (for `/metrics`).
    public var committed: GroupCommitStatistics {
        groups.map(\.committed).reduce(into: GroupCommitStatistics()) { sum, one in
            sum.groups += one.groups
            sum.items += one.items
            sum.largestGroup = max(sum.largestGroup, one.largestGroup)
            sum.commitSeconds += one.commitSeconds
            sum.syncs += one.syncs
            sum.syncSeconds += one.syncSeconds
        }
    }

    /// Prepares a webhook on the caller's task, queues it for the next group commit and waits for its outcome.
    public func submit(_ webhook: VerifiedWebhook) async -> WebhookCommitOutcome {
        let prepared = prepare(webhook)
        let writer = groups.count == 1 ? groups[0] : groups.min { $0.queueDepth < $1.queueDepth }!
        return await writer.submit(prepared)
    }

    /// Prepares and stores one group at once, on the caller's thread; returns an outcome per webhook, in order.
    func commit(_ webhooks: [VerifiedWebhook]) -> [WebhookCommitOutcome] {
        Self.commit(webhooks.map(prepare), store: writers[0], defaultAccountID: ingestor.defaultAccountID, deferringSync: false, logger: logger)
    }

    /// The ingest path's mapping of the webhook's event, its raw JSON compacted for the store.
    func prepare(_ webhook: VerifiedWebhook) -> PreparedWebhook {
        let use = WebhookTokenUse(token: webhook.token, bodyDigest: webhook.eventDigest, receivedAt: Date())
        switch ingestor.prepare(webhook.decoded) {
        case .event(let event): return PreparedWebhook(tokenUse: use, event: compactors.compacted(event), refusal: nil)
        case .ignored: return PreparedWebhook(tokenUse: use, event: nil, refusal: nil)
        case .refused(let field, let problem): return PreparedWebhook(tokenUse: use, event: nil, refusal: "field \(field): \(problem)")
        }
    }

    private static func commit(_ webhooks: [PreparedWebhook], store: any WebhookIngestStore, defaultAccountID: Int64?,
                               deferringSync: Bool, logger: Logger) -> [WebhookCommitOutcome] {
        let now = Date()
        do {
            let result = try store.bindWebhookTokensAndApply(
                webhooks.map { WebhookTokenUse(token: $0.tokenUse.token, bodyDigest: $0.tokenUse.bodyDigest, receivedAt: now) },
                events: webhooks.map(\.event), defaultAccountID: defaultAccountID, deferringSync: deferringSync)
            logger.debug("webhook group committed", metadata: [
                "requests": "\(webhooks.count)", "inserted": "\(result.applied.inserted)", "duplicates": "\(result.applied.duplicates)",
            ])
            return result.bound.indices.map { index in
                guard result.bound[index] else { return .tokenMisused }
                if let refusal = webhooks[index].refusal { return .malformed(refusal) }
                if let refused = result.refused[index] { return .malformed(refused) }
                return .stored
            }
        } catch {
            logger.error("webhook group not stored", metadata: ["requests": "\(webhooks.count)", "error": "\(error)"])
            return webhooks.map { _ in .unavailable }
        }
    }

    /// Forgets tokens older than the lifetime, at most once an hour (on the writer thread, between groups).
    private static func pruneTokensHourly(store: any WebhookIngestStore, lifetime: TimeInterval, lastPrune: LockedDate, logger: Logger) {
        let now = Date()
        guard lastPrune.advance(to: now, ifOlderThan: 3600) else { return }
        do {
            let forgotten = try store.forgetWebhookTokens(receivedBefore: now - lifetime)
            if forgotten > 0 { logger.info("old webhook tokens forgotten", metadata: ["count": "\(forgotten)"]) }
        } catch {
            logger.error("cannot forget old webhook tokens", metadata: ["error": "\(error)"])
        }
    }
}

/// A date behind a lock (when the committer last pruned its tokens).
final class LockedDate: @unchecked Sendable {
    private let lock = NSLock()
    private var date = Date.distantPast

    /// Sets the date to `now` and returns true when it is at least `interval` seconds older; else false.
    func advance(to now: Date, ifOlderThan interval: TimeInterval) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard now.timeIntervalSince(date) >= interval else { return false }
        date = now
        return true
    }
}

/// A verified webhook after the ingest path's mapping, waiting for its group's transaction.
struct PreparedWebhook: Sendable {
    /// The token to bind and the digest of the event it carried (the time is set at the commit).
    var tokenUse: WebhookTokenUse
    /// The event to store; nil when the mapping ignored or refused it.
    var event: IncomingEvent?
    /// Why the mapping refused the event (answered 400 once the token is bound).
    var refusal: String?
}
