import AuditCore
import Foundation

/// Runs the full-screen app until the user quits. Restores the terminal on every path:
/// q, Q, Ctrl-C, SIGTERM, SIGHUP, SIGINT and fatal signals.
///
/// Store queries run on a background queue; their answers come back to the input loop
/// as messages, so the screen never freezes.
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

/// Messages posted from background effects to the input loop.
final class Inbox: @unchecked Sendable {
    private let lock = NSLock()
    private var messages: [Message] = []

    func post(_ message: Message) {
        lock.lock()
        messages.append(message)
        lock.unlock()
    }

    func drain() -> [Message] {
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

    init(backend: any TerminalBackend, reader: any AuditReader, options: TerminalOptions) {
        self.backend = backend
        runner = EffectRunner(reader: reader, now: options.now, timeZone: options.timeZone, exporter: options.exporter,
                              suppressionActions: options.suppressionActions)
        state = AppState(options: options, size: backend.size)
    }

    func run() {
        dispatch(.started)
        var lastTick = Date()
        var dirty = true
        while !state.shouldQuit, backend.pendingSignal == nil {
            if dirty {
                let force = state.redrawRequests != drawnRedraws || state.size != lastSize
                backend.draw(view(state), force: force)
                drawnRedraws = state.redrawRequests
                lastSize = state.size
                dirty = false
            }
            if let input = backend.nextInput(timeoutMilliseconds: 25) {
                guard handle(input) else { return }
                // Input already waiting (a paste, key repeat) is handled before the next
                // frame, so a long paste costs a few frames rather than one per character.
                var handled = 1
                while handled < 1_000, !state.shouldQuit, backend.pendingSignal == nil,
                      let more = backend.nextInput(timeoutMilliseconds: 0) {
                    guard handle(more) else { return }
                    handled += 1
                }
                dirty = true
            }
            let arrived = inbox.drain()
            for message in arrived { dispatch(message) }
            if !arrived.isEmpty { dirty = true }
            if Date().timeIntervalSince(lastTick) >= 0.5 {
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
