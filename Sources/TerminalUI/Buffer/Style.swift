/// What a piece of text means on screen. The backend maps each role to a colour pair
/// (or to attributes on monochrome terminals and when `NO_COLOR` is set).
public enum StyleRole: String, Sendable, Hashable, CaseIterable {
    /// Ordinary text.
    case plain
    /// The top line of a screen.
    case title
    /// Column headings and section headings.
    case header
    /// Field labels ("Status:", "To:").
    case label
    /// Good outcomes (Delivered, Opened, Clicked).
    case ok
    /// Outcomes still in progress or at risk (Pending, Accepted, Temporary Failure).
    case warning
    /// Bad outcomes (Failed, Rejected, Complained) and error notices.
    case error
    /// Secondary text and Unsubscribed.
    case muted
    /// The selected row of a list.
    case selected
    /// The focused control (a filter field being edited).
    case focused
    /// Frames and separators.
    case border
    /// A key name in the hint bar.
    case hintKey
    /// The words after a key in the hint bar.
    case hintLabel
    /// Text the user is typing.
    case input
    /// Input that is not valid yet.
    case invalid
    /// Text that should stand out (the recommended action).
    case accent
}

/// How a cell is drawn: a semantic role plus a few attributes.
public struct Style: Sendable, Hashable {
    public var role: StyleRole
    public var bold: Bool
    public var reverse: Bool
    public var underline: Bool

    /// Creates a style for a role with optional attributes.
    public init(_ role: StyleRole = .plain, bold: Bool = false, reverse: Bool = false, underline: Bool = false) {
        self.role = role
        self.bold = bold
        self.reverse = reverse
        self.underline = underline
    }

    /// Ordinary text.
    public static let plain = Style()

    /// The same style drawn in reverse video.
    public var reversed: Style {
        var copy = self
        copy.reverse = true
        return copy
    }

    /// The same style in bold.
    public var emphasised: Style {
        var copy = self
        copy.bold = true
        return copy
    }

    /// A short code for snapshots, e.g. "error+b" or "selected".
    public var code: String {
        var text = role.rawValue
        if bold { text += "+b" }
        if reverse { text += "+r" }
        if underline { text += "+u" }
        return text
    }
}
