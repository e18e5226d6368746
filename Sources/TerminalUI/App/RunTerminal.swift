import AuditCore
import Foundation

/// Runs the full-screen app until the user quits. Restores the terminal on every path:
/// q, Q, Ctrl-C, SIGTERM, SIGHUP, SIGINT and fatal signals.
///
/// Store queries run on a background queue; their answers come back to the input loop
/// as messages, so the screen never freezes. Between inputs the loop sleeps in `poll()` on
/// the terminal and a wake-up pipe the answers ring, waking on its own only for the
/// twice-a-second check for new data, so an idle screen uses next to no CPU.
///
/// A locale that is not UTF-8 switches the screen to ASCII (see ``ScreenCharset``).
///
/// A termination signal ends the process once the terminal is restored, so the caller's
/// `defer` blocks never run on that path: `beforeSignalExit` runs just before (to save
/// state that must survive a `kill` or a dropped session).
public func runEmailAuditTerminal(reader: any AuditReader, options: TerminalOptions,
                                  beforeSignalExit: () -> Void = {}) throws {
    var options = options
    options.localeIsUTF8 = TerminalLocale.isUTF8
    let backend = try CursesBackend(options: options)
    defer { backend.shutdown() }
    let loop = RunLoop(backend: backend, reader: reader, options: options)
    loop.run()
    backend.shutdown()
    if let signal = backend.pendingSignal {
        beforeSignalExit()
        CursesBackend.reraise(signal)
    }
}

extension AppState {
    /// Whether `other` draws the same frame: equal but for the bookkeeping of the background
    /// checks (new data, hand-over health), which ``view(_:)`` does not show. An idle screen's
    /// ticks change only these, so it draws nothing between them.
    func drawsLike(_ other: AppState?) -> Bool {
        guard var other else { return false }
        other.changeToken = changeToken
        other.checkingChangeToken = checkingChangeToken
        other.checkingHandOver = checkingHandOver
        other.ticksSinceHandOverCheck = ticksSinceHandOverCheck
        return self == other
    }
}

/// Messages posted from background effects to the input loop.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [Message] = []
    /// Rung on every post, so the loop wakes from its wait.
    let wakePipe = WakePipe()

    func post(_ message: Message) {
        lock.lock()
        messages.append(message)
        lock.unlock()
        wakePipe?.wake()
    }

    func drain() -> [Message] {
        wakePipe?.drain()
        lock.lock()
        defer { lock.unlock() }
        let drained = messages
        messages.removeAll()
        return drained
    }
}

/// The input loop: read input, update, start effects, draw.
final class RunLoop {
    private let backend: any TerminalBackend
    private let runner: EffectRunner
    private let inbox = Inbox()
    private let queue = DispatchQueue(label: "email-audit.effects", qos: .userInitiated, attributes: .concurrent)
    private var state: AppState
    private var drawnRedraws = -1
    private var lastSize: TerminalSize?
    /// How often the loop checks the store for new data (another process ingesting).
    static let tickInterval = 0.5

    init(backend: any TerminalBackend, reader: any AuditReader, options: TerminalOptions) {
        self.backend = backend
        runner = EffectRunner(reader: reader, now: options.now, timeZone: options.timeZone, exporter: options.exporter,
                              suppressionActions: options.suppressionActions,
                              notifications: options.notifications, resendActions: options.resendActions)
        state = AppState(options: options, size: backend.size)
    }

    func run() {
        dispatch(.started)
        var lastTick = Date()
        // The frame is a pure function of the state: draw only when the state differs from
        // the one last drawn (a twice-a-second check that finds no new data draws nothing).
        var drawn: AppState?
        while !state.shouldQuit, backend.pendingSignal == nil {
            if !state.drawsLike(drawn) {
                let force = state.redrawRequests != drawnRedraws || state.size != lastSize
                backend.draw(view(state), force: force)
                drawnRedraws = state.redrawRequests
                lastSize = state.size
                drawn = state
            }
            var input = backend.nextInput(timeoutMilliseconds: 0)
            if input == nil {
                // Nothing buffered: sleep until input, an answer, a signal or the next tick.
                let untilTick = max(0, Int((Self.tickInterval - Date().timeIntervalSince(lastTick)) * 1000) + 1)
                guard backend.waitForInput(orWake: inbox.wakePipe?.readDescriptor,
                                           timeoutMilliseconds: inbox.wakePipe == nil ? min(untilTick, 25) : untilTick)
                else { return }
                input = backend.nextInput(timeoutMilliseconds: 0)
            }
            if let input {
                guard handle(input) else { return }
                // Input already waiting (a paste, key repeat) is handled before the next
                // frame, so a long paste costs a few frames rather than one per character.
                var handled = 1
                while handled < 1_000, !state.shouldQuit, backend.pendingSignal == nil,
                      let more = backend.nextInput(timeoutMilliseconds: 0) {
                    guard handle(more) else { return }
                    handled += 1
                }
            }
            for message in inbox.drain() { dispatch(message) }
            if Date().timeIntervalSince(lastTick) >= Self.tickInterval {
                lastTick = Date()
                dispatch(.tick)
            }
        }
        // Quitting during an export: stop it and let it remove its part-written file.
        runner.exports.cancelAllAndWait(timeout: 5)
    }

    /// Handles one input; false when the terminal went away.
    private func handle(_ input: InputEvent) -> Bool {
        switch input {
        case .key(let key): dispatch(.key(key))
        case .resize(let size): dispatch(.resize(size))
        case .hangUp: return false
        }
        return true
    }

    private func dispatch(_ message: Message) {
        let (next, effects) = update(state, message)
        state = next
        for effect in effects {
            let runner = self.runner, inbox = self.inbox
            queue.async {
                if let answer = runner.run(effect, post: { inbox.post($0) }) { inbox.post(answer) }
            }
        }
    }
}
