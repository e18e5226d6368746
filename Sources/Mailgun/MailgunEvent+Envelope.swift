extension MailgunEvent {
    /// Mailgun's `envelope` object.
    public struct Envelope: Sendable, Hashable {
        /// The envelope sender (MAIL FROM).
        public var sender: String?
        /// The envelope recipient of this event.
        public var targets: String?
        /// `smtp`, sometimes empty.
        public var transport: String?
        /// The Mailgun IP address that sent the message.
        public var sendingIP: String?

        /// Creates an envelope description.
        public init(sender: String? = nil, targets: String? = nil, transport: String? = nil, sendingIP: String? = nil) {
            self.sender = sender
            self.targets = targets
            self.transport = transport
            self.sendingIP = sendingIP
        }
    }
}
