import AuditCore
import Foundation

/// The resend pop-up: the To box (prefilled, editable), the question about the contacts
/// when the To changed, and a refusal with the suppression entry and how to ask for its removal.
public struct ResendPromptView: Widget {
    public var prompt: ResendState
    public var timeZone: TimeZone

    public init(prompt: ResendState, timeZone: TimeZone) {
        self.prompt = prompt
        self.timeZone = timeZone
    }

    /// A box of up to 76 × 11 in the middle of the screen.
    public static func rect(in size: TerminalSize) -> Rect {
        Popup.centred(width: 76, height: 11, in: size)
    }

    public func render(into buffer: inout Buffer, area: Rect) {
        let note: String
        switch prompt.step {
        case .editing: note = "Enter resend · Esc cancel"
        case .askContacts: note = "y update · n leave them · Esc back"
        case .sending: note = ""
        case .refused: note = "S suppression list · Esc close"
        }
        Popup(title: "Resend email #\(prompt.emailID)", note: note).render(into: &buffer, area: area)
        let inner = Popup.contentArea(of: area)
        var y = inner.y
        func line(_ text: String, _ style: Style = .plain) {
            // Long lines wrap rather than lose the address or the command at the end.
            for part in TextWrap.wrap(TerminalText.singleLine(text), width: max(8, inner.width)) where y < inner.maxY {
                buffer.put(part, x: inner.x, y: y, width: inner.width, style: style)
                y += 1
            }
        }
        if case .refused(let refusal) = prompt.step {
            guard case .suppressed(let entry) = refusal else {
                line(refusal.description, Style(.error, bold: true))
                return
            }
            line("Not resent: \(entry.address) is on the suppression list.", Style(.error, bold: true))
            line(ResendRefusal.suppressionWords(entry, timeZone: timeZone))
            y += 1
            line("To ask support to remove it: S here, then r on the entry with a note;", Style(.label, bold: true))
            line("or run:", Style(.label, bold: true))
            line(ResendRefusal.removalCommand(entry.address))
            line("Nothing was recorded.", Style(.muted))
            return
        }
        line("A new email with the same content and attachments, raised by you, Pending until the next batch.", Style(.muted))
        y += 1
        line("To (edit to correct the address):", Style(.label, bold: true))
        let boxY = y
        y += 2
        switch prompt.step {
        case .askContacts(let address):
            let count = prompt.contactsUsingOriginal
            line("\(count) contact\(count == 1 ? "" : "s") in Unit Search use\(count == 1 ? "s" : "") \(prompt.originalTo).",
                 Style(.warning, bold: true))
            line("Change \(count == 1 ? "it" : "them") to \(address) too? y yes · n no, resend only")
        case .sending:
            line("Saving…", Style(.muted))
        default:
            if let error = prompt.error {
                line(error, Style(.error, bold: true))
            } else {
                line("Enter resends to this address; a changed address offers to update the contacts.", Style(.muted))
            }
        }
        guard boxY < inner.maxY else { return }
        buffer.fill(Rect(x: inner.x, y: boxY, width: inner.width, height: 1), style: Style(.input))
        var shown = TerminalText.singleLine(prompt.text)
        while DisplayWidth.of(shown) > inner.width - 2, !shown.isEmpty { shown.removeFirst() }
        let w = buffer.put(shown, x: inner.x, y: boxY, width: inner.width - 1, style: Style(.input))
        if prompt.step == .editing {
            buffer.put(ScreenCharset.current == .ascii ? "_" : "▏", x: inner.x + w, y: boxY, width: 1, style: Style(.input, bold: true))
        }
    }
}
