import AuditCore

/// The pop-up that takes the note (a request) or the reason (a removal) for a suppression.
public struct SuppressionPromptView: Widget {
    public var prompt: SuppressionPromptState

    public init(prompt: SuppressionPromptState) {
        self.prompt = prompt
    }

    /// A box of up to 72 × 8 in the middle of the screen.
    public static func rect(in size: TerminalSize) -> Rect {
        Popup.centred(width: 72, height: 8, in: size)
    }

    public func render(into buffer: inout Buffer, area: Rect) {
        let removing = prompt.change == .remove
        Popup(title: removing ? "Remove the suppression" : "Ask support to remove it", note: "Enter send · Esc cancel")
            .render(into: &buffer, area: area)
        let inner = Popup.contentArea(of: area)
        let address = TerminalText.singleLine(prompt.address)
        var lines: [(String, Style)] = [
            ((removing ? "Address: " : "Ask support to remove: ") + address, Style(.plain)),
            (removing ? "Reason (kept in the history):" : "Note for support (why, who confirmed the address):", Style(.label, bold: true)),
            ("", .plain),
        ]
        if prompt.sending {
            lines.append(("Saving…", Style(.muted)))
        } else if prompt.confirming {
            lines.append(("Enter again removes it: the provider sends to it again.", Style(.warning, bold: true)))
        } else {
            lines.append((removing ? "Enter, then Enter again to confirm." : "Enter sends the request.", Style(.muted)))
        }
        var y = inner.y
        for (text, style) in lines where y < inner.maxY {
            buffer.put(text, x: inner.x, y: y, width: inner.width, style: style)
            y += 1
        }
        let boxY = inner.y + 2
        guard boxY < inner.maxY else { return }
        buffer.fill(Rect(x: inner.x, y: boxY, width: inner.width, height: 1), style: Style(.input))
        var shown = TerminalText.singleLine(prompt.text)
        while DisplayWidth.of(shown) > inner.width - 2, !shown.isEmpty { shown.removeFirst() }
        let w = buffer.put(shown, x: inner.x, y: boxY, width: inner.width - 1, style: Style(.input))
        buffer.put(ScreenCharset.current == .ascii ? "_" : "▏", x: inner.x + w, y: boxY, width: 1, style: Style(.input, bold: true))
    }
}
