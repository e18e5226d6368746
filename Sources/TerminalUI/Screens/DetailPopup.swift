import AuditCore
import Foundation

/// The View pop-up: Email fields on the left, Status Details top right, the
/// recommended action, Status Tracking and the body, all in one scrollable column.
public struct DetailPopup: Widget {
    public var state: DetailState
    public var timeZone: TimeZone

    public init(state: DetailState, timeZone: TimeZone) {
        self.state = state
        self.timeZone = timeZone
    }

    /// Columns available to the content inside a pop-up frame.
    public static func contentWidth(in rect: Rect) -> Int { Popup.contentArea(of: rect).width }

    /// Rows of content visible inside a pop-up frame.
    public static func viewportHeight(in rect: Rect) -> Int { max(1, Popup.contentArea(of: rect).height) }

    public func render(into buffer: inout Buffer, area: Rect) {
        let inner = Popup.contentArea(of: area)
        guard let detail = state.detail else {
            Popup(title: "View email", note: "Esc close").render(into: &buffer, area: area)
            let text = state.loaded ? "This email is no longer in the store." : "Loading…"
            buffer.put(text, x: inner.x, y: inner.y + 1, width: inner.width, style: Style(.muted))
            return
        }
        let content = DetailPopup.content(detail, width: inner.width, timeZone: timeZone)
        let visible = inner.height
        let scroll = max(0, min(state.scroll, content.height - visible))
        let above = scroll > 0, below = scroll + visible < content.height
        let note = above && below ? "↑↓ more" : below ? "↓ more" : above ? "↑ more" : nil
        Popup(title: "View email · Id \(detail.email.id)", note: "Esc close · u Unit Search", scrollNote: note)
            .render(into: &buffer, area: area)
        buffer.blit(content, sourceRows: scroll..<(scroll + visible), x: inner.x, y: inner.y)
    }

    // MARK: Content

    /// The whole content at a width, as a tall buffer the pop-up scrolls through.
    public static func content(_ detail: EmailDetail, width: Int, timeZone: TimeZone) -> Buffer {
        let lines = contentLines(detail, width: width, timeZone: timeZone)
        var buffer = Buffer(width: max(0, width), height: lines.count)
        for (row, line) in lines.enumerated() {
            line.render(into: &buffer, x: 0, y: row, width: width)
        }
        return buffer
    }

    /// Body lines shown at most.
    static let maxBodyLines = 500
    /// Lines shown of one Status Details value.
    static let maxDetailLines = 40

    static func contentLines(_ detail: EmailDetail, width: Int, timeZone: TimeZone) -> [StyledLine] {
        guard width > 0 else { return [] }
        var lines: [StyledLine] = []
        let email = detail.email
        if email.isNotRecordedHere {
            lines.append(StyledLine("Not recorded by this system: known only from the provider's events.", Style(.warning, bold: true)))
        }
        // For a problem the advice comes first, where it is seen without scrolling.
        let actionFirst = EmailStatus.problems.contains(email.status)
        if actionFirst {
            lines += actionLines(detail, width: width)
            lines.append(StyledLine())
        }
        // Addresses and ids are never broken across lines: they get the whole width.
        lines.append(unbrokenField("To", email.to, width: width))
        let blockedHere = (605...607).contains(email.statusDetail?.code ?? 0)
        if let entry = detail.suppression {
            let text = suppressedText(entry, timeZone: timeZone) + (blockedHere ? " · this email was blocked by it" : "")
            lines.append(StyledLine([Span(DisplayWidth.fit("Suppressed", to: 13), Style(.label)),
                                     Span(TerminalText.singleLine(text) + " (S)", Style(.warning, bold: true))]))
        } else if blockedHere {
            lines.append(StyledLine([Span(DisplayWidth.fit("Suppressed", to: 13), Style(.label)),
                                     Span("This email was blocked by the suppression list; the entry has since been removed", Style(.muted))]))
        }
        if !email.cc.isEmpty {
            // Cc addresses wrap between addresses, each whole, over the whole width.
            let parts = TextWrap.wrap(TerminalText.singleLine(email.cc.joined(separator: ", ")), width: max(8, width - 13))
            for (index, part) in parts.enumerated() {
                lines.append(StyledLine([Span(DisplayWidth.fit(index == 0 ? "Cc" : "", to: 13), Style(.label)), Span(part)]))
            }
        }
        lines.append(unbrokenField("Message ID", email.providerMessageID ?? "not handed to the provider yet", width: width))
        lines += linkLines(detail.links, width: width)
        lines.append(StyledLine())
        if width >= 72 {
            let right = min(46, width * 45 / 100)
            let left = width - right - 2
            let fields = emailFields(detail, width: left, timeZone: timeZone)
            let box = statusBox(detail, width: right, timeZone: timeZone)
            for row in 0..<max(fields.count, box.count) {
                var line = (row < fields.count ? fields[row] : StyledLine()).padded(to: left)
                line.append("  ")
                if row < box.count { line.append(box[row]) }
                lines.append(line)
            }
        } else {
            lines += statusBox(detail, width: width, timeZone: timeZone)
            lines.append(StyledLine())
            lines += emailFields(detail, width: width, timeZone: timeZone)
        }
        if !actionFirst {
            lines.append(StyledLine())
            lines += actionLines(detail, width: width)
        }
        lines.append(StyledLine())
        let count = detail.events.count
        lines.append(Section.heading("Status Tracking (\(count) \(count == 1 ? "event" : "events"))"))
        lines += Timeline(events: detail.events, timeZone: timeZone).wrappedLines(width: width)
        lines.append(StyledLine())
        lines.append(Section.heading("Body"))
        // The body is wrapped only as far as it is shown; `show` prints all of a huge one.
        let text = email.textBody.isEmpty && email.isNotRecordedHere ? "(not recorded by this system)" : email.textBody
        let bodyHead = TextWrap.head(of: text, lines: maxBodyLines, width: width)
        let body = TextWrap.wrapLines(TerminalText.lines(String(bodyHead)), width: width, limit: maxBodyLines + 1)
        lines += body.prefix(maxBodyLines).map { StyledLine($0) }
        if body.count > maxBodyLines {
            lines.append(StyledLine("… (the rest is not shown; email-audit show \(detail.email.id) prints it all)", Style(.muted)))
        }
        return lines
    }

    /// "Resend of #M" and "Resent as #N" (links both ways), the one Enter opens marked.
    static func linkLines(_ links: ResendLinks, width: Int) -> [StyledLine] {
        var lines: [StyledLine] = []
        let target = links.jumpTarget
        func line(_ label: String, _ ids: [Int64], extra: String = "") {
            var text = ids.map { "#\($0)" }.joined(separator: ", ") + extra
            if let target, ids.contains(target) { text += " · Enter opens #\(target)" }
            let room = max(1, width - 13)
            let shown = DisplayWidth.of(text) <= room ? text : DisplayWidth.truncate(text, to: room)
            lines.append(StyledLine([Span(DisplayWidth.fit(label, to: 13), Style(.label)), Span(shown, Style(.accent, bold: true))]))
        }
        if let original = links.resendOf {
            line("Resend of", [original], extra: links.correctedFrom.map { " (To corrected from \(TerminalText.singleLine($0)))" } ?? "")
        }
        if !links.resentAs.isEmpty { line("Resent as", links.resentAs) }
        return lines
    }

    /// "Bounced since 01/12/2026 10:00 · blocked 2 later emails · removal requested".
    static func suppressedText(_ entry: SuppressionEntry, timeZone: TimeZone) -> String {
        var parts = ["\(entry.kind.displayName) since \(UKDateFormat(timeZone: timeZone).dateTime(entry.createdAt))"]
        if entry.blockedEmails > 0 {
            parts.append("blocked \(entry.blockedEmails) later email\(entry.blockedEmails == 1 ? "" : "s")")
        }
        if entry.removalRequest != nil { parts.append("removal requested") }
        return parts.joined(separator: " · ")
    }

    /// The "Recommended action" heading and the advice, wrapped.
    static func actionLines(_ detail: EmailDetail, width: Int) -> [StyledLine] {
        [Section.heading("Recommended action")]
            + TextWrap.wrap(TerminalText.singleLine(detail.recommendedAction), width: width).map { StyledLine($0, Style(.accent)) }
    }

    /// "Label        value" on one line; a value too long for the width ends in "…".
    static func unbrokenField(_ label: String, _ value: String, width: Int) -> StyledLine {
        let labelWidth = 13
        let text = TerminalText.singleLine(value)
        let room = max(1, width - labelWidth)
        let shown = DisplayWidth.of(text) <= room ? text : DisplayWidth.truncate(text, to: room)
        return StyledLine([Span(DisplayWidth.fit(label, to: labelWidth), Style(.label)), Span(shown)])
    }

    /// "Label        value" lines, values wrapped to at most three lines.
    static func emailFields(_ detail: EmailDetail, width: Int, timeZone: TimeZone) -> [StyledLine] {
        let email = detail.email
        let format = UKDateFormat(timeZone: timeZone)
        var seenUnits = Set<String>()
        let units = detail.units.map { "\($0.blockName) \($0.unitName)" }.filter { seenUnits.insert($0).inserted }
        let notRecorded = "(not recorded by this system)"
        let fields: [(String, String)] = [
            ("From", email.from.isEmpty && email.isNotRecordedHere ? notRecorded : email.from),
            ("Subject", email.subject.isEmpty && email.isNotRecordedHere ? notRecorded : email.subject),
            ("Created", format.dateTime(email.createdAt)),
            ("Raised by", email.raisedByName),
            ("Activity", email.activity.displayName),
            ("Units", units.isEmpty ? "—" : units.joined(separator: ", ")),
            ("Attachments", email.attachmentNames.isEmpty ? "none" : email.attachmentNames.joined(separator: ", ")),
        ]
        var lines = [Section.heading("Email")]
        let labelWidth = 13
        for (label, value) in fields {
            let valueWidth = max(8, width - labelWidth)
            let head = TextWrap.head(of: value, lines: 4, width: valueWidth)
            let parts = TextWrap.wrap(TerminalText.singleLine(String(head)), width: valueWidth, limit: 4)
            for (index, part) in parts.prefix(3).enumerated() {
                var text = part
                if index == 2, parts.count > 3 { text = DisplayWidth.truncate(part + "…", to: width - labelWidth) }
                lines.append(StyledLine([
                    Span(DisplayWidth.fit(index == 0 ? label : "", to: labelWidth), Style(.label)),
                    Span(text),
                ]))
            }
        }
        return lines
    }

    /// The framed Status Details box.
    static func statusBox(_ detail: EmailDetail, width: Int, timeZone: TimeZone) -> [StyledLine] {
        let email = detail.email
        let info = email.statusDetail
        let format = UKDateFormat(timeZone: timeZone)
        func text(_ value: String?) -> String {
            guard let value, !value.isEmpty else { return "—" }
            return TerminalText.singleLine(String(value.prefix(4_000)))  // `maxDetailLines` at most are shown
        }
        var rows: [(String, String, Style)] = [("Status", email.status.displayName, email.status.style.emphasised)]
        var reason = info?.reason ?? info?.rejectReason
        if let severity = info?.severity { reason = [severity.rawValue, reason].compactMap { $0 }.joined(separator: ", ") }
        rows.append(("Reason", text(reason), .plain))
        rows.append(("SMTP code", info?.code.map(String.init) ?? "—", .plain))
        rows.append(("Enhanced", text(info?.enhancedCode), .plain))
        rows.append(("Message", text(info?.message), .plain))
        rows.append(("Description", text(info?.description), .plain))
        rows.append(("MX host", text(info?.mxHost), .plain))
        rows.append(("Attempt", info?.attemptNumber.map(String.init) ?? "—", .plain))
        if let reject = info?.rejectReason, !reject.isEmpty { rows.append(("Rejected", text(reject), .plain)) }
        rows.append(("At", info?.occurredAt.map { format.dateTimeSeconds($0) } ?? "—", .plain))

        let inner = width - 4
        let labelWidth = 12
        var body: [StyledLine] = []
        for (label, value, style) in rows {
            // Every provider word wrapped; a value past `maxDetailLines` (only hostile data is
            // that long) ends in "…", and `show` prints it all.
            var parts = TextWrap.wrap(value, width: max(6, inner - labelWidth), limit: Self.maxDetailLines + 1)
            if parts.count > Self.maxDetailLines {
                parts = Array(parts.prefix(Self.maxDetailLines))
                parts[parts.count - 1] = DisplayWidth.truncate(parts[parts.count - 1] + " …", to: max(6, inner - labelWidth))
            }
            for (index, part) in parts.enumerated() {
                body.append(StyledLine([
                    Span(DisplayWidth.fit(index == 0 ? label : "", to: labelWidth), Style(.label)),
                    Span(part, style),
                ]))
            }
        }
        if info == nil {
            body.append(StyledLine("No provider event yet.", Style(.muted)))
        }
        let border = Style(.border)
        let title = " Status Details "
        let topRule = max(0, width - 3 - DisplayWidth.of(title))
        var lines = [StyledLine([Span("┌─", border), Span(title, Style(.header, bold: true)),
                                 Span(String(repeating: "─", count: topRule) + "┐", border)])]
        for line in body {
            var row = StyledLine("│ ", border)
            row.append(line.padded(to: inner))
            row.append(" │", border)
            lines.append(row)
        }
        lines.append(StyledLine("└" + String(repeating: "─", count: max(0, width - 2)) + "┘", border))
        return lines
    }
}
