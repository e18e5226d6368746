extension MailgunEvent {
    /// Mailgun's `flags` object. Each flag is nil when the event does not report it.
    public struct Flags: Sendable, Hashable {
        /// `is-authenticated`: the send request was authenticated.
        public var isAuthenticated: Bool?
        /// `is-routed`: the message came through a route.
        public var isRouted: Bool?
        /// `is-system-test`: a Mailgun system test message.
        public var isSystemTest: Bool?
        /// `is-test-mode`: sent with `o:testmode`.
        public var isTestMode: Bool?
        /// `is-delayed-bounce`: an asynchronous bounce that arrived after delivery.
        public var isDelayedBounce: Bool?

        /// Creates a set of flags.
        public init(isAuthenticated: Bool? = nil, isRouted: Bool? = nil, isSystemTest: Bool? = nil,
                    isTestMode: Bool? = nil, isDelayedBounce: Bool? = nil) {
            self.isAuthenticated = isAuthenticated
            self.isRouted = isRouted
            self.isSystemTest = isSystemTest
            self.isTestMode = isTestMode
            self.isDelayedBounce = isDelayedBounce
        }
    }
}
