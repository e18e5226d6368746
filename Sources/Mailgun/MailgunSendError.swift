/// Why a send request did not return HTTP 200.
public enum MailgunSendError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Mailgun could not be reached or answered 5xx (or the request timed out): retry later.
    case unavailable(status: Int, message: String)
    /// HTTP 429: too many requests; back off and retry.
    case rateLimited
    /// HTTP 4xx other than 429, e.g. 400 `to parameter is not a valid address. please check documentation`
    /// or 413 `Request Entity Too Large`. Retrying the same request will not help.
    case requestRejected(status: Int, message: String)

    /// The HTTP status, when there was one.
    public var status: Int {
        switch self {
        case .unavailable(let status, _), .requestRejected(let status, _): status
        case .rateLimited: 429
        }
    }

    /// Whether sending the same request again later may succeed.
    public var isRetryable: Bool {
        switch self {
        case .unavailable, .rateLimited: true
        case .requestRejected: false
        }
    }

    /// A sentence for logs, e.g. `Mailgun unavailable (HTTP 503): Service Unavailable`.
    public var description: String {
        switch self {
        case .unavailable(let status, let message): "Mailgun unavailable (HTTP \(status)): \(message)"
        case .rateLimited: "Mailgun rate limit reached (HTTP 429)"
        case .requestRejected(let status, let message): "Mailgun rejected the request (HTTP \(status)): \(message)"
        }
    }
}
