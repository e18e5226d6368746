extension MailgunEvent {
    /// Mailgun's `reject` object on rejected events.
    public struct Reject: Sendable, Hashable {
        /// Why Mailgun refused the request.
        public var reason: String?
        /// More detail; often empty.
        public var description: String?

        /// Creates a rejection description.
        public init(reason: String? = nil, description: String? = nil) {
            self.reason = reason
            self.description = description
        }
    }
}
