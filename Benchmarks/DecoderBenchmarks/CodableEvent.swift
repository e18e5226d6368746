/// A `Decodable` mirror of the fields ``MailgunEventDecoder`` reads, for the `JSONDecoder`
/// baseline (strict types, no leniency).
struct CodableEvent: Decodable {
    struct Status: Decodable {
        var code: Int?; var message: String?; var description: String?; var enhancedCode: String?
        var attemptNo: Int?; var retrySeconds: Int?; var sessionSeconds: Double?; var mxHost: String?
        var bounceType: String?; var tls: Bool?; var certificateVerified: Bool?
        enum CodingKeys: String, CodingKey {
            case code, message, description, tls
            case enhancedCode = "enhanced-code", attemptNo = "attempt-no", retrySeconds = "retry-seconds"
            case sessionSeconds = "session-seconds", mxHost = "mx-host", bounceType = "bounce-type"
            case certificateVerified = "certificate-verified"
        }
    }
    struct Headers: Decodable {
        var to: String?; var from: String?; var subject: String?; var messageID: String?
        enum CodingKeys: String, CodingKey { case to, from, subject, messageID = "message-id" }
    }
    struct Attachment: Decodable {
        var filename: String; var contentType: String; var size: Int
        enum CodingKeys: String, CodingKey { case filename, size, contentType = "content-type" }
    }
    struct Message: Decodable { var headers: Headers?; var attachments: [Attachment]?; var recipients: [String]?; var size: Int? }
    struct Envelope: Decodable {
        var sender: String?; var targets: String?; var transport: String?; var sendingIP: String?
        enum CodingKeys: String, CodingKey { case sender, targets, transport, sendingIP = "sending-ip" }
    }
    struct Flags: Decodable {
        var isAuthenticated: Bool?; var isRouted: Bool?; var isSystemTest: Bool?; var isTestMode: Bool?; var isDelayedBounce: Bool?
        enum CodingKeys: String, CodingKey {
            case isAuthenticated = "is-authenticated", isRouted = "is-routed", isSystemTest = "is-system-test"
            case isTestMode = "is-test-mode", isDelayedBounce = "is-delayed-bounce"
        }
    }
    struct Geo: Decodable { var country: String?; var region: String?; var city: String? }
    struct Client: Decodable {
        var clientType: String?; var clientOS: String?; var deviceType: String?; var clientName: String?
        var userAgent: String?; var bot: String?
        enum CodingKeys: String, CodingKey {
            case bot, clientType = "client-type", clientOS = "client-os", deviceType = "device-type"
            case clientName = "client-name", userAgent = "user-agent"
        }
    }
    struct Storage: Decodable { var url: String?; var key: String? }
    struct Reject: Decodable { var reason: String?; var description: String? }

    var event: String; var id: String; var timestamp: Double; var logLevel: String?; var method: String?
    var recipient: String?; var recipientDomain: String?; var severity: String?; var reason: String?
    var deliveryStatus: Status?; var message: Message?; var envelope: Envelope?; var flags: Flags?
    var reject: Reject?; var url: String?; var ip: String?; var geolocation: Geo?; var clientInfo: Client?
    var tags: [String]?; var userVariables: [String: String]?; var storage: Storage?
    enum CodingKeys: String, CodingKey {
        case event, id, timestamp, method, recipient, severity, reason, message, envelope, flags, reject, url, ip
        case geolocation, tags, storage
        case logLevel = "log-level", recipientDomain = "recipient-domain", deliveryStatus = "delivery-status"
        case clientInfo = "client-info", userVariables = "user-variables"
    }
}
