extension MailgunEvent {
    /// Mailgun's `delivery-status` object: the receiving server's reply, or Mailgun's own
    /// code (498 no MX, 602 too old, 605–607 suppressed ...).
    public struct DeliveryStatus: Sendable, Hashable {
        /// SMTP reply code or Mailgun-internal code. Also read from a numeric string.
        public var code: Int?
        /// The server's reply text (may contain line breaks), or Mailgun's text.
        public var message: String?
        /// Mailgun's own explanation; often empty.
        public var description: String?
        /// RFC 3463 enhanced status code, e.g. `5.1.1`.
        public var enhancedCode: String?
        /// Delivery attempt number, starting at 1.
        public var attemptNo: Int?
        /// Temporary failures only: seconds until Mailgun tries again.
        public var retrySeconds: Int?
        /// Length of the SMTP session in seconds (`0.0` when there was none).
        public var sessionSeconds: Double?
        /// The MX host that answered.
        public var mxHost: String?
        /// `hard` on permanent bounces.
        public var bounceType: String?
        /// Whether the session used TLS.
        public var tls: Bool?
        /// Whether the receiving server's certificate was verified.
        public var certificateVerified: Bool?

        /// Creates a delivery status; every field is optional.
        public init(code: Int? = nil, message: String? = nil, description: String? = nil,
                    enhancedCode: String? = nil, attemptNo: Int? = nil, retrySeconds: Int? = nil,
                    sessionSeconds: Double? = nil, mxHost: String? = nil, bounceType: String? = nil,
                    tls: Bool? = nil, certificateVerified: Bool? = nil) {
            self.code = code
            self.message = message
            self.description = description
            self.enhancedCode = enhancedCode
            self.attemptNo = attemptNo
            self.retrySeconds = retrySeconds
            self.sessionSeconds = sessionSeconds
            self.mxHost = mxHost
            self.bounceType = bounceType
            self.tls = tls
            self.certificateVerified = certificateVerified
        }
    }
}
