extension MailgunEvent {
    /// Mailgun's `storage` object: where the stored copy of the message can be fetched
    /// (with the API key) for about three days.
    public struct Storage: Sendable, Hashable {
        /// The URL of the stored message.
        public var url: String?
        /// The storage key.
        public var key: String?

        /// Creates a storage reference.
        public init(url: String? = nil, key: String? = nil) {
            self.url = url
            self.key = key
        }
    }
}
