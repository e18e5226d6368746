import AuditCore
import Foundation

/// Everything a simulator remembers between runs: its clock, the events still waiting for
/// their time (retries, later opens), and its suppression lists. Saving and restoring it lets
/// `email-audit simulate` carry on where the last run (or `seed`) stopped, as Mailgun would.
public struct SimulatorState: Codable, Sendable, Hashable {
    struct QueuedLine: Codable, Sendable, Hashable {
        var micros: Int64
        var sequence: UInt64
        var line: String
    }

    var messageCounter: UInt64
    var nowMicros: Int64
    var nextSequence: UInt64
    var queue: [QueuedLine]
    var suppressions: [String: [String: Int64]]
    var domainDisabled: Bool

    /// The simulator's clock: the latest time it was given, or nil before its first send.
    public var clock: Date? {
        nowMicros == Int64.min ? nil : Date(timeIntervalSince1970: Double(nowMicros) / 1_000_000)
    }

    /// Event lines still waiting for their time.
    public var queuedEventCount: Int { queue.count }
}

extension MailgunSimulator {
    /// A copy of the simulator's state, for saving.
    public func state() -> SimulatorState {
        withLock {
            SimulatorState(
                messageCounter: messageCounter, nowMicros: nowMicros, nextSequence: queue.sequence,
                queue: queue.entries.map { SimulatorState.QueuedLine(micros: $0.micros, sequence: $0.sequence, line: $0.line) },
                suppressions: suppressions.entries.mapValues { kinds in
                    Dictionary(uniqueKeysWithValues: kinds.map { ($0.key.rawValue, $0.value) })
                },
                domainDisabled: domainDisabled)
        }
    }

    /// Continues from a saved state: same clock, same waiting events, same suppression lists.
    public func restore(_ state: SimulatorState) {
        withLock {
            messageCounter = state.messageCounter
            nowMicros = state.nowMicros
            queue = PendingEventQueue(
                entries: state.queue.map { PendingEventQueue.Entry(micros: $0.micros, sequence: $0.sequence, line: $0.line) },
                nextSequence: state.nextSequence)
            suppressions = SuppressionLists(entries: state.suppressions.mapValues { kinds in
                Dictionary(uniqueKeysWithValues: kinds.compactMap { key, value in SuppressionKind(rawValue: key).map { ($0, value) } })
            }, lifetime: suppressions.lifetime)
            domainDisabled = state.domainDisabled
        }
    }
}
