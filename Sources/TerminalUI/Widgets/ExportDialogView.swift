import AuditCore

/// The export pop-up: the file name being typed, then a progress bar with rows written of
/// the total and the rate, then where the file was saved (or why not).
public struct ExportDialogView: Widget {
    public var dialog: ExportDialogState

    public init(dialog: ExportDialogState) {
        self.dialog = dialog
    }

    /// A box of up to 76 × 9 in the middle of the screen.
    public static func rect(in size: TerminalSize) -> Rect {
        Popup.centred(width: 76, height: 9, in: size)
    }

    public func render(into buffer: inout Buffer, area: Rect) {
        let note: String
        switch dialog.phase {
        case .running: note = "Esc cancel"
        case .naming, .confirmReplace: note = "Enter export · Esc cancel"
        default: note = "Esc close"
        }
        Popup(title: "Export to \(dialog.format.displayName)", note: note).render(into: &buffer, area: area)
        let inner = Popup.contentArea(of: area)
        var lines: [(String, Style)] = []
        let total = dialog.total.map { "\(Count.text($0)) email\($0 == 1 ? "" : "s")" } ?? "Every email"
        switch dialog.phase {
        case .naming, .confirmReplace:
            lines.append(("\(total) of the current list, newest first.", Style(.plain)))
            lines.append(("Folder: " + TerminalText.singleLine(dialog.folder), Style(.muted)))
            lines.append(("File name:", Style(.label, bold: true)))
            lines.append(("", .plain))  // the input box
            if dialog.phase == .confirmReplace {
                lines.append(("That file exists. Enter replaces it; or type another name.", Style(.warning, bold: true)))
            } else {
                lines.append(("Enter writes the file; it is never replaced without asking.", Style(.muted)))
            }
        case .running, .cancelling:
            lines.append(("Writing " + TerminalText.singleLine(dialog.fileName), Style(.plain)))
            lines.append(("", .plain))  // the bar
            let of = dialog.total.map { " of \(Count.text(max($0, dialog.written)))" } ?? ""
            lines.append(("\(Count.text(dialog.written))\(of) rows · \(Count.text(dialog.rate)) rows/s", Style(.plain)))
            lines.append((dialog.phase == .cancelling ? "Cancelling; removing the part-written file…"
                          : "Esc cancels (no part-written file is left).", Style(.muted)))
        case .finished(let path, let rows, let warning):
            lines.append(("Saved \(Count.text(rows)) row\(rows == 1 ? "" : "s") to:", Style(.ok, bold: true)))
            for piece in TextWrap.wrap(TerminalText.singleLine(path), width: max(1, inner.width)).prefix(3) {
                lines.append((piece, Style(.plain)))
            }
            if let warning {
                for piece in TextWrap.wrap("Warning: " + TerminalText.singleLine(warning), width: max(1, inner.width)).prefix(2) {
                    lines.append((piece, Style(.warning)))
                }
            }
            lines.append(("Enter or Esc closes.", Style(.muted)))
        case .failed(let text):
            for piece in TextWrap.wrap(text, width: max(1, inner.width)).prefix(5) {
                lines.append((piece, Style(.error, bold: true)))
            }
            lines.append(("Enter to change the name and try again; Esc closes.", Style(.muted)))
        }
        var y = inner.y
        for (text, style) in lines where y < inner.maxY {
            buffer.put(text, x: inner.x, y: y, width: inner.width, style: style)
            y += 1
        }
        switch dialog.phase {
        case .naming, .confirmReplace:
            let boxY = inner.y + 3
            guard boxY < inner.maxY else { return }
            buffer.fill(Rect(x: inner.x, y: boxY, width: inner.width, height: 1), style: Style(.input))
            // Show the end of a long name (where the typing happens), then the cursor.
            let name = TerminalText.singleLine(dialog.fileName)
            var shown = name
            while DisplayWidth.of(shown) > inner.width - 2, !shown.isEmpty { shown.removeFirst() }
            let w = buffer.put(shown, x: inner.x, y: boxY, width: inner.width - 1, style: Style(.input))
            buffer.put(ScreenCharset.current == .ascii ? "_" : "▏", x: inner.x + w, y: boxY, width: 1, style: Style(.input, bold: true))
        case .running, .cancelling:
            let barY = inner.y + 1
            guard barY < inner.maxY else { return }
            let width = max(1, inner.width - 7)
            let fraction = dialog.total.map { $0 > 0 ? min(1, Double(dialog.written) / Double($0)) : 1 } ?? 0
            let filled = Int((fraction * Double(width)).rounded(.down))
            let ascii = ScreenCharset.current == .ascii
            let bar = String(repeating: ascii ? "#" : "█", count: filled) + String(repeating: ascii ? "-" : "░", count: width - filled)
            buffer.put(bar, x: inner.x, y: barY, width: width, style: Style(.accent))
            buffer.put(" \(Int(fraction * 100))%", x: inner.x + width, y: barY, width: 6, style: Style(.plain, bold: true))
        default:
            break
        }
    }
}
