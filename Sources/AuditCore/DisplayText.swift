/// Text that is safe to write to a terminal: every part that came from outside has been
/// neutralised by ``TerminalText``.
///
/// Build it from a string literal with interpolations: the literal is the program's own
/// words (line breaks kept), and every interpolated value is neutralised as one line, so a
/// field cannot reach the terminal raw by being forgotten. Interpolate another
/// `DisplayText` to embed it as it is, or use `\(lines: text)` for outside text whose line
/// breaks should stay.
///
///     let line: DisplayText = "Code  \(status.enhancedCode)"   // the code is neutralised
public struct DisplayText: Sendable, Hashable, CustomStringConvertible, ExpressibleByStringInterpolation {
    /// The neutralised text, ready to write.
    public let string: String

    public var description: String { string }

    init(neutralised: String) {
        string = neutralised
    }

    /// One line of outside text: control characters neutralised, line breaks and tabs become spaces.
    public init(_ text: some StringProtocol) {
        string = TerminalText.singleLine(String(text))
    }

    /// Outside text that may hold several lines: control characters neutralised, line breaks kept.
    public init(lines text: some StringProtocol) {
        string = TerminalText.multiLine(String(text))
    }

    public init(stringLiteral value: String) {
        string = TerminalText.multiLine(value)
    }

    public init(stringInterpolation: StringInterpolation) {
        string = stringInterpolation.result
    }

    /// Builds a `DisplayText` from a literal and its interpolations.
    public struct StringInterpolation: StringInterpolationProtocol {
        var result = ""

        public init(literalCapacity: Int, interpolationCount: Int) {
            result.reserveCapacity(literalCapacity + interpolationCount * 16)
        }

        /// The program's own words; line breaks are kept.
        public mutating func appendLiteral(_ literal: String) {
            result += TerminalText.multiLine(literal)
        }

        /// Text that is already safe, embedded as it is.
        public mutating func appendInterpolation(_ text: DisplayText) {
            result += text.string
        }

        /// Any other value, written as one neutralised line.
        public mutating func appendInterpolation<Value>(_ value: Value) {
            result += TerminalText.singleLine(String(describing: value))
        }

        /// Outside text whose line breaks are kept (each line neutralised).
        public mutating func appendInterpolation(lines text: String) {
            result += TerminalText.multiLine(text)
        }
    }

    /// The empty text.
    public static let empty = DisplayText(neutralised: "")

    /// Whether there is no text.
    public var isEmpty: Bool { string.isEmpty }

    /// Two texts one after the other.
    public static func + (lhs: DisplayText, rhs: DisplayText) -> DisplayText {
        DisplayText(neutralised: lhs.string + rhs.string)
    }

    /// Appends another text.
    public static func += (lhs: inout DisplayText, rhs: DisplayText) {
        lhs = lhs + rhs
    }
}

extension Sequence where Element == DisplayText {
    /// The texts joined with a separator.
    public func joined(separator: DisplayText = .empty) -> DisplayText {
        DisplayText(neutralised: map(\.string).joined(separator: separator.string))
    }
}
