import AuditCore

/// "N emails" with the count per status for the filter, the position, and notices.
public struct StatusLine: Widget {
    public var counts: StatusCounts?
    public var position: Int?
    public var loading: Bool
    public var notice: Notice?

    public init(counts: StatusCounts?, position: Int?, loading: Bool, notice: Notice?) {
        self.counts = counts
        self.position = position
        self.loading = loading
        self.notice = notice
    }

    /// The count part as styled runs.
    public var countsLine: StyledLine {
        guard let counts else { return StyledLine("Counting…", Style(.muted)) }
        let total = counts.total
        var line = StyledLine("\(Count.text(total)) \(total == 1 ? "email" : "emails")", Style(.plain, bold: true))
        for status in EmailStatus.allCases where counts[status] > 0 {
            line.append("  ")
            line.append("\(Count.text(counts[status])) \(status.displayName)", status.style)
        }
        return line
    }

    public func render(into buffer: inout Buffer, area: Rect) {
        buffer.fill(area.row(0))
        var right = StyledLine()
        if let notice {
            right = StyledLine(TerminalText.singleLine(notice.text), Style(notice.level == .error ? .error : .accent, bold: notice.level == .error))
        } else if loading {
            right = StyledLine("Loading…", Style(.muted))
        } else if let position, let total = counts?.total, total > 0 {
            right = StyledLine("\(Count.text(position + 1)) of \(Count.text(total))", Style(.muted))
        }
        let rightWidth = min(right.width, max(0, area.width / 2))
        let leftWidth = area.width - 2 - (rightWidth > 0 ? rightWidth + 2 : 0)
        countsLine.render(into: &buffer, x: area.x + 1, y: area.y, width: leftWidth)
        if rightWidth > 0 {
            right.render(into: &buffer, x: area.maxX - 1 - rightWidth, y: area.y, width: rightWidth)
        }
    }
}
