import Foundation
import Mailgun

/// A webhook that passed every check that needs no store: well-formed, signed with our key, fresh.
public struct VerifiedWebhook: Sendable {
    /// The request body, as the ingest path reads it (a webhook body is one "line").
    public var body: String
    /// The signature's token.
    public var token: String
    /// SHA-256 of the event the webhook carried, to bind the token to it.
    public var eventDigest: String
    /// The event type, for logs.
    public var eventType: String
    /// The body as the verifier decoded it, handed to the ingest path so it is not decoded twice.
    public var decoded: DecodedMailgunEvent
}

/// Why a webhook was refused, with the HTTP status Mailgun gets.
public struct WebhookRefusal: Error, Sendable, Equatable {
    /// 400 malformed, 406 signature or token problems, 413 too large, 415 wrong content type.
    public var status: Int
    /// A short machine label for logs and metrics (`bad-signature`, `stale`, ...).
    public var reason: String
    /// One line for the caller; never contains the signing key.
    public var message: String

    public init(status: Int, reason: String, message: String) {
        self.status = status
        self.reason = reason
        self.message = message
    }
}

/// The checks of `POST /webhooks/mailgun` before the store: content type, JSON shape,
/// HMAC-SHA256 over timestamp+token with the signing key, and the timestamp window.
public struct WebhookVerifier: Sendable {
    /// Mailgun's HTTP webhook signing key; nil refuses every webhook.
    let signingKey: [UInt8]?
    /// How far the signing time may be from now, either way.
    public let timestampWindow: TimeInterval

    public init(signingKey: String?, timestampWindow: TimeInterval) {
        self.signingKey = signingKey.map { Array($0.utf8) }
        self.timestampWindow = timestampWindow
    }

    /// Whether a Content-Type header value is JSON (`application/json`, parameters allowed).
    /// Compares bytes (ASCII case folded), without building strings: it runs for every request.
    public static func isJSON(contentType: String?) -> Bool {
        guard let contentType else { return false }
        let expected = "application/json".utf8
        var utf8 = Substring(contentType).utf8
        if let semicolon = utf8.firstIndex(of: UInt8(ascii: ";")) { utf8 = utf8[..<semicolon] }
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
        while let first = utf8.first, isBlank(first) { utf8 = utf8.dropFirst() }
        while let last = utf8.last, isBlank(last) { utf8 = utf8.dropLast() }
        guard utf8.count == expected.count else { return false }
        return zip(utf8, expected).allSatisfy { given, wanted in
            given == wanted || (given >= UInt8(ascii: "A") && given <= UInt8(ascii: "Z") && given | 0x20 == wanted)
        }
    }

    /// Checks a webhook body received at `now`.
    public func verify(body: String, now: Date) -> Result<VerifiedWebhook, WebhookRefusal> {
        let decoded: DecodedMailgunEvent
        do {
            decoded = try MailgunEventDecoder.decode(line: body, lineNumber: 1)
        } catch {
            return .failure(WebhookRefusal(status: 400, reason: "malformed", message: "malformed webhook body: field \(error.field): \(error.problem)"))
        }
        guard let signature = decoded.signature else {
            return .failure(WebhookRefusal(status: 406, reason: "unsigned", message: "the webhook has no signature object"))
        }
        guard let signingKey else {
            return .failure(WebhookRefusal(status: 406, reason: "no-signing-key", message: "this server has no webhook signing key configured"))
        }
        guard signature.isValid(signingKey: signingKey) else {
            return .failure(WebhookRefusal(status: 406, reason: "bad-signature", message: "the signature does not match"))
        }
        guard let signedAt = signature.signedAt, abs(signedAt.timeIntervalSince(now)) <= timestampWindow else {
            return .failure(WebhookRefusal(status: 406, reason: "stale", message: "the signature's timestamp is outside the accepted window"))
        }
        guard !signature.token.isEmpty, signature.token.utf8.count <= 200 else {
            return .failure(WebhookRefusal(status: 406, reason: "bad-token", message: "the signature's token is empty or too long"))
        }
        return .success(VerifiedWebhook(body: body, token: signature.token, eventDigest: MailgunWebhookDigest.sha256Hex(decoded.rawJSON),
                                        eventType: decoded.event.event, decoded: decoded))
    }
}
