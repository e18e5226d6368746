import Foundation

/// Where a Mailgun domain's API is and how to authenticate to it, for every client of it
/// (sending, Events API, suppressions): the API root without a trailing slash, the domain, and
/// the `Authorization` header value (basic auth `api:KEY`; the key is never logged).
struct MailgunEndpoint: Sendable {
    /// `https://api.mailgun.net`, `https://api.eu.mailgun.net`, or a simulator, without a trailing `/`.
    let base: String
    let domain: String
    /// `Basic base64(api:KEY)`.
    let authorization: String

    init(baseURL: String, domain: String, apiKey: String) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.base = base
        self.domain = domain
        authorization = "Basic " + Data("api:\(apiKey)".utf8).base64EncodedString()
    }

    /// `{base}/v3/{domain}/{segments...}`, the domain and each segment percent-encoded as one path segment.
    func url(_ segments: String...) -> String {
        ([base, "v3", Self.segment(domain)] + segments.map(Self.segment)).joined(separator: "/")
    }

    private static let segmentAllowed: CharacterSet = {
        var allowed = CharacterSet.urlPathAllowed
        allowed.remove(charactersIn: "/?#")
        return allowed
    }()

    static func segment(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: segmentAllowed) ?? text
    }
}
