import AuditCore
import Foundation
import Prometheus

/// The Prometheus metrics of `serve` (swift-prometheus), served at `/metrics` in the text format:
///
/// - `email_audit_webhook_events_received_total`: webhooks stored (or already stored);
/// - `email_audit_webhook_events_refused_total{reason}`: webhooks refused, by reason
///   (`bad-signature`, `stale`, `token-reused`, `malformed`, `too-large`, `content-type`, ...);
/// - `email_audit_intake_emails_total{outcome}`: intake requests (`created`, `retry`, `refused`);
/// - `email_audit_handover_latency_seconds`: how long each hand-over run to the provider took;
/// - `email_audit_handover_runs_total{outcome}`: runs the provider answered (`ok`) or not (`deferred`);
/// - `email_audit_pending_emails`, `email_audit_pending_oldest_age_seconds`: the hand-over queue
///   (emails not yet handed over) and how long its oldest has waited, read from the store per scrape;
/// - `email_audit_webhook_queue_depth`: webhooks waiting for the next group commit;
/// - `email_audit_webhook_groups_committed`, `email_audit_webhook_group_items_committed`,
///   `email_audit_webhook_group_largest`, `email_audit_webhook_group_commit_seconds`: the group
///   commits since the start, the webhooks in them, the largest group and the writer's time in
///   them (their ratio is the group size achieved);
/// - `email_audit_webhook_log_syncs`, `email_audit_webhook_log_sync_seconds`: the flushes of the
///   write-ahead log that make the committed groups durable before their answers, and their time
///   (run beside the writer, not in its commits).
public final class ServerMetrics: Sendable {
    /// The registry the metrics live in (exposed for tests).
    public let registry = PrometheusCollectorRegistry()
    private let received: Counter
    private let handOverLatency: DurationHistogram
    private let pending: Gauge
    private let pendingAge: Gauge
    private let webhookQueue: Gauge
    private let groups: Gauge
    private let groupItems: Gauge
    private let largestGroup: Gauge
    private let groupSeconds: Gauge
    private let syncs: Gauge
    private let syncSeconds: Gauge

    public init() {
        received = registry.makeCounter(descriptor: Self.name("email_audit_webhook_events_received", unit: "total",
                                                              help: "Webhook events stored (or already stored) and answered 200."))
        handOverLatency = registry.makeDurationHistogram(
            descriptor: Self.name("email_audit_handover_latency", unit: "seconds",
                                  help: "How long one hand-over run of Pending emails to the provider took."),
            buckets: [.milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(500), .seconds(1), .seconds(5),
                      .seconds(30), .seconds(120)])
        pending = registry.makeGauge(descriptor: Self.name("email_audit_pending_emails",
                                                           help: "Emails recorded and not yet handed to the provider."))
        pendingAge = registry.makeGauge(descriptor: Self.name("email_audit_pending_oldest_age", unit: "seconds",
                                                              help: "How long the oldest Pending email has waited (0 when none)."))
        webhookQueue = registry.makeGauge(descriptor: Self.name("email_audit_webhook_queue_depth",
                                                                help: "Webhooks waiting for the next group commit."))
        groups = registry.makeGauge(descriptor: Self.name("email_audit_webhook_groups_committed",
                                                          help: "Webhook group commits (one transaction each) since the start."))
        groupItems = registry.makeGauge(descriptor: Self.name("email_audit_webhook_group_items_committed",
                                                              help: "Webhooks in the group commits since the start."))
        largestGroup = registry.makeGauge(descriptor: Self.name("email_audit_webhook_group_largest",
                                                                help: "The most webhooks one group commit took."))
        groupSeconds = registry.makeGauge(descriptor: Self.name("email_audit_webhook_group_commit", unit: "seconds",
                                                                help: "Time the writer spent in webhook group commits since the start."))
        syncs = registry.makeGauge(descriptor: Self.name("email_audit_webhook_log_syncs",
                                                         help: "Flushes of the write-ahead log that made committed webhook groups durable."))
        syncSeconds = registry.makeGauge(descriptor: Self.name("email_audit_webhook_log_sync", unit: "seconds",
                                                               help: "Time spent in those flushes since the start."))
    }

    /// The descriptor of a metric named `name` + `_` + `unit` (just `name` when `unit` is empty).
    private static func name(_ name: String, unit: String = "", help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(metricName: name, unitName: unit, helpText: help)
    }

    /// A webhook stored (or a retry of one already stored).
    public func webhookReceived() { received.increment() }

    /// A webhook refused, by the refusal's reason.
    public func webhookRefused(reason: String) {
        registry.makeCounter(descriptor: Self.name("email_audit_webhook_events_refused", unit: "total",
                                                   help: "Webhook events refused, by reason."),
                             labels: [("reason", reason)]).increment()
    }

    /// An intake request: `created`, `retry` or `refused`.
    public func intake(_ outcome: String) {
        registry.makeCounter(descriptor: Self.name("email_audit_intake_emails", unit: "total",
                                                   help: "POST /v1/emails requests, by outcome."),
                             labels: [("outcome", outcome)]).increment()
    }

    /// One hand-over run and whether the provider answered it.
    public func handOver(duration: Duration, answered: Bool) {
        handOverLatency.record(duration)
        registry.makeCounter(descriptor: Self.name("email_audit_handover_runs", unit: "total",
                                                   help: "Hand-over runs, by whether the provider answered."),
                             labels: [("outcome", answered ? "ok" : "deferred")]).increment()
    }

    /// Updates the queue gauges from the store (all accounts) and the committer.
    public func refresh(store: any ServiceHealthStore, webhookQueueDepth: Int, webhookGroups: GroupCommitStatistics, now: Date) throws {
        groups.set(Double(webhookGroups.groups))
        groupItems.set(Double(webhookGroups.items))
        largestGroup.set(Double(webhookGroups.largestGroup))
        groupSeconds.set(webhookGroups.commitSeconds)
        syncs.set(Double(webhookGroups.syncs))
        syncSeconds.set(webhookGroups.syncSeconds)
        let health = try store.handOverHealth(accountID: nil, now: now)
        pending.set(Double(health.pending))
        pendingAge.set(health.oldestPending.map { max(0, now.timeIntervalSince($0)) } ?? 0)
        webhookQueue.set(Double(webhookQueueDepth))
    }

    /// The metrics in Prometheus' text exposition format.
    public func exposition() -> String { registry.emitToString() }
}
