import AuditCore

/// The resend pop-up (`R` in View): the To to send to, and where the resend stands.
public struct ResendState: Sendable, Hashable {
    /// Where the pop-up is.
    public enum Step: Sendable, Hashable {
        /// The To is being edited.
        case editing
        /// The To changed and Unit Search contacts use the old address: update them? (y/n)
        case askContacts(address: String)
        /// Sent to the store; the answer is awaited.
        case sending
        /// The store refused (a suppressed address): nothing was recorded.
        case refused(ResendRefusal)
    }

    /// The email resent.
    public var emailID: Int64
    /// Its To.
    public var originalTo: String
    /// The To as typed (prefilled with ``originalTo``).
    public var text: String
    /// Contact records Unit Search lists for ``originalTo`` (offered an update when the To changes).
    public var contactsUsingOriginal: Int
    public var step: Step
    /// A one-line error under the box (a malformed address), nil when there is none.
    public var error: String?

    public init(emailID: Int64, originalTo: String, contactsUsingOriginal: Int, text: String? = nil, step: Step = .editing,
                error: String? = nil) {
        self.emailID = emailID
        self.originalTo = originalTo
        self.contactsUsingOriginal = contactsUsingOriginal
        self.text = text ?? originalTo
        self.step = step
        self.error = error
    }
}
