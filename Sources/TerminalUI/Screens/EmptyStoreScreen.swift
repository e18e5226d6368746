import AuditCore

/// Shown instead of an empty list when the store holds no email at all: how to load
/// demo data or ingest provider events.
public struct EmptyStoreScreen: Widget {
    public var accountName: String
    public var userName: String

    public init(accountName: String, userName: String) {
        self.accountName = accountName
        self.userName = userName
    }

    /// The message, line by line.
    public static let lines: [StyledLine] = [
        StyledLine("No emails yet", Style(.header, bold: true)),
        StyledLine(),
        StyledLine("This store holds no email. To try the screen on demo data:"),
        StyledLine([Span("  email-audit demo", Style(.accent, bold: true)), Span("     demo store, statuses move live", Style(.muted))]),
        StyledLine([Span("  email-audit seed", Style(.accent, bold: true)), Span("     seed a store with generated emails", Style(.muted))]),
        StyledLine(),
        StyledLine("To load real provider events (Mailgun JSON, one per line):"),
        StyledLine([Span("  email-audit ingest FILE", Style(.accent, bold: true))]),
        StyledLine(),
        StyledLine("This screen switches to the list by itself when emails arrive.", Style(.muted)),
    ]

    public func render(into buffer: inout Buffer, area: Rect) {
        let layout = ScreenLayout(size: TerminalSize(width: area.width, height: area.height))
        HeaderLine(title: "Email Audit", facts: [], trailing: [TerminalText.singleLine(accountName),
                                                              userName.isEmpty ? "" : "signed in as " + TerminalText.singleLine(userName)])
            .render(into: &buffer, area: area.row(layout.headerRow))
        let lines = EmptyStoreScreen.lines
        let width = min(area.width - 4, lines.map(\.width).max() ?? 0)
        let box = area.centred(width: width + 4, height: lines.count + 2)
        buffer.frame(box)
        for (offset, line) in lines.enumerated() {
            line.render(into: &buffer, x: box.x + 2, y: box.y + 1 + offset, width: box.width - 4)
        }
    }
}
