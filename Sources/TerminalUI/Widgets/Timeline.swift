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

    public func render(into buffer: inout Buffer, area: Rect) {
        for (offset, line) in lines.enumerated() where offset < area.height {
            line.render(into: &buffer, x: area.x, y: area.y + offset, width: area.width)
        }
    }
}
