extension MailgunEvent {
    /// Mailgun's `geolocation` object on engagement events; unknown parts are `"Unknown"`.
    public struct Geolocation: Sendable, Hashable {
        /// ISO 3166 alpha-2 country code.
        public var country: String?
        /// Region code or name.
        public var region: String?
        /// City name.
        public var city: String?

        /// Creates a location.
        public init(country: String? = nil, region: String? = nil, city: String? = nil) {
            self.country = country
            self.region = region
            self.city = city
        }
    }
}
