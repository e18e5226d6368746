import AuditCore

/// The list that opens under a filter field while it is edited: the Raised by pick
/// list (type to narrow), the Status ticks, the date ranges with custom dd/mm/yyyy
/// boxes validated as typed, or a note on how to write the To address.
public struct FilterDropdown: Widget {
    public var state: AppState
    public var field: FilterField

    public init(state: AppState, field: FilterField) {
        self.state = state
        self.field = field
    }

    /// Rows inside the frame before the first choice.
    public static func firstChoiceRow(for field: FilterField) -> Int {
        field == .raisedBy ? 2 : 1
    }

    /// Rows inside the frame after the choices.
    static func footerRows(for field: FilterField, state: AppState) -> Int {
        field == .dateRange && state.draft.dateHighlight == FilterChoices.customDateRow ? 4 : 0
    }

    static func choiceCount(for field: FilterField, state: AppState) -> Int {
        switch field {
        case .raisedBy: state.raisedByMatches.count + 1
        case .status: FilterChoices.statusRows.count
        case .dateRange: FilterChoices.dateRows.count
        case .to, .subject: 0
        }
    }

    static func highlight(for field: FilterField, state: AppState) -> Int {
        switch field {
        case .raisedBy: state.draft.raisedByHighlight
        case .status: state.draft.statusHighlight
        case .dateRange: state.draft.dateHighlight
        case .to, .subject: 0
        }
    }

    /// The frame of the drop-down for a field (shared with mouse handling).
    public static func rect(for field: FilterField, state: AppState) -> Rect? {
        let layout = state.layout
        let placed = FilterBar.place(state: state, width: state.size.width)
        guard let anchor = placed.first(where: { $0.field == field }) else { return nil }
        let width: Int
        let natural: Int
        switch field {
        case .raisedBy:
            width = 34
            natural = 2 + 1 + choiceCount(for: field, state: state)
        case .status:
            width = 28
            natural = 2 + choiceCount(for: field, state: state)
        case .dateRange:
            width = 34
            natural = 2 + choiceCount(for: field, state: state) + footerRows(for: field, state: state)
        case .to:
            width = 46
            natural = 2 + 5
        case .subject:
            width = 46
            natural = 2 + 3
        }
        let maxHeight = layout.statusRow - (layout.filterRow + 1) + 1
        let w = min(width, state.size.width)
        let x = min(anchor.columns.lowerBound, state.size.width - w)
        return Rect(x: max(0, x), y: layout.filterRow + 1, width: w, height: min(natural, maxHeight))
    }

    /// The first choice shown, so the highlighted one is visible.
    public static func scrollOffset(for field: FilterField, state: AppState, height: Int) -> Int {
        let visible = max(1, height - 2 - (firstChoiceRow(for: field) - 1) - footerRows(for: field, state: state))
        let highlight = highlight(for: field, state: state)
        return max(0, min(highlight - visible + 1, choiceCount(for: field, state: state) - visible))
    }

    public func render(into buffer: inout Buffer, area: Rect) {
        let titles: [FilterField: String] = [.raisedBy: "Raised by", .status: "Status", .to: "To", .subject: "Subject",
                                             .dateRange: "Date range"]
        buffer.fill(area)
        buffer.frame(area, title: titles[field])
        let inner = area.inset(by: 1)
        guard inner.width > 0, inner.height > 0 else { return }
        let draft = state.draft
        var y = inner.y
        let footer = FilterDropdown.footerRows(for: field, state: state)
        if field == .to {
            let text = draft.toText.trimmingCharacters(in: .whitespaces)
            let (message, style): (String, Style) = {
                if text.isEmpty { return ("Empty: emails to anyone", Style(.muted)) }
                if let messageID = MessageIDText.bare(text) {
                    return ("✓ Enter views <\(TerminalText.singleLine(messageID))>", Style(.ok))
                }
                guard let pattern = AddressPattern(parsing: text) else { return ("✗ * only as smith*, *@domain or *part*", Style(.invalid)) }
                switch pattern {
                case .prefix(let stem): return ("✓ addresses starting \(TerminalText.singleLine(stem))", Style(.ok))
                case .domain(let domain): return ("✓ every address @\(TerminalText.singleLine(domain))", Style(.ok))
                case .contains(let part): return ("✓ addresses containing \(TerminalText.singleLine(part))", Style(.ok))
                case .exact(let address):
                    return EmailAddress.isValid(address)
                        ? ("✓ exactly this address", Style(.ok))
                        : ("… not a whole address (add * for a prefix)", Style(.warning))
                }
            }()
            let lines: [StyledLine] = [
                StyledLine("An address, its start (smith*), a", Style(.muted)),
                StyledLine("domain (*@hotmail.co.uk), a part (*hughes*)", Style(.muted)),
                StyledLine("or a Message-ID in <…> to view it", Style(.muted)),
                StyledLine(message, style),
                StyledLine("Enter apply · Esc cancel", Style(.muted)),
            ]
            for line in lines where y < inner.maxY {
                line.render(into: &buffer, x: inner.x + 1, y: y, width: inner.width - 1)
                y += 1
            }
            return
        }
        if field == .subject {
            let text = draft.subjectText.trimmingCharacters(in: .whitespaces)
            let lines: [StyledLine] = [
                StyledLine("Emails whose subject contains the text", Style(.muted)),
                text.isEmpty ? StyledLine("Empty: any subject", Style(.muted))
                    : StyledLine("✓ subject contains “\(TerminalText.singleLine(text))”", Style(.ok)),
                StyledLine("Enter apply · Esc cancel", Style(.muted)),
            ]
            for line in lines where y < inner.maxY {
                line.render(into: &buffer, x: inner.x + 1, y: y, width: inner.width - 1)
                y += 1
            }
            return
        }
        if field == .raisedBy {
            StyledLine([Span("Find: ", Style(.label)), Span(TerminalText.singleLine(draft.raisedByQuery) + "▏", Style(.input))])
                .render(into: &buffer, x: inner.x + 1, y: y, width: inner.width - 1)
            y += 1
        }
        let choiceRows = max(0, inner.maxY - y - footer)
        let offset = FilterDropdown.scrollOffset(for: field, state: state, height: area.height)
        let highlight = FilterDropdown.highlight(for: field, state: state)
        let count = FilterDropdown.choiceCount(for: field, state: state)
        for row in 0..<choiceRows {
            let index = offset + row
            guard index < count else { break }
            let line = choiceLine(index)
            let rowRect = Rect(x: inner.x, y: y + row, width: inner.width, height: 1)
            if index == highlight { buffer.fill(rowRect, style: Style(.selected)) }
            var styled = line
            if index == highlight {
                styled.spans = styled.spans.map { Span($0.text, $0.style.role == .plain ? Style(.selected) : $0.style.reversed) }
            }
            styled.render(into: &buffer, x: inner.x + 1, y: y + row, width: inner.width - 1)
        }
        let above = offset > 0, below = offset + choiceRows < count
        if above || below {
            // The list is cut: say so on the bottom border.
            let mark = above && below ? " ↑↓ more " : below ? " ↓ more " : " ↑ more "
            let w = DisplayWidth.of(mark)
            if area.width > w + 2 {
                buffer.put(mark, x: area.maxX - 1 - w, y: area.maxY - 1, style: Style(.muted))
            }
        }
        if footer > 0 {
            renderCustomDates(into: &buffer, x: inner.x + 1, y: inner.maxY - footer, width: inner.width - 1)
        }
    }

    func choiceLine(_ index: Int) -> StyledLine {
        switch field {
        case .raisedBy:
            if index == 0 { return StyledLine("Anyone") }
            let person = state.raisedByMatches[index - 1]
            return StyledLine(TerminalText.singleLine(person.name))
        case .status:
            let status = FilterChoices.statusRows[index]
            let ticked = status.map { state.draft.statuses.contains($0) } ?? state.draft.statuses.isEmpty
            var line = StyledLine(ticked ? "[x] " : "[ ] ")
            if let status { line.append(status.displayName, status.style) } else { line.append("All") }
            return line
        case .dateRange:
            let chosen = index < FilterChoices.customDateRow
                ? DateRangeChoice.named[index] == state.filter.dateRange
                : { if case .custom = state.filter.dateRange { return true } else { return false } }()
            return StyledLine((chosen ? "• " : "  ") + FilterChoices.dateRows[index])
        case .to, .subject:
            return StyledLine()
        }
    }

    func renderCustomDates(into buffer: inout Buffer, x: Int, y: Int, width: Int) {
        let draft = state.draft
        func box(_ label: String, _ text: String, active: Bool) -> StyledLine {
            let input = DateInputState(text)
            let style: Style
            switch input {
            case .invalid: style = Style(.invalid, bold: true)
            case .valid: style = Style(.ok)
            default: style = Style(.input)
            }
            let shown = text.isEmpty && !active ? "dd/mm/yyyy" : TerminalText.singleLine(text) + (active ? "▏" : "")
            return StyledLine([Span(label, Style(.label)), Span(shown, text.isEmpty && !active ? Style(.muted) : style)])
        }
        box("From: ", draft.customFrom, active: draft.customBox == .from).render(into: &buffer, x: x, y: y, width: width)
        box("To:   ", draft.customThrough, active: draft.customBox == .through).render(into: &buffer, x: x, y: y + 1, width: width)
        let status = FilterDropdown.customStatus(from: draft.customFrom, through: draft.customThrough)
        status.render(into: &buffer, x: x, y: y + 2, width: width)
        StyledLine("←→ day · PgUp/PgDn month · ↓↑ box", Style(.muted)).render(into: &buffer, x: x, y: y + 3, width: width)
    }

    /// The line under the custom boxes: what is missing, what is wrong, or the range Enter applies.
    static func customStatus(from: String, through: String) -> StyledLine {
        let missing = [("From", from), ("To", through)]
            .filter { $0.1.trimmingCharacters(in: .whitespaces).isEmpty }.map(\.0)
        if !missing.isEmpty {
            return StyledLine("… type " + missing.joined(separator: " and ") + " (dd/mm/yyyy)", Style(.warning))
        }
        switch FilterChoices.customRange(from: from, through: through) {
        case .success(let range): return StyledLine("✓ Enter: " + range.displayName, Style(.ok))
        case .failure(let error):
            return error.isIncomplete ? StyledLine("… " + error.text, Style(.warning)) : StyledLine("✗ " + error.text, Style(.invalid))
        }
    }
}
