import Foundation

/// Where "now" comes from. Injected everywhere so tests never sleep.
public protocol AuditClock: Sendable {
    var now: Date { get }
}

/// The real wall clock.
public struct SystemClock: AuditClock {
    public init() {}
    public var now: Date { Date() }
}

/// A clock that only moves when told to. Thread-safe.
public final class ManualClock: AuditClock, @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    public init(_ start: Date) {
        current = start
    }

    public var now: Date {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    /// Moves the clock forward.
    public func advance(by seconds: TimeInterval) {
        lock.lock()
        current += seconds
        lock.unlock()
    }

    /// Sets the clock.
    public func set(_ date: Date) {
        lock.lock()
        current = date
        lock.unlock()
    }
}
