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

    /// The account's name as the headers show it (set by ``view(_:)``): with the badge, it is
    /// the fact shortened first when the right side does not fit.
    @TaskLocal public static var accountFact: String = ""

    /// `facts` (the badge first) made to fit `room` by shortening the account's name (to no
    /// less than 12 columns), so the badge and the facts after the account (who is signed in)
    /// stay readable; what still does not fit is cut at the end as usual.
    static func fitting(_ facts: [String], room: Int) -> [String] {
        var facts = facts
        let excess = facts.reduce(0) { $0 + DisplayWidth.of($1) } + 3 * max(0, facts.count - 1) - room
        guard excess > 0, !accountFact.isEmpty, let index = facts.indices.dropFirst().first(where: { facts[$0] == accountFact }) else {
            return facts
        }
        let width = DisplayWidth.of(facts[index])
        let target = max(12, width - excess)
        if target < width { facts[index] = DisplayWidth.truncate(facts[index], to: target) }
        return facts
    }

    /// "3 unread (w)": the unread notifications and the key that lists them.
    public static func unreadBadge(_ count: Int?) -> String {
        guard let count else { return "" }
        return "\(Count.text(count)) unread (w)"
    }

    public func render(into buffer: inout Buffer, area: Rect) {
        let style = Style(.title)
        buffer.fill(area.row(0), style: style)
        var line = StyledLine(" " + title, Style(.title, bold: true))
        for fact in facts where !fact.isEmpty {
            line.append(" │ ", style)
            line.append(fact, style)
        }
        let room = area.width - line.width - 4
        var trailing = self.trailing.filter { !$0.isEmpty }
        if !Self.badge.isEmpty {
            trailing = Self.fitting([Self.badge] + trailing, room: room)
        }
        let right = trailing.joined(separator: " · ")
        if !right.isEmpty, room >= 12 {
            let cut = DisplayWidth.truncate(right, to: room)
            buffer.put(cut, x: area.maxX - 1 - DisplayWidth.of(cut), y: area.y, style: style)
            line.render(into: &buffer, x: area.x, y: area.y, width: area.width - DisplayWidth.of(cut) - 3)
        } else {
            line.render(into: &buffer, x: area.x, y: area.y, width: area.width)
        }
    }
}
