// The only file that imports curses.
@preconcurrency import CNcurses
import CTerminalSignals
import Foundation

/// Why the terminal could not be used.
public struct TerminalError: Error, CustomStringConvertible, Sendable {
    public var description: String
}

/// The ncurses backend: sets the terminal up, decodes keys and mouse events, paints
/// buffers, and restores the terminal on every exit path.
final class CursesBackend: TerminalBackend {
    private var active = false
    private var previous: Buffer?
    private var attributes: [StyleRole: (attrs: attr_t, pair: Int16)] = [:]
    private let mouseEnabled: Bool
    private var lastPress: (x: Int, y: Int, time: TimeInterval)?

    init(options: TerminalOptions) throws {
        guard isatty(STDIN_FILENO) == 1, isatty(STDOUT_FILENO) == 1 else {
            throw TerminalError(description: "email-audit needs a terminal (stdin and stdout must be a TTY)")
        }
        setlocale(LC_ALL, "")
        // LINES/COLUMNS would pin the size and break resizing.
        unsetenv("LINES")
        unsetenv("COLUMNS")
        if let problem = Self.terminalProblem(ea_check_terminal()) {
            throw TerminalError(description: problem)
        }
        guard ea_newterm() != nil else {
            throw TerminalError(description: "cannot start the terminal (TERM=\(ProcessInfo.processInfo.environment["TERM"] ?? "unset"))")
        }
        active = true
        ea_set_curses_active(1)
        // A fatal signal ends curses mode with endwin before the crash is reported.
        ea_install_signal_handlers(endwin)
        mouseEnabled = options.mouseEnabled
        let screen = ea_stdscr()
        raw()
        noecho()
        nonl()
        keypad(screen, true)
        intrflush(screen, false)
        curs_set(0)
        set_escdelay(25)
        if mouseEnabled {
            let mask = ea_button1_pressed() | ea_button1_clicked() | ea_button1_double_clicked()
                | ea_button4_pressed() | ea_button5_pressed()
            mousemask(mask, nil)
            mouseinterval(0)
            // SGR reports (mode 1006) carry any column as digits; X10 reports stop at column 223.
            // curses keeps decoding X10 reports itself; SGR ones come back as `sgrMouseKey`.
            define_key("\u{1B}[<", Self.sgrMouseKey)
            fputs("\u{1B}[?1006h", stdout)
            fflush(stdout)
        }
        let noColor = ProcessInfo.processInfo.environment["NO_COLOR"].map { !$0.isEmpty } ?? false
        setUpStyles(color: options.colorEnabled && !noColor && has_colors())
    }

    deinit {
        shutdown()
    }

    /// One line naming the TERM and what to set, for a terminal that cannot run the screen.
    static func terminalProblem(_ check: Int32) -> String? {
        let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
        let advice = "set TERM=xterm-256color, or TERM=vt100 for an older terminal"
        switch check {
        case 0: return nil
        case 1: return "TERM is not set; \(advice)"
        case 2: return "TERM=\(term) is unknown here (no terminfo entry); \(advice)"
        case 3: return "no terminfo database found for TERM=\(term); install ncurses-base or set TERMINFO"
        default: return "TERM=\(term) cannot move the cursor, which the screen needs; \(advice) (or use `email-audit query`)"
        }
    }

    var size: TerminalSize {
        let screen = ea_stdscr()
        return TerminalSize(width: Int(ea_getmaxx(screen)), height: Int(ea_getmaxy(screen)))
    }

    var pendingSignal: Int32? {
        let value = ea_pending_signal()
        return value == 0 ? nil : value
    }

    func shutdown() {
        guard active else { return }
        active = false
        ea_set_curses_active(0)
        if mouseEnabled {
            fputs("\u{1B}[?1006l", stdout)
            fflush(stdout)
            mousemask(0, nil)
        }
        curs_set(1)
        endwin()
        fflush(stdout)
    }

    /// Ends the process with a termination signal, after ``shutdown()``.
    static func reraise(_ signal: Int32) {
        ea_reraise(signal)
    }

    // MARK: Styles

    private func setUpStyles(color: Bool) {
        let bold = ea_attr_bold(), reverse = ea_attr_reverse(), underline = ea_attr_underline(), dim = ea_attr_dim()
        let normal = ea_attr_normal()
        guard color else {
            let mono: [StyleRole: attr_t] = [
                .plain: normal, .title: reverse, .header: bold, .label: normal, .ok: normal, .warning: bold,
                .error: bold | underline, .muted: dim, .selected: reverse, .focused: reverse | bold, .border: normal,
                .hintKey: reverse, .hintLabel: normal, .input: underline, .invalid: bold | underline, .accent: bold,
            ]
            attributes = mono.mapValues { (attrs: $0, pair: 0) }
            return
        }
        start_color()
        let defaults = use_default_colors() == OK
        let fg: Int16 = defaults ? -1 : Int16(COLOR_WHITE)
        let bg: Int16 = defaults ? -1 : Int16(COLOR_BLACK)
        let manyColours = ea_colors() >= 16
        let table: [(StyleRole, Int16, Int16, attr_t)] = [
            (.plain, fg, bg, normal),
            (.title, Int16(COLOR_WHITE), Int16(COLOR_BLUE), bold),
            (.header, fg, bg, bold),
            (.label, Int16(COLOR_CYAN), bg, normal),
            (.ok, Int16(COLOR_GREEN), bg, normal),
            (.warning, Int16(COLOR_YELLOW), bg, normal),
            (.error, Int16(COLOR_RED), bg, bold),
            (.muted, manyColours ? 8 : fg, bg, manyColours ? normal : dim),
            (.selected, Int16(COLOR_BLACK), Int16(COLOR_CYAN), normal),
            (.focused, Int16(COLOR_BLACK), Int16(COLOR_YELLOW), bold),
            (.border, Int16(COLOR_BLUE), bg, normal),
            (.hintKey, Int16(COLOR_BLACK), Int16(COLOR_CYAN), bold),
            (.hintLabel, fg, bg, normal),
            (.input, fg, bg, underline),
            (.invalid, Int16(COLOR_RED), bg, bold | underline),
            (.accent, Int16(COLOR_MAGENTA), bg, bold),
        ]
        let available = Int(ea_color_pairs_available())
        for (index, entry) in table.enumerated() {
            let pair = Int16(index + 1)
            if Int(pair) < available, init_pair(pair, entry.1, entry.2) == OK {
                attributes[entry.0] = (attrs: entry.3, pair: pair)
            } else {
                attributes[entry.0] = (attrs: entry.3 | (entry.0 == .selected || entry.0 == .title ? reverse : normal), pair: 0)
            }
        }
    }

    private func attrs(for style: Style) -> (attr_t, Int16) {
        var (attrs, pair) = attributes[style.role] ?? (ea_attr_normal(), 0)
        if style.bold { attrs |= ea_attr_bold() }
        if style.reverse { attrs |= ea_attr_reverse() }
        if style.underline { attrs |= ea_attr_underline() }
        return (attrs, pair)
    }

    // MARK: Painting

    func draw(_ buffer: Buffer, force: Bool) {
        guard active else { return }
        let screen = ea_stdscr()
        if force || previous?.width != buffer.width || previous?.height != buffer.height {
            previous = nil
            werase(screen)
            if force { clearok(screen, true) }
        }
        for y in 0..<buffer.height {
            if let previous, (0..<buffer.width).allSatisfy({ previous[$0, y] == buffer[$0, y] }) { continue }
            for x in 0..<buffer.width {
                let cell = buffer[x, y]
                if cell.isContinuation { continue }
                if buffer.charset == .ascii, drawASCII(cell, y: y, x: x) { continue }
                var scalars = cell.grapheme.unicodeScalars.prefix(5).map { wchar_t(bitPattern: $0.value) }
                if scalars.isEmpty { scalars = [wchar_t(32)] }
                scalars.append(0)
                let (a, pair) = attrs(for: cell.style)
                // ERR alone is normal at the bottom-right corner (the cursor cannot advance); -2 means a bad glyph.
                if ea_add_wide(Int32(y), Int32(x), scalars, a, pair) == -2, cell.width == 1 {
                    var fallback: [wchar_t] = [wchar_t(63), 0]
                    _ = ea_add_wide(Int32(y), Int32(x), &fallback, a, pair)
                }
            }
        }
        wnoutrefresh(screen)
        doupdate()
        previous = buffer
    }

    /// In ASCII mode, paints a line-drawing cell with the alternate character set and any
    /// cell that is not ASCII as "?" (the buffer transliterates, so that is only a safety net).
    /// Returns false for an ASCII cell, which is painted as usual.
    private func drawASCII(_ cell: Cell, y: Int, x: Int) -> Bool {
        guard let scalar = cell.grapheme.unicodeScalars.first, !cell.grapheme.unicodeScalars.allSatisfy(\.isASCII)
        else { return false }
        let (a, pair) = attrs(for: cell.style)
        let code = cell.grapheme.unicodeScalars.count == 1 ? Self.lineDrawingCodes[scalar.value] : nil
        let glyph = code.map { ea_acs(CChar(bitPattern: $0)) } ?? chtype(UInt8(ascii: "?"))
        _ = ea_add_acs(Int32(y), Int32(x), glyph, a, pair)
        return true
    }

    /// The VT100 alternate-character-set code of each light box-drawing character.
    private static let lineDrawingCodes: [UInt32: UInt8] = [
        0x2500: UInt8(ascii: "q"), 0x2502: UInt8(ascii: "x"), 0x250C: UInt8(ascii: "l"), 0x2510: UInt8(ascii: "k"),
        0x2514: UInt8(ascii: "m"), 0x2518: UInt8(ascii: "j"), 0x251C: UInt8(ascii: "t"), 0x2524: UInt8(ascii: "u"),
        0x252C: UInt8(ascii: "w"), 0x2534: UInt8(ascii: "v"), 0x253C: UInt8(ascii: "n"),
    ]

    // MARK: Input

    func nextInput(timeoutMilliseconds: Int) -> InputEvent? {
        guard active else { return .hangUp }
        let screen = ea_stdscr()
        wtimeout(screen, Int32(timeoutMilliseconds))
        var character: wint_t = 0
        let result = wget_wch(screen, &character)
        if result == ERR {
            // A vanished terminal (dropped SSH) reads as end of input.
            return isatty(STDIN_FILENO) == 1 ? nil : .hangUp
        }
        if result == KEY_CODE_YES {
            if Int32(character) == Self.sgrMouseKey { return decodeSGRMouse() }
            return decodeKeyCode(Int32(character))
        }
        if character == 0x1B {
            return escapeOrAltChord()
        }
        return decodeCharacter(UInt32(character)).map { .key($0) }
    }

    func waitForInput(orWake wakeDescriptor: Int32?, timeoutMilliseconds: Int) -> Bool {
        guard active else { return false }
        var descriptors = [pollfd(fd: STDIN_FILENO, events: Int16(POLLIN), revents: 0)]
        if let wakeDescriptor { descriptors.append(pollfd(fd: wakeDescriptor, events: Int16(POLLIN), revents: 0)) }
        let ready = poll(&descriptors, nfds_t(descriptors.count), Int32(timeoutMilliseconds))
        // A signal (resize, termination) interrupts the wait: the loop looks at it next.
        guard ready > 0 else { return true }
        let gone = Int16(POLLHUP | POLLERR | POLLNVAL)
        return descriptors[0].revents & gone == 0
    }

    /// Esc on its own, or the Esc a terminal sends before a key held with Alt (Alt+q arrives
    /// as Esc and q at once). An Alt chord is dropped: no binding uses Alt, and reading it as
    /// Esc then q would leave a field being typed in and quit.
    private func escapeOrAltChord() -> InputEvent? {
        let screen = ea_stdscr()
        wtimeout(screen, 0)
        var next: wint_t = 0
        let result = wget_wch(screen, &next)
        if result == ERR { return .key(.escape) }
        if result == KEY_CODE_YES {
            // Alt with a cursor or function key, or a resize or mouse report: the key itself.
            return decodeKeyCode(Int32(next))
        }
        if next == 0x1B {
            // Esc pressed twice: keep the second for the next read.
            unget_wch(wchar_t(bitPattern: UInt32(next)))
            return .key(.escape)
        }
        return nil
    }

    private func decodeCharacter(_ value: UInt32) -> Key? {
        switch value {
        case 0x1B: return .escape
        case 0x09: return .tab
        case 0x0D, 0x0A: return .enter
        case 0x7F, 0x08: return .backspace
        case 0x00: return nil
        case 0x01...0x1A: return .control(Character(Unicode.Scalar(value + 0x60)!))
        case 0x1C...0x1F: return nil
        default:
            guard let scalar = Unicode.Scalar(value) else { return nil }
            return .character(Character(scalar))
        }
    }

    private func decodeKeyCode(_ code: Int32) -> InputEvent? {
        switch code {
        case KEY_UP: return .key(.up)
        case KEY_DOWN: return .key(.down)
        case KEY_LEFT: return .key(.left)
        case KEY_RIGHT: return .key(.right)
        case KEY_PPAGE: return .key(.pageUp)
        case KEY_NPAGE: return .key(.pageDown)
        case KEY_HOME, KEY_FIND, KEY_A1: return .key(.home)
        case KEY_END, KEY_SELECT, KEY_LL, KEY_C1: return .key(.end)
        case KEY_ENTER: return .key(.enter)
        case KEY_BTAB: return .key(.backTab)
        case KEY_BACKSPACE: return .key(.backspace)
        case KEY_DC: return .key(.delete)
        case ea_key_resize():
            return .resize(size)
        case ea_key_mouse():
            return decodeMouse()
        case KEY_F0 + 1...KEY_F0 + 12:
            return .key(.function(Int(code - KEY_F0)))
        default:
            return nil
        }
    }

    /// The key code curses returns for the start of an SGR mouse report, `ESC [ <`.
    private static let sgrMouseKey = Int32(KEY_MAX) + 0x40

    /// Reads the rest of an SGR mouse report (`button;column;row` then `M` for a press or
    /// `m` for a release, columns and rows from 1) and decodes it.
    private func decodeSGRMouse() -> InputEvent? {
        let screen = ea_stdscr()
        wtimeout(screen, 50)
        var text = ""
        var final: Character?
        while text.count < 24 {
            var character: wint_t = 0
            guard wget_wch(screen, &character) == OK, let scalar = Unicode.Scalar(UInt32(character)) else { return nil }
            let typed = Character(scalar)
            if typed == "M" || typed == "m" {
                final = typed
                break
            }
            guard typed.isASCII, typed.isNumber || typed == ";" else { return nil }
            text.append(typed)
        }
        let numbers = text.split(separator: ";").compactMap { Int($0) }
        guard final == "M", numbers.count == 3 else { return nil }
        let button = numbers[0], x = numbers[1] - 1, y = numbers[2] - 1
        guard x >= 0, y >= 0, button & 32 == 0 else { return nil }  // motion reports are not asked for
        if button & 64 != 0 {
            return .key(.mouse(MouseEvent(kind: button & 1 == 0 ? .wheelUp : .wheelDown, x: x, y: y)))
        }
        guard button & 3 == 0 else { return nil }
        return press(x: x, y: y)
    }

    /// A left-button press: a click, or a double-click when it follows one at the same place.
    private func press(x: Int, y: Int) -> InputEvent {
        let now = Date().timeIntervalSince1970
        defer { lastPress = (x, y, now) }
        if let last = lastPress, last.y == y, abs(last.x - x) <= 2, now - last.time < 0.4 {
            lastPress = nil
            return .key(.mouse(MouseEvent(kind: .doubleClick, x: x, y: y)))
        }
        return .key(.mouse(MouseEvent(kind: .click, x: x, y: y)))
    }

    private func decodeMouse() -> InputEvent? {
        var event = MEVENT()
        guard getmouse(&event) == OK else { return nil }
        let x = Int(event.x), y = Int(event.y)
        let state = event.bstate
        if state & ea_button4_pressed() != 0 { return .key(.mouse(MouseEvent(kind: .wheelUp, x: x, y: y))) }
        if state & ea_button5_pressed() != 0 { return .key(.mouse(MouseEvent(kind: .wheelDown, x: x, y: y))) }
        if state & ea_button1_double_clicked() != 0 { return .key(.mouse(MouseEvent(kind: .doubleClick, x: x, y: y))) }
        if state & (ea_button1_pressed() | ea_button1_clicked()) != 0 {
            return press(x: x, y: y)
        }
        return nil
    }
}
