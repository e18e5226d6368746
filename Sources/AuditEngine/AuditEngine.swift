import AuditCore
import AuditStore
import Foundation
import Mailgun

/// What one engine tick did.
public struct TickReport: Sendable {
    public var handOver: HandOverReport?
    public var ingest: IngestReport
}

/// Wires the store, the provider and the ingest path together on an injectable clock.
///
/// Each ``tick()`` hands Pending emails to the provider when a batch is due (every
/// ``batchInterval`` of clock time) and ingests every provider event reported up to now.
public final class AuditEngine: @unchecked Sendable {
    /// Where ``record(_:)`` records emails.
    public let recorder: any EmailRecordingStore
    public let provider: any EmailProvider
    public let eventSource: (any ProviderEventSource)?
    public let clock: any AuditClock
    public let ingestor: EventIngestor
    public let feeder: BatchFeeder
    /// Clock time between hand-over batches (5 minutes by default, so no email waits past 10).
    public let batchInterval: TimeInterval

    private let lock = NSLock()
    private var nextHandOver: Date?

    /// An engine on a SQLite store (which also records the daily digests at each hand-over),
    /// whose hand-overs go to `provider`, or, given `handOverProviders`, to each account's own
    /// provider (see ``HandOverProviders``).
    public convenience init(store: AuditDatabase, provider: any EmailProvider, handOverProviders: HandOverProviders? = nil,
                            eventSource: (any ProviderEventSource)?,
                            clock: any AuditClock, batchInterval: TimeInterval = 300, defaultAccountID: Int64? = nil) {
        self.init(recorder: store, queue: store, ingest: store, digests: store, provider: provider, handOverProviders: handOverProviders,
                  eventSource: eventSource, clock: clock, batchInterval: batchInterval, defaultAccountID: defaultAccountID)
    }

    /// An engine on either backend's store contract: emails recorded through `recorder`, handed
    /// over from `queue`, events ingested through `ingest`; `digests`, when given, records the
    /// daily digests due before each hand-over (nil on a store without notifications); `lease`
    /// is how long the feeder's claims last (``BatchFeeder/lease``).
    public init(recorder: any EmailRecordingStore, queue: any HandOverQueueStore, ingest: any EventIngestStore,
                digests: (any DigestRecordingStore)?, provider: any EmailProvider, handOverProviders: HandOverProviders? = nil,
                eventSource: (any ProviderEventSource)?, clock: any AuditClock, batchInterval: TimeInterval = 300,
                defaultAccountID: Int64? = nil, lease: TimeInterval = 300) {
        self.recorder = recorder
        self.provider = provider
        self.eventSource = eventSource
        self.clock = clock
        self.batchInterval = batchInterval
        ingestor = EventIngestor(store: ingest, defaultAccountID: defaultAccountID, clock: clock)
        feeder = BatchFeeder(queue: queue, digests: digests, providers: handOverProviders ?? .every(provider), ingestor: ingestor,
                             lease: lease)
    }

    /// Records emails as Pending. They go to the provider in the next batch.
    @discardableResult
    public func record(_ emails: [NewEmail]) throws -> [Int64] {
        try recorder.record(emails)
    }

    /// Hands over a batch if one is due, then ingests the provider's events up to now.
    @discardableResult
    public func tick() throws -> TickReport {
        let now = clock.now
        var handOver: HandOverReport?
        if isHandOverDue(now) {
            handOver = try feeder.handOver(now: now)
        }
        var ingest = IngestReport()
        if let eventSource {
            let lines = eventSource.events(through: now)
            if !lines.isEmpty { ingest = try ingestor.ingest(lines: lines) }
        }
        return TickReport(handOver: handOver, ingest: ingest)
    }

    private func isHandOverDue(_ now: Date) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if let next = nextHandOver, now < next { return false }
        nextHandOver = now + batchInterval
        return true
    }
}
