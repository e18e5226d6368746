import Foundation
import Mailgun

/// The `JSONSerialization` baseline: Foundation's parser, then the fields copied into a
/// ``MailgunEvent`` by hand.
enum SerializationExtraction {
    /// The event in `object`, or nil when its required fields are missing.
    static func event(from object: [String: Any]) -> MailgunEvent? {
        guard let event = object["event"] as? String, let id = object["id"] as? String,
              let timestamp = (object["timestamp"] as? NSNumber)?.doubleValue else { return nil }
        var result = MailgunEvent(event: event, id: id, timestamp: timestamp)
        result.logLevel = object["log-level"] as? String
        result.method = (object["method"] as? String)?.lowercased()
        result.recipient = object["recipient"] as? String
        result.recipientDomain = object["recipient-domain"] as? String
        result.severity = object["severity"] as? String
        result.reason = object["reason"] as? String
        if let status = object["delivery-status"] as? [String: Any] {
            result.deliveryStatus = .init(
                code: (status["code"] as? NSNumber)?.intValue, message: status["message"] as? String,
                description: status["description"] as? String, enhancedCode: status["enhanced-code"] as? String,
                attemptNo: (status["attempt-no"] as? NSNumber)?.intValue, retrySeconds: (status["retry-seconds"] as? NSNumber)?.intValue,
                sessionSeconds: (status["session-seconds"] as? NSNumber)?.doubleValue, mxHost: status["mx-host"] as? String,
                bounceType: status["bounce-type"] as? String, tls: (status["tls"] as? NSNumber)?.boolValue,
                certificateVerified: (status["certificate-verified"] as? NSNumber)?.boolValue)
        }
        if let message = object["message"] as? [String: Any] {
            var value = MailgunEvent.Message()
            if let headers = message["headers"] as? [String: Any] {
                value.headers = .init(to: headers["to"] as? String, from: headers["from"] as? String,
                                      subject: headers["subject"] as? String, messageID: headers["message-id"] as? String)
            }
            value.attachments = (message["attachments"] as? [[String: Any]])?.map {
                .init(filename: $0["filename"] as? String ?? "", contentType: $0["content-type"] as? String ?? "",
                      size: ($0["size"] as? NSNumber)?.intValue ?? 0)
            }
            value.recipients = message["recipients"] as? [String]
            value.size = (message["size"] as? NSNumber)?.intValue
            result.message = value
        }
        if let envelope = object["envelope"] as? [String: Any] {
            result.envelope = .init(sender: envelope["sender"] as? String, targets: envelope["targets"] as? String,
                                    transport: envelope["transport"] as? String, sendingIP: envelope["sending-ip"] as? String)
        }
        if let flags = object["flags"] as? [String: Any] {
            result.flags = .init(isAuthenticated: (flags["is-authenticated"] as? NSNumber)?.boolValue,
                                 isRouted: (flags["is-routed"] as? NSNumber)?.boolValue,
                                 isSystemTest: (flags["is-system-test"] as? NSNumber)?.boolValue,
                                 isTestMode: (flags["is-test-mode"] as? NSNumber)?.boolValue,
                                 isDelayedBounce: (flags["is-delayed-bounce"] as? NSNumber)?.boolValue)
        }
        if let reject = object["reject"] as? [String: Any] {
            result.reject = .init(reason: reject["reason"] as? String, description: reject["description"] as? String)
        }
        result.url = object["url"] as? String
        result.ip = object["ip"] as? String
        if let geo = object["geolocation"] as? [String: Any] {
            result.geolocation = .init(country: geo["country"] as? String, region: geo["region"] as? String, city: geo["city"] as? String)
        }
        if let client = object["client-info"] as? [String: Any] {
            result.clientInfo = .init(clientType: client["client-type"] as? String, clientOS: client["client-os"] as? String,
                                      deviceType: client["device-type"] as? String, clientName: client["client-name"] as? String,
                                      userAgent: client["user-agent"] as? String, bot: client["bot"] as? String)
        }
        result.tags = object["tags"] as? [String] ?? []
        if let variables = object["user-variables"] as? [String: Any] {
            result.userVariables = variables.mapValues { $0 as? String ?? "\($0)" }
        }
        if let storage = object["storage"] as? [String: Any] {
            result.storage = .init(url: storage["url"] as? String, key: storage["key"] as? String)
        }
        return result
    }
}
