import AuditCore

/// Every key, grouped, generated from ``KeyTable``, followed by what each status means.
public struct HelpOverlay: Widget {
    public var scroll: Int
    /// Whether to say first that names are transliterated (the locale is not UTF-8).
    public var localeNote: Bool

    public init(scroll: Int, localeNote: Bool = false) {
        self.scroll = scroll
        self.localeNote = localeNote
    }

    /// The header's few words when the locale is not UTF-8.
    public static let localeNoteShort = "ASCII names: LANG=C.UTF-8 for full"

    /// The help's sentence when the locale is not UTF-8.
    public static let localeNoteText = "This terminal's locale is not UTF-8, so names and text are shown in ASCII: "
        + "accents dropped, ? where a character has no ASCII form. Start email-audit with LANG=C.UTF-8 "
        + "(or another UTF-8 locale) to see names in full."

    /// The help text at a width, as styled lines.
    public static func lines(width: Int, localeNote: Bool = false) -> [StyledLine] {
        var lines: [StyledLine] = []
        if localeNote {
            lines.append(Section.heading("Names in ASCII"))
            for part in TextWrap.wrap(localeNoteText, width: max(10, width - 2)) {
                lines.append(StyledLine("  " + part, Style(.accent)))
            }
        }
        let keyColumn = 14
        for (group, entries) in KeyTable.helpGroups() {
            if !lines.isEmpty { lines.append(StyledLine()) }
            lines.append(Section.heading(group.rawValue))
            for entry in entries {
                let wrapped = TextWrap.wrap(entry.help, width: max(10, width - keyColumn - 2))
                for (index, part) in wrapped.enumerated() {
                    let keys = index == 0 ? entry.keys : ""
                    lines.append(StyledLine([
                        Span("  " + DisplayWidth.fit(keys, to: keyColumn - 2), Style(.hintKey, bold: true)),
                        Span(part),
                    ]))
                }
            }
        }
        lines.append(StyledLine())
        lines.append(Section.heading("Mouse"))
        for text in ["Click a row to select it, double-click to view it.", "The wheel scrolls; click a key in the bottom bar to press it."] {
            for part in TextWrap.wrap(text, width: max(10, width - 2)) { lines.append(StyledLine("  " + part)) }
        }
        lines.append(StyledLine())
        lines.append(Section.heading("Statuses"))
        // The longest name ("Temporary Failure", 17) plus the indent and one space.
        let nameColumn = 2 + (EmailStatus.allCases.map { DisplayWidth.of($0.displayName) }.max() ?? 0) + 1
        for status in EmailStatus.allCases {
            let wrapped = TextWrap.wrap(status.meaning, width: max(10, width - nameColumn - 2))
            for (index, part) in wrapped.enumerated() {
                lines.append(StyledLine([
                    Span("  " + DisplayWidth.fit(index == 0 ? status.displayName : "", to: nameColumn - 2), status.style),
                    Span(part),
                ]))
            }
        }
        return lines
    }

    public func render(into buffer: inout Buffer, area: Rect) {
        let all = HelpOverlay.lines(width: area.width - 4, localeNote: localeNote)
        let visible = area.height - 2
        let scroll = max(0, min(self.scroll, all.count - visible))
        var note: String?
        if scroll > 0, scroll + visible < all.count { note = "↑↓ more" } else if scroll + visible < all.count { note = "↓ more" } else if scroll > 0 { note = "↑ more" }
        Popup(title: "Help — keys", note: "Esc close", scrollNote: note).render(into: &buffer, area: area)
        let content = Popup.contentArea(of: area)
        for (offset, line) in all.dropFirst(scroll).prefix(visible).enumerated() {
            line.render(into: &buffer, x: content.x, y: content.y + offset, width: content.width)
        }
    }
}
