/// The top line of a screen: the screen's name, then facts separated by "│".
public struct HeaderLine: Widget {
    public var title: String
    public var facts: [String]

    public init(title: String, facts: [String]) {
        self.title = title
        self.facts = facts
    }

    public func render(into buffer: inout Buffer, area: Rect) {
        let style = Style(.title)
        buffer.fill(area.row(0), style: style)
        var line = StyledLine(" " + title, Style(.title, bold: true))
        for fact in facts where !fact.isEmpty {
            line.append(" │ ", style)
            line.append(fact, style)
        }
        line.render(into: &buffer, x: area.x, y: area.y, width: area.width)
    }
}
