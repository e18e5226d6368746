import AuditCore

/// The top line of a screen: the screen's name and its main facts on the left, and
/// secondary facts on the right (cut first when the terminal is narrow).
public struct HeaderLine: Widget {
    public var title: String
    public var facts: [String]
    public var trailing: [String]

    public init(title: String, facts: [String], trailing: [String] = []) {
        self.title = title
        self.facts = facts
        self.trailing = trailing
    }

    /// The unread notification count every screen's header shows (set by ``view(_:)``; empty
    /// when notifications are off).
    @TaskLocal public static var badge: String = ""

    /// "3 unread (w)": the unread notifications and the key that lists them.
    public static func unreadBadge(_ count: Int?) -> String {
        guard let count else { return "" }
        return "\(Count.text(count)) unread (w)"
    }

    public func render(into buffer: inout Buffer, area: Rect) {
        let trailing = Self.badge.isEmpty ? self.trailing : [Self.badge] + self.trailing
        let style = Style(.title)
        buffer.fill(area.row(0), style: style)
        var line = StyledLine(" " + title, Style(.title, bold: true))
        for fact in facts where !fact.isEmpty {
            line.append(" │ ", style)
            line.append(fact, style)
        }
        let right = trailing.filter { !$0.isEmpty }.joined(separator: " · ")
        let room = area.width - line.width - 4
        if !right.isEmpty, room >= 12 {
            let cut = DisplayWidth.truncate(right, to: room)
            buffer.put(cut, x: area.maxX - 1 - DisplayWidth.of(cut), y: area.y, style: style)
            line.render(into: &buffer, x: area.x, y: area.y, width: area.width - DisplayWidth.of(cut) - 3)
        } else {
            line.render(into: &buffer, x: area.x, y: area.y, width: area.width)
        }
    }
}
