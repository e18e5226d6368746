/// Shown alone when the terminal is smaller than 60×15.
public struct TooSmallScreen: Widget {
    public var size: TerminalSize

    public init(size: TerminalSize) {
        self.size = size
    }

    /// "Terminal too small (need 60×15, have 50×12)".
    public var message: String {
        "Terminal too small (need \(TerminalSize.minimum), have \(size))"
    }

    public func render(into buffer: inout Buffer, area: Rect) {
        let lines = TextWrap.wrap(message, width: area.width) + TextWrap.wrap("Enlarge the window, or press q to quit.", width: area.width)
        let top = max(0, (area.height - lines.count) / 2)
        for (offset, line) in lines.enumerated() {
            let x = area.x + max(0, (area.width - DisplayWidth.of(line)) / 2)
            buffer.put(line, x: x, y: area.y + top + offset, width: area.width,
                       style: offset == 0 ? Style(.warning, bold: true) : Style(.muted))
        }
    }
}
