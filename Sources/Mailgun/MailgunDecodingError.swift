/// Why a line could not be decoded as a Mailgun event.
///
/// Prints like `line 3: field "timestamp": expected a number, found "abc"`. `field` is a
/// dotted path inside the event object (`message.headers.message-id`), `(json)` when the line
/// is not JSON at all, and `(root)` when it is JSON but not an object.
public struct MailgunDecodingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The 1-based line number given to the decoder.
    public var line: Int
    /// The offending field.
    public var field: String
    /// What is wrong with it.
    public var problem: String

    /// Creates an error.
    public init(line: Int, field: String, problem: String) {
        self.line = line
        self.field = field
        self.problem = problem
    }

    /// `line <n>: field "<field>": <problem>`.
    public var description: String {
        "line \(line): field \"\(field)\": \(problem)"
    }
}
