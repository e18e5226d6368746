extension MailgunEvent {
    /// Mailgun's `client-info` object on engagement events.
    public struct ClientInfo: Sendable, Hashable {
        /// `browser`, `mobile browser`, `email client` ...
        public var clientType: String?
        /// The reader's operating system.
        public var clientOS: String?
        /// `desktop`, `mobile`, `tablet`, `other` or `unknown`.
        public var deviceType: String?
        /// The client's name, e.g. `Apple Mail`.
        public var clientName: String?
        /// The HTTP user agent.
        public var userAgent: String?
        /// Bot detection: `apple` (Mail Privacy Protection), `gmail`, `generic`, or empty/nil for a person.
        public var bot: String?

        /// Creates a client description.
        public init(clientType: String? = nil, clientOS: String? = nil, deviceType: String? = nil,
                    clientName: String? = nil, userAgent: String? = nil, bot: String? = nil) {
            self.clientType = clientType
            self.clientOS = clientOS
            self.deviceType = deviceType
            self.clientName = clientName
            self.userAgent = userAgent
            self.bot = bot
        }
    }
}
