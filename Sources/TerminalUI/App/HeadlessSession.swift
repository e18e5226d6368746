import AuditCore
import Foundation

/// A session without a terminal, for tests and the benchmark.
///
/// It drives ``update(_:_:)`` and runs every resulting effect synchronously against the
/// reader until nothing is left to do, then renders with ``view(_:)``.
public final class HeadlessSession {
    /// The current state.
    public private(set) var state: AppState
    private let runner: EffectRunner
    /// Every effect run so far, oldest first (for tests).
    public private(set) var effectLog: [Effect] = []

    /// Starts a session and loads the first screen.
    public init(reader: any AuditReader, options: TerminalOptions, width: Int, height: Int,
                now: @escaping @Sendable () -> Date) {
        state = AppState(options: options, size: TerminalSize(width: width, height: height))
        state.today = CalendarDay(containing: now(), in: options.timeZone)
        runner = EffectRunner(reader: reader, now: now, timeZone: options.timeZone, exporter: options.exporter,
                              suppressionActions: options.suppressionActions,
                              notifications: options.notifications, resendActions: options.resendActions)
        dispatch(.started)
    }

    /// Presses a key (or sends a mouse event) and runs all resulting effects to completion.
    public func send(_ key: Key) {
        dispatch(.key(key))
    }

    /// Presses several keys in order.
    public func send(_ keys: [Key]) {
        for key in keys { send(key) }
    }

    /// Types text, one character key at a time.
    public func type(_ text: String) {
        for character in text { send(.character(character)) }
    }

    /// Resizes the virtual terminal.
    public func resize(width: Int, height: Int) {
        dispatch(.resize(TerminalSize(width: width, height: height)))
    }

    /// Sends the periodic tick (checks the change token and reloads if it moved).
    public func tick() {
        dispatch(.tick)
    }

    /// Delivers any message and runs the effects it causes.
    public func dispatch(_ message: Message) {
        var queue = [message]
        while !queue.isEmpty {
            let next = queue.removeFirst()
            let (newState, effects) = update(state, next)
            state = newState
            for effect in effects {
                effectLog.append(effect)
                let progress = ProgressBox()
                if let answer = runner.run(effect, post: { progress.append($0) }) {
                    queue.append(contentsOf: progress.drain())
                    queue.append(answer)
                }
            }
        }
    }

    /// Messages an effect posted while it ran (export progress), delivered after it.
    final class ProgressBox: @unchecked Sendable {
        private let lock = NSLock()
        private var messages: [Message] = []
        func append(_ message: Message) { lock.lock(); messages.append(message); lock.unlock() }
        func drain() -> [Message] { lock.lock(); defer { lock.unlock() }; return messages }
    }

    /// Draws the current state.
    public func render() -> Buffer {
        view(state)
    }
}
