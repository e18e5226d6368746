import AuditStore
import Foundation
import Logging
import ServiceLifecycle

/// `serve`'s upkeep of a SQLite store's search indexes: once at start and then once a day, each
/// index that has gathered more than one FTS5 segment (as emails are recorded one transaction at
/// a time) is merged back into one, in short write transactions between which webhooks and the
/// intake commit as usual (``AuditDatabase/mergeSearchIndex(_:stepPages:progress:)``). A
/// search reads every segment, so a merged index keeps the Subject and To searches as fast as
/// `email-audit compact` leaves them. PostgreSQL keeps its own indexes (autovacuum).
public final class SearchIndexUpkeep: Service, @unchecked Sendable {
    private let store: AuditDatabase
    private let logger: Logger
    private let interval: TimeInterval

    /// - Parameter interval: seconds between runs (a day).
    public init(store: AuditDatabase, logger: Logger, interval: TimeInterval = 86_400) {
        self.store = store
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.runOnce()
                try await Task.sleep(nanoseconds: UInt64(self.interval * 1e9))
            }
        }
        logger.info("search index upkeep stopped")
    }

    /// One run: merges each index that has more than one segment; returns those merged (errors
    /// are logged, and the next run tries again).
    @discardableResult
    func runOnce() async -> [SearchIndex] {
        let store = self.store, logger = self.logger
        let stop = StopFlag()
        return await withTaskCancellationHandler {
            await Blocking.run {
                var merged: [SearchIndex] = []
                for index in SearchIndex.allCases {
                    let started = Date()
                    do {
                        // A shutdown stops the merge between steps; the next run carries on.
                        let steps = try store.mergeSearchIndex(index) { _, _ in
                            if stop.isSet { throw CancellationError() }
                        }
                        guard steps > 0 else { continue }
                        merged.append(index)
                        logger.notice("search index merged into one segment", metadata: [
                            "index": "\(index.title)", "steps": "\(steps)",
                            "seconds": "\(String(format: "%.1f", Date().timeIntervalSince(started)))",
                        ])
                    } catch is CancellationError {
                        break
                    } catch {
                        logger.error("search index merge failed", metadata: ["index": "\(index.title)", "error": "\(error)"])
                    }
                }
                return merged
            }
        } onCancel: {
            stop.set()
        }
    }
}
