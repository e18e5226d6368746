import AuditCore
import Foundation

/// Status Tracking: every provider event on one line, oldest first, with its time
/// (dd/mm/yyyy HH:mm:ss) and ``StatusTracking/describe(_:)``.
public struct Timeline: Widget {
    public var events: [ProviderEvent]
    public var timeZone: TimeZone

    public init(events: [ProviderEvent], timeZone: TimeZone) {
        self.events = events
        self.timeZone = timeZone
    }

    /// One styled line per event (or a note when there is none).
    public var lines: [StyledLine] {
        guard !events.isEmpty else { return [StyledLine("No provider events yet.", Style(.muted))] }
        let format = UKDateFormat(timeZone: timeZone)
        return events.map { event in
            let role = event.indicatedStatus?.role ?? .muted
            return StyledLine([
                Span(format.dateTimeSeconds(event.occurredAt), Style(.muted)),
                Span("  "),
                Span(StatusTracking.describe(event), Style(role)),
            ])
        }
    }

    /// The lines wrapped to `width`, continuation lines indented under the description,
    /// so every word the provider sent can be read.
    public func wrappedLines(width: Int) -> [StyledLine] {
        guard !events.isEmpty else { return lines }
        let format = UKDateFormat(timeZone: timeZone)
        let indent = DisplayWidth.of(format.dateTimeSeconds(Date(timeIntervalSince1970: 0))) + 2
        var result: [StyledLine] = []
        for event in events {
            let role = event.indicatedStatus?.role ?? .muted
            let parts = TextWrap.wrap(StatusTracking.describe(event), width: max(10, width - indent))
            for (index, part) in parts.enumerated() {
                result.append(StyledLine([
                    Span(index == 0 ? format.dateTimeSeconds(event.occurredAt) + "  " : String(repeating: " ", count: indent),
                         Style(.muted)),
                    Span(part, Style(role)),
                ]))
            }
        }
        return result
    }

    public func render(into buffer: inout Buffer, area: Rect) {
        for (offset, line) in lines.enumerated() where offset < area.height {
            line.render(into: &buffer, x: area.x, y: area.y + offset, width: area.width)
        }
    }
}
