import Crypto
import Foundation

/// A digest of the event a webhook carried, used to bind the webhook's token to that event.
public enum MailgunWebhookDigest {
    /// Lower-case hex SHA-256 of `text`'s UTF-8 bytes.
    public static func sha256Hex(_ text: String) -> String {
        HexText.lowercase(SHA256.hash(data: Data(text.utf8)))
    }
}
