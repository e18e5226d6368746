import Foundation

/// What the hand-over loop last saw of the provider, for `/readyz` and the logs.
public final class ProviderStatus: @unchecked Sendable {
    /// A copy of the status at one moment.
    public struct Snapshot: Sendable, Equatable {
        /// The provider's problem at the last hand-over, nil when it answered.
        public var problem: String?
        /// Failed hand-over runs in a row.
        public var consecutiveFailures: Int
        /// When the last hand-over run finished.
        public var lastAttempt: Date?
    }

    private let lock = NSLock()
    private var state = Snapshot(problem: nil, consecutiveFailures: 0, lastAttempt: nil)

    public init() {}

    public func snapshot() -> Snapshot {
        lock.lock()
        defer { lock.unlock() }
        return state
    }

    /// Records a run: `problem` nil when the provider answered.
    public func record(problem: String?, at time: Date) {
        lock.lock()
        defer { lock.unlock() }
        state.problem = problem
        state.consecutiveFailures = problem == nil ? 0 : state.consecutiveFailures + 1
        state.lastAttempt = time
    }
}
