import AuditEngine
import Foundation
import Logging
import ServiceLifecycle

/// The batch feeder as a service of `serve`: hands Pending emails to the provider every
/// interval; when the provider is down or rate-limiting, tries again sooner with exponential
/// backoff (5 s, 10 s, 20 s ... up to the interval), so emails stay Pending, none is lost or
/// sent twice (the feeder's guarantees), and hand-over resumes by itself.
///
/// With the in-process simulator, the engine also ingests the simulator's events every second.
public final class HandOverService: Service, @unchecked Sendable {
    private let feeder: BatchFeeder
    private let engine: AuditEngine?
    private let interval: TimeInterval
    private let status: ProviderStatus
    private let logger: Logger
    private let afterTick: (@Sendable () -> Void)?
    private let metrics: ServerMetrics?

    /// - Parameters:
    ///   - engine: set for the in-process simulator: its ``AuditEngine/tick()`` hands over and ingests events.
    ///   - afterTick: runs after each simulator tick (saving the simulator's state).
    ///   - metrics: where each run's latency and outcome are counted.
    public init(feeder: BatchFeeder, engine: AuditEngine?, interval: TimeInterval, status: ProviderStatus, logger: Logger,
                metrics: ServerMetrics? = nil, afterTick: (@Sendable () -> Void)? = nil) {
        self.metrics = metrics
        self.feeder = feeder
        self.engine = engine
        self.interval = interval
        self.status = status
        self.logger = logger
        self.afterTick = afterTick
    }

    /// The delay before the next attempt after `failures` failed runs in a row.
    public static func backoff(failures: Int, interval: TimeInterval) -> TimeInterval {
        guard failures > 0 else { return interval }
        return min(interval, 5 * pow(2, Double(min(failures - 1, 16))))
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let delay = await self.runOnce()
                try await Task.sleep(nanoseconds: UInt64(delay * 1e9))
            }
        }
        logger.info("hand-over stopped")
    }

    /// One hand-over (or simulator tick); returns the seconds until the next.
    func runOnce() async -> TimeInterval {
        if let engine {
            let outcome: Result<TickReport, any Error> = await Blocking.run { Result { try engine.tick() } }
            switch outcome {
            case .success(let report):
                if let handOver = report.handOver { note(handOver) }
            case .failure(let error):
                logger.error("simulator tick failed", metadata: ["error": "\(error)"])
            }
            afterTick?()
            return 1
        }
        let feeder = self.feeder
        let clock = ContinuousClock()
        let started = clock.now
        let outcome: Result<HandOverReport, any Error> = await Blocking.run { Result { try feeder.handOver(now: Date()) } }
        switch outcome {
        case .success(let report):
            metrics?.handOver(duration: clock.now - started, answered: !report.deferred)
            note(report)
        case .failure(let error):
            status.record(problem: "store: \(error)", at: Date())
            logger.error("hand-over failed", metadata: ["error": "\(error)"])
        }
        return Self.backoff(failures: status.snapshot().consecutiveFailures, interval: interval)
    }

    private func note(_ report: HandOverReport) {
        status.record(problem: report.deferred ? (report.providerProblem ?? "provider unavailable") : nil, at: Date())
        if report.handedOver > 0 || report.refused > 0 || report.deferred {
            logger.info("hand-over", metadata: [
                "handed_over": "\(report.handedOver)", "refused": "\(report.refused)", "deferred": "\(report.deferred)",
                "problem": "\(report.providerProblem ?? "")",
            ])
        }
    }
}
