import Foundation

/// How the hand-over to the provider is going, as the screen's status line needs it: when the
/// feeder last handed over successfully and last failed (kept by the feeder in the store), and
/// how many of the account's emails have been Pending longer than the rule allows.
public struct HandOverHealth: Sendable, Hashable {
    /// How long an email may stay Pending while the provider is up (the batch runs every
    /// 5 minutes, never more than 10).
    public static let pendingLimit: TimeInterval = 10 * 60

    /// The last hand-over run the provider answered (nil: none recorded).
    public var lastSuccess: Date?
    /// The last hand-over run the provider did not answer (down, 429 or 5xx; nil: none recorded).
    public var lastFailure: Date?
    /// The account's emails still Pending (not handed over).
    public var pending: Int
    /// The account's emails Pending for longer than ``pendingLimit``.
    public var pendingOverLimit: Int
    /// When the oldest of the account's Pending emails was recorded (nil: none Pending).
    public var oldestPending: Date?

    public init(lastSuccess: Date? = nil, lastFailure: Date? = nil, pending: Int = 0, pendingOverLimit: Int = 0,
                oldestPending: Date? = nil) {
        self.lastSuccess = lastSuccess
        self.lastFailure = lastFailure
        self.pending = pending
        self.pendingOverLimit = pendingOverLimit
        self.oldestPending = oldestPending
    }

    /// Whether the provider failed the last hand-over run recorded.
    public var providerDown: Bool {
        guard let lastFailure else { return false }
        return lastSuccess.map { lastFailure > $0 } ?? true
    }

    /// Whether the status line warns: the provider is down and emails are Pending past the limit.
    public var warns: Bool { providerDown && pendingOverLimit > 0 }

    /// The status line's warning, e.g. "Provider down: 12 Pending over 10 min", or nil when
    /// there is nothing to warn about.
    public var warning: String? {
        guard warns else { return nil }
        return "Provider down: \(Count.text(pendingOverLimit)) Pending over \(Int(Self.pendingLimit / 60)) min"
    }
}
