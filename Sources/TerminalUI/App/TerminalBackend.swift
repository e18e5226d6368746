/// What the run loop needs from a terminal. The curses backend is the real one.
protocol TerminalBackend: AnyObject {
    /// The current size.
    var size: TerminalSize { get }
    /// The next key, mouse event or resize, waiting at most `timeoutMilliseconds`.
    func nextInput(timeoutMilliseconds: Int) -> InputEvent?
    /// Sleeps until the terminal has input, `wakeDescriptor` is readable, a signal arrives or
    /// `timeoutMilliseconds` pass; uses no CPU meanwhile. False when the terminal hung up.
    func waitForInput(orWake wakeDescriptor: Int32?, timeoutMilliseconds: Int) -> Bool
    /// Paints a frame; `force` repaints every cell (Ctrl-L, resize).
    func draw(_ buffer: Buffer, force: Bool)
    /// A termination signal (SIGTERM, SIGHUP, SIGINT) that arrived, if any.
    var pendingSignal: Int32? { get }
    /// Restores the terminal. Safe to call more than once.
    func shutdown()
}

/// Input read from the terminal.
enum InputEvent: Sendable, Hashable {
    case key(Key)
    case resize(TerminalSize)
    /// The terminal went away (for example a dropped SSH session).
    case hangUp
}
