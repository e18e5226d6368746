import AuditCore

/// The always-visible filter bar: Raised by · Status · To · Subject · Date range.
///
/// The focused field is highlighted; while To is being edited it shows the text typed.
public struct FilterBar: Widget {
    public var state: AppState

    public init(state: AppState) {
        self.state = state
    }

    /// A field and the columns it occupies.
    public struct Placed: Sendable, Hashable {
        public var field: FilterField
        public var columns: Range<Int>
        public var text: String
    }

    /// The text of a field ("Status: Failed ▾").
    static func text(of field: FilterField, state: AppState, compact: Bool = false) -> String {
        let filter = state.filter
        let value: String
        switch field {
        case .raisedBy:
            value = FilterChoices.raisedByWords(filter.raisedBy, staff: state.staff) + " ▾"
        case .status:
            value = FilterChoices.statusWords(filter.statuses, width: compact ? 18 : 32) + " ▾"
        case .to:
            if state.focus == .field(.to) {
                value = TerminalText.singleLine(state.draft.toText) + "▏"
            } else {
                value = filter.to.map { TerminalText.singleLine($0.description) } ?? "anyone"
            }
        case .subject:
            if state.focus == .field(.subject) {
                value = TerminalText.singleLine(state.draft.subjectText) + "▏"
            } else {
                value = filter.subject.map { "“" + TerminalText.singleLine($0) + "”" } ?? "any"
            }
        case .dateRange:
            value = filter.dateRange.displayName + " ▾"
        }
        guard compact else { return "\(field.label): \(value)" }
        let label = field == .raisedBy ? "By" : field == .subject ? "Subj" : field.label
        return "\(label): " + (value.hasSuffix(" ▾") ? String(value.dropLast(2)) : value)
    }

    /// Where each field is drawn at a width (shared with mouse handling).
    public static func place(state: AppState, width: Int) -> [Placed] {
        var gap = 2
        var texts = FilterField.allCases.map { text(of: $0, state: state) }
        var natural = texts.map { DisplayWidth.of($0) + 2 }
        if natural.reduce(0, +) + gap * (texts.count - 1) > width - 1 {
            // Narrow terminal: short labels, no ▾, tighter gaps.
            gap = 1
            texts = FilterField.allCases.map { text(of: $0, state: state, compact: true) }
            natural = texts.map { DisplayWidth.of($0) + 2 }
        }
        let available = width - 1 - gap * (texts.count - 1)
        var widths = natural
        if natural.reduce(0, +) > available {
            // Share the width, letting short fields keep what they need.
            var remaining = available
            var open = Array(texts.indices).sorted { natural[$0] < natural[$1] }
            while !open.isEmpty {
                let share = remaining / open.count
                let index = open.removeFirst()
                widths[index] = min(natural[index], max(4, share))
                remaining -= widths[index]
            }
        }
        var placed: [Placed] = []
        var x = 1
        for (index, field) in FilterField.allCases.enumerated() {
            placed.append(Placed(field: field, columns: x..<(x + widths[index]), text: texts[index]))
            x += widths[index] + gap
        }
        return placed
    }

    public func render(into buffer: inout Buffer, area: Rect) {
        buffer.fill(area.row(0))
        for item in FilterBar.place(state: state, width: area.width) {
            let focused = state.focus == .field(item.field) || state.focus == .bar(item.field)
            let isSet: Bool
            switch item.field {
            case .raisedBy: isSet = !state.filter.raisedBy.isEmpty
            case .status: isSet = !state.filter.statuses.isEmpty
            case .to: isSet = state.filter.to != nil
            case .subject: isSet = state.filter.subject != nil
            case .dateRange: isSet = state.filter.dateRange != .today
            }
            let style = focused ? Style(.focused, bold: true, reverse: true) : Style(isSet ? .accent : .label, bold: isSet)
            let x = area.x + item.columns.lowerBound
            buffer.put(" " + item.text + " ", x: x, y: area.y, width: item.columns.count, style: style)
        }
    }
}
