import Foundation

/// Group commit: items submitted while a commit is running wait together and go into the store
/// in the next one, so each caller is answered after a durable commit without one commit per
/// request.
///
/// One thread does the store work (the store's writes are blocking calls, kept off the server's
/// event loops and the cooperative pool). `commit` gets a group in arrival order and returns one
/// outcome per item, in the same order; every caller in the group is resumed only after it
/// returns, so an answer never runs ahead of its commit. Whether a failed group stores nothing is
/// the commit's business (one transaction); this type only hands each caller its outcome.
///
/// With a `sync` step (commits that do not wait for the disk themselves), a second thread runs it
/// after each commit and resumes the callers only when it returns: the writer commits the next
/// group while the disk flushes the last one, and one sync covers every group committed before it.
/// When the sync fails, every caller it covered gets `unavailable` (committed, but not known durable).
final class GroupCommitter<Item: Sendable, Outcome: Sendable>: @unchecked Sendable {
    private struct Pending {
        var item: Item
        var continuation: CheckedContinuation<Outcome, Never>
    }

    private let name: String
    private let maximumGroup: Int
    private let unavailable: Outcome
    private let commit: ([Item]) -> [Outcome]
    private let betweenGroups: () -> Void
    private let sync: (() -> Bool)?
    private let condition = NSCondition()
    private var queue: [Pending] = []
    /// Committed items waiting for the sync step, with their outcomes.
    private var committedQueue: [(Pending, Outcome)] = []
    private var syncer: Thread?
    private var syncerStopped = false
    private var stopping = false
    private var thread: Thread?
    private var stopped = false
    private var statistics = GroupCommitStatistics()

    /// - Parameters:
    ///   - name: the writer thread's name.
    ///   - maximumGroup: most items in one commit.
    ///   - unavailable: the outcome of an item submitted before ``start()`` or after ``stop()``, and
    ///     of every item of a group whose commit returned the wrong number of outcomes.
    ///   - commit: stores a group; runs on the writer thread only.
    ///   - betweenGroups: housekeeping on the writer thread after each group.
    ///   - sync: when given, makes every commit so far durable (false: it failed); run on its own
    ///     thread after commits, before their callers are resumed.
    init(name: String, maximumGroup: Int, unavailable: Outcome, commit: @escaping ([Item]) -> [Outcome],
         betweenGroups: @escaping () -> Void = {}, sync: (() -> Bool)? = nil) {
        self.name = name
        self.maximumGroup = max(1, maximumGroup)
        self.unavailable = unavailable
        self.commit = commit
        self.betweenGroups = betweenGroups
        self.sync = sync
    }

    /// Starts the writer thread.
    func start() {
        condition.lock()
        defer { condition.unlock() }
        guard thread == nil, !stopping else { return }
        let thread = Thread { [self] in run() }
        thread.name = name
        self.thread = thread
        thread.start()
        if sync != nil {
            let syncer = Thread { [self] in runSyncer() }
            syncer.name = name + "-sync"
            self.syncer = syncer
            syncer.start()
        }
    }

    /// Finishes the groups already queued, then stops the thread. Later submissions get `unavailable`.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while thread != nil && (!stopped || (syncer != nil && !syncerStopped)) { condition.wait() }
        condition.unlock()
    }

    /// Items waiting for the next group commit.
    var queueDepth: Int {
        condition.lock()
        defer { condition.unlock() }
        return queue.count
    }

    /// Groups committed so far, their items and the writer's time in `commit` (for `/metrics` and the benchmark).
    var committed: GroupCommitStatistics {
        condition.lock()
        defer { condition.unlock() }
        return statistics
    }

    /// Queues an item for the next group commit and waits for its outcome.
    func submit(_ item: Item) async -> Outcome {
        await withCheckedContinuation { continuation in
            condition.lock()
            if stopping || thread == nil {
                condition.unlock()
                continuation.resume(returning: unavailable)
                return
            }
            queue.append(Pending(item: item, continuation: continuation))
            // broadcast: the sync thread waits on the same condition.
            condition.broadcast()
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
            let group: [Pending]
            if queue.count <= maximumGroup {
                group = queue
                queue.removeAll(keepingCapacity: true)
            } else {
                group = Array(queue.prefix(maximumGroup))
                queue.removeFirst(maximumGroup)
            }
            condition.unlock()
            let started = DispatchTime.now().uptimeNanoseconds
            var outcomes = commit(group.map(\.item))
            let busy = DispatchTime.now().uptimeNanoseconds - started
            if outcomes.count != group.count { outcomes = group.map { _ in unavailable } }
            condition.lock()
            statistics.groups += 1
            statistics.items += group.count
            statistics.largestGroup = max(statistics.largestGroup, group.count)
            statistics.commitSeconds += Double(busy) / 1e9
            if sync != nil {
                committedQueue.append(contentsOf: zip(group, outcomes))
                condition.broadcast()
                condition.unlock()
            } else {
                condition.unlock()
                for (pending, outcome) in zip(group, outcomes) { pending.continuation.resume(returning: outcome) }
            }
            betweenGroups()
        }
    }

    /// The sync thread: one sync for all the groups committed since the last one, then their answers.
    private func runSyncer() {
        guard let sync else { return }
        while true {
            condition.lock()
            while committedQueue.isEmpty && !stopped { condition.wait() }
            if committedQueue.isEmpty && stopped {
                syncerStopped = true
                condition.broadcast()
                condition.unlock()
                return
            }
            let covered = committedQueue
            committedQueue.removeAll(keepingCapacity: true)
            condition.unlock()
            let started = DispatchTime.now().uptimeNanoseconds
            let durable = sync()
            let busy = DispatchTime.now().uptimeNanoseconds - started
            condition.lock()
            statistics.syncs += 1
            statistics.syncSeconds += Double(busy) / 1e9
            condition.unlock()
            for (pending, outcome) in covered { pending.continuation.resume(returning: durable ? outcome : unavailable) }
        }
    }
}

/// What a ``GroupCommitter`` has committed since it started.
public struct GroupCommitStatistics: Sendable, Equatable {
    /// Commits run (one transaction each).
    public var groups = 0
    /// Items in them.
    public var items = 0
    /// The most items one commit took.
    public var largestGroup = 0
    /// Wall time the writer spent inside its commits (store work, and the sync to disk unless a
    /// separate sync step does it).
    public var commitSeconds = 0.0
    /// Syncs run by the separate sync step (each covers every group committed before it).
    public var syncs = 0
    /// Wall time of those syncs.
    public var syncSeconds = 0.0
}
