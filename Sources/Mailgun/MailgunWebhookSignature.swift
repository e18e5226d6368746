/// The `signature` object of a webhook body. Only `timestamp` and `token` are signed
/// (HMAC-SHA256 with the webhook signing key); verification is not implemented here.
public struct MailgunWebhookSignature: Sendable, Hashable {
    /// Signing time: integer epoch seconds as a string, e.g. `"1741947310"`.
    public var timestamp: String
    /// A random 50-character token, unique per webhook request.
    public var token: String
    /// Lower-case hex HMAC-SHA256 of `timestamp + token`.
    public var signature: String

    /// Creates a signature record.
    public init(timestamp: String, token: String, signature: String) {
        self.timestamp = timestamp
        self.token = token
        self.signature = signature
    }
}
