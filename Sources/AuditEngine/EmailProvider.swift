import AuditCore
import Foundation
import Mailgun
import ProviderSimulator

/// Something that accepts emails for delivery: the simulator, or a real Mailgun client.
public protocol EmailProvider: AnyObject, Sendable {
    /// The sending domain (used for the From address of recorded emails).
    var sendingDomain: String { get }
    /// Hands one message to the provider. Throws `MailgunSendError` when the provider
    /// is down (`.unavailable`, `.rateLimited`) or refuses the request (`.requestRejected`).
    func send(_ request: MailgunSendRequest, at time: Date) throws -> MailgunSendResponse
    /// Takes `address` off the provider's suppression lists (bounces, complaints and
    /// unsubscribes) at `time`, as support's removal asks; later sends to it go through.
    /// An address on none of the lists is not an error. Throws when the provider could not
    /// be told (unreachable, or it refused the request).
    func removeSuppression(_ address: String, at time: Date) throws
}

/// Something that reports provider events as Mailgun JSON lines.
public protocol ProviderEventSource: AnyObject, Sendable {
    /// Every event due at or before `time`, oldest first, each reported once.
    func events(through time: Date) -> [String]
}

extension MailgunSimulator: EmailProvider, ProviderEventSource {
    public var sendingDomain: String { domain }

}
