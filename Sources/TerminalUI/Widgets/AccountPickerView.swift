import AuditCore

/// The account picker (`A`, support users).
public struct AccountPickerView: Widget {
    public var picker: AccountPickerState
    public var currentAccountID: Int64?

    public init(picker: AccountPickerState, currentAccountID: Int64?) {
        self.picker = picker
        self.currentAccountID = currentAccountID
    }

    /// A box in the middle of the screen, tall enough for the accounts.
    public static func rect(in size: TerminalSize, count: Int) -> Rect {
        Popup.centred(width: 56, height: count + 4, in: size)
    }

    public func render(into buffer: inout Buffer, area: Rect) {
        Popup(title: "Choose the account", note: "Enter choose · Esc cancel").render(into: &buffer, area: area)
        let inner = Popup.contentArea(of: area)
        buffer.put("Support: work in one account at a time.", x: inner.x, y: inner.y, width: inner.width, style: Style(.muted))
        let room = max(0, inner.height - 2)
        let top = max(0, picker.selected - room + 1)
        for (row, index) in picker.accounts.indices.dropFirst(top).prefix(room).enumerated() {
            let account = picker.accounts[index]
            let mark = account.id == currentAccountID ? " (current)" : ""
            let style = index == picker.selected ? Style(.selected, bold: true) : Style(.plain)
            let y = inner.y + 2 + row
            buffer.fill(Rect(x: inner.x, y: y, width: inner.width, height: 1), style: style)
            buffer.put(TerminalText.singleLine(account.name) + mark, x: inner.x + 1, y: y, width: inner.width - 2, style: style)
        }
    }
}
