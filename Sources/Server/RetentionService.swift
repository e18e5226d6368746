import AuditCore
import AuditStore
import Foundation
import Logging
import ServiceLifecycle

/// The retention setting applied by `serve`: once at start and then once a day, the emails
/// created before local midnight `months` calendar months ago are deleted (with their events,
/// notifications and roll-up counts) in short batches, between which webhooks and the intake
/// commit as usual; then free pages go back to the disk in short steps when the store is in
/// incremental-vacuum mode (a store made before that needs one `email-audit compact` first,
/// whose full VACUUM would hold the write lock too long for a running service). On PostgreSQL
/// whole months are detached and dropped, and the server's autovacuum reuses the space.
public final class RetentionService: Service, @unchecked Sendable {
    private let store: any RetentionStore & Sendable
    private let months: Int
    private let logger: Logger
    private let interval: TimeInterval
    private let batchSize: Int

    /// - Parameters:
    ///   - months: calendar months to keep (more than 0).
    ///   - interval: seconds between runs (a day).
    ///   - batchSize: emails per write transaction (each a fraction of a second).
    public init(store: any RetentionStore & Sendable, months: Int, logger: Logger, interval: TimeInterval = 86_400, batchSize: Int = 500) {
        precondition(months > 0)
        self.store = store
        self.months = months
        self.logger = logger
        self.interval = interval
        self.batchSize = batchSize
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.runOnce(now: Date())
                try await Task.sleep(nanoseconds: UInt64(self.interval * 1e9))
            }
        }
        logger.info("retention stopped")
    }

    /// One retention run (errors are logged; the next run tries again).
    func runOnce(now: Date) async {
        guard let cut = RetentionCut.cut(months: months, now: now, timeZone: store.timeZone) else { return }
        let store = self.store, batchSize = self.batchSize, logger = self.logger
        let day = CalendarDay(containing: cut, in: store.timeZone)
        let stop = StopFlag()
        let outcome: Result<(RetentionReport, Int), any Error> = await withTaskCancellationHandler {
            await Blocking.run {
                Result {
                    // A shutdown stops the run between batches; the next run finishes the job.
                    let report = try store.applyRetention(before: cut, batchSize: batchSize) { _ in
                        if stop.isSet { throw CancellationError() }
                    }
                    var released = 0
                    if report.emails > 0, let sqlite = store as? AuditDatabase, try sqlite.autoVacuumMode() == 2 {
                        released = try sqlite.releaseFreePages(stepPages: 512)
                    }
                    return (report, released)
                }
            }
        } onCancel: {
            stop.set()
        }
        switch outcome {
        case .success(let (report, released)):
            logger.notice("retention applied", metadata: [
                "months": "\(months)", "before": "\(day)", "emails": "\(report.emails)", "events": "\(report.events)",
                "notifications": "\(report.notifications)", "batches": "\(report.batches)", "pages_released": "\(released)",
            ])
            if report.emails > 0, let sqlite = store as? AuditDatabase, (try? sqlite.autoVacuumMode()) != 2 {
                logger.notice("run `email-audit compact` once to give the freed space back to the disk (this store predates incremental vacuum)")
            }
        case .failure(let error):
            logger.error("retention failed", metadata: ["error": "\(error)"])
        }
    }
}

/// A flag set from another thread (a task's cancellation) and read by blocking work.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    var isSet: Bool { lock.withLock { value } }
    func set() { lock.withLock { value = true } }
}
