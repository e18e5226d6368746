import Crypto
import Foundation

/// The `signature` object of a webhook body. Only `timestamp` and `token` are signed
/// (HMAC-SHA256 with the webhook signing key); the event itself is not covered.
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

    /// Signs `timestamp + token` with `signingKey`, as Mailgun does.
    public init(timestamp: String, token: String, signingKey: some ContiguousBytes) {
        self.init(timestamp: timestamp, token: token,
                  signature: Self.expectedSignature(timestamp: timestamp, token: token, signingKey: signingKey))
    }

    /// Lower-case hex HMAC-SHA256 of `timestamp + token` under `signingKey`.
    public static func expectedSignature(timestamp: String, token: String, signingKey: some ContiguousBytes) -> String {
        let key = SymmetricKey(data: signingKey)
        let mac = HMAC<SHA256>.authenticationCode(for: Data((timestamp + token).utf8), using: key)
        return HexText.lowercase(mac)
    }

    /// Whether ``signature`` is the HMAC of ``timestamp`` and ``token`` under `signingKey`,
    /// compared in constant time. Upper-case hex is accepted.
    public func isValid(signingKey: some ContiguousBytes) -> Bool {
        guard let given = Self.bytes(hex: signature), given.count == SHA256.byteCount else { return false }
        let key = SymmetricKey(data: signingKey)
        return HMAC<SHA256>.isValidAuthenticationCode(given, authenticating: Data((timestamp + token).utf8), using: key)
    }

    /// The signing time as epoch seconds, when ``timestamp`` is an integer.
    public var signedAt: Date? {
        guard let seconds = Int64(timestamp) else { return nil }
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static func bytes(hex: String) -> [UInt8]? {
        let utf8 = Array(hex.utf8)
        guard utf8.count % 2 == 0 else { return nil }
        var result: [UInt8] = []
        result.reserveCapacity(utf8.count / 2)
        var index = 0
        while index < utf8.count {
            guard let high = nibble(utf8[index]), let low = nibble(utf8[index + 1]) else { return nil }
            result.append(high << 4 | low)
            index += 2
        }
        return result
    }

    private static func nibble(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
