/// Mailgun's HTTP 200 answer to a send request:
/// `{"id": "<20261130101502.5f3c9a1b7d2e4c60@mg.example.com>", "message": "Queued. Thank you."}`.
///
/// A 200 only means "queued"; every outcome arrives later as events.
public struct MailgunSendResponse: Sendable, Hashable, Codable {
    /// The message id, with angle brackets.
    public var id: String
    /// `Queued. Thank you.`
    public var message: String

    /// Creates a response.
    public init(id: String, message: String = "Queued. Thank you.") {
        self.id = id
        self.message = message
    }

    /// ``id`` without angle brackets: the form events carry in `message.headers.message-id`.
    public var bareMessageID: String { Self.bareMessageID(id) }

    /// A message id without surrounding whitespace and angle brackets
    /// (`<2026...@mg.example.com>` → `2026...@mg.example.com`).
    public static func bareMessageID(_ id: String) -> String {
        var text = Substring(id.trimmed)
        if text.hasPrefix("<") { text = text.dropFirst() }
        if text.hasSuffix(">") { text = text.dropLast() }
        return text.trimmed
    }
}
