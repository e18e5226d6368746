import AuditCore

/// "N emails" with the count per status for the filter, the position, and notices.
public struct StatusLine: Widget {
    public var counts: StatusCounts?
    public var position: Int?
    public var loading: Bool
    public var notice: Notice?
    /// The statuses the filter picks: they are shown even when none matched.
    public var filtered: Set<EmailStatus>
    /// The Pending-over-10-minutes warning while the provider is down (``HandOverHealth/warning``).
    public var warning: String?

    public init(counts: StatusCounts?, position: Int?, loading: Bool, notice: Notice?, filtered: Set<EmailStatus> = [],
                warning: String? = nil) {
        self.counts = counts
        self.position = position
        self.loading = loading
        self.notice = notice
        self.filtered = filtered
        self.warning = warning
    }

    /// The count part as styled runs, at its fullest.
    public var countsLine: StyledLine { countsLine(width: Int.max) }

    /// The count part fitted to `width`: the problem statuses (``EmailStatus/problems``) come
    /// first and are never dropped; names shorten before the other statuses are dropped.
    public func countsLine(width: Int) -> StyledLine { fitted(width: width).line }

    /// The fitted count part and how much it had to give up (0: nothing; higher: more).
    func fitted(width: Int) -> (line: StyledLine, compromise: Int) {
        guard let counts else { return (StyledLine("Counting…", Style(.muted)), 0) }
        let total = counts.total
        let shown = { (status: EmailStatus) in counts[status] > 0 || filtered.contains(status) }
        let problems = EmailStatus.problems.filter(shown)
        var others = EmailStatus.allCases.filter { !EmailStatus.problems.contains($0) && shown($0) }
        func line(_ names: NameLength, gap: String) -> StyledLine {
            var line = StyledLine("\(Count.text(total)) \(total == 1 ? "email" : "emails")", Style(.plain, bold: true))
            for status in problems + others {
                line.append(gap)
                line.append("\(Count.text(counts[status])) \(StatusLine.name(status, names))", status.style)
            }
            return line
        }
        for (compromise, names) in [NameLength.full, .short].enumerated() {
            let candidate = line(names, gap: "  ")
            if candidate.width <= width { return (candidate, compromise) }
        }
        while !others.isEmpty {
            others.removeLast()
            let candidate = line(.short, gap: "  ")
            if candidate.width <= width { return (candidate, 2) }
        }
        let short = line(.short, gap: " ")
        return short.width <= width ? (short, 3) : (line(.tiny, gap: " "), 4)
    }

    enum NameLength { case full, short, tiny }

    static func name(_ status: EmailStatus, _ length: NameLength) -> String {
        switch (length, status) {
        case (.full, _): status.displayName
        case (.short, .temporaryFailure): "Temp. failure"
        case (.short, .unsubscribed): "Unsubscr."
        case (.short, _): status.displayName
        case (.tiny, .temporaryFailure): "Temp"
        case (.tiny, .unsubscribed): "Unsub"
        case (.tiny, .complained): "Compl"
        case (.tiny, .rejected): "Rej"
        case (.tiny, .failed): "Fail"
        case (.tiny, _): status.displayName
        }
    }

    public func render(into buffer: inout Buffer, area: Rect) {
        buffer.fill(area.row(0))
        var right = StyledLine()
        if let notice {
            right = StyledLine(TerminalText.singleLine(notice.text), Style(notice.level == .error ? .error : .accent, bold: notice.level == .error))
        } else if let warning {
            right = StyledLine(warning, Style(.error, bold: true))
        } else if loading {
            right = StyledLine("Loading…", Style(.muted))
        } else if let position, let total = counts?.total, total > 0 {
            right = StyledLine("\(Count.text(position + 1)) of \(Count.text(total))", Style(.muted))
        }
        var rightWidth = min(right.width, max(0, area.width / 2))
        var leftWidth = area.width - 2 - (rightWidth > 0 ? rightWidth + 2 : 0)
        var left = fitted(width: leftWidth)
        if left.compromise >= 3, notice == nil, warning == nil, rightWidth > 0 {
            // The position gives way before the problem counts are squeezed.
            let whole = fitted(width: area.width - 2)
            if whole.compromise < left.compromise || left.line.width > leftWidth {
                rightWidth = 0
                leftWidth = area.width - 2
                left = whole
            }
        }
        left.line.render(into: &buffer, x: area.x + 1, y: area.y, width: leftWidth)
        if rightWidth > 0 {
            right.render(into: &buffer, x: area.maxX - 1 - rightWidth, y: area.y, width: rightWidth)
        }
    }
}
