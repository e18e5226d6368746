// Release-mode measurement; run through scripts/mailgun-decode-throughput.sh.
import Foundation
import Mailgun
import ProviderSimulator

let arguments = CommandLine.arguments
let eventTarget = arguments.count > 1 ? Int(arguments[1]) ?? 20_000 : 20_000
let seconds = arguments.count > 2 ? Double(arguments[2]) ?? 2 : 2

func elapsed(_ body: () throws -> Void) rethrows -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    try body()
    let duration = clock.now - start
    return Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
}

func rate(_ count: Int, _ seconds: Double) -> String {
    String(Int((Double(count) / seconds).rounded()))
}

// MARK: Simulator output as the bench would produce it.

let simulator = MailgunSimulator(seed: 2026)
let start = Date(timeIntervalSince1970: 1_796_033_702)
let domains = ["gmail.com", "outlook.com", "hotmail.co.uk", "yahoo.co.uk", "icloud.com", "btinternet.com",
               "harbourlets-tenants.co.uk", "example.com", "gmial.com"]
var lines: [String] = []
var sent = 0
let generation = elapsed {
    var time = start
    while lines.count < eventTarget {
        let to = "tenant\(sent)@\(domains[sent % domains.count])"
        _ = try? simulator.send(MailgunSendRequest(
            from: "Harbour Lets <accounts@mg.harbourlets.co.uk>", to: [to], subject: "Rent demand for flat \(sent)",
            text: "Please pay at https://harbourlets.co.uk/pay/\(sent)", attachments: [.init(filename: "Demand.pdf", size: 48_000)],
            tags: ["demand"], variables: ["audit-id": "E-\(sent)"]), at: time)
        sent += 1
        time = time.addingTimeInterval(5)
        if sent % 1_000 == 0 { lines += simulator.events(through: time) }
    }
    lines += simulator.events(through: time.addingTimeInterval(86_400 * 30))
}
let bytes = lines.reduce(0) { $0 + $1.utf8.count }
print("simulator: \(sent) messages -> \(lines.count) event lines (avg \(bytes / lines.count) bytes) in \(String(format: "%.2f", generation)) s = \(rate(lines.count, generation)) events/s (send + encode)")

// MARK: The encoder alone (the simulator's last step).

do {
    let events = try lines.map { try MailgunEventDecoder.decode(line: $0, lineNumber: 1).event }
    var written = 0
    let time = elapsed {
        repeat {
            for event in events { written += MailgunEventEncoder.jsonLine(event).utf8.count > 0 ? 1 : 0 }
        } while written < events.count * 4
    }
    print("MailgunEventEncoder: \(written) events in \(String(format: "%.3f", time)) s = \(rate(written, time)) events/s")
}

// MARK: The module's decoder.

for threads in [1, 2] {
    let report = MailgunDecodeThroughput.measure(lines: lines, threads: threads, minimumSeconds: seconds)
    print("MailgunEventDecoder (own parser):     \(report)")
}

// MARK: Baseline 1: JSONDecoder into a Codable mirror of the same fields.

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

do {
    let datas = lines.map { Data($0.utf8) }
    let decoder = JSONDecoder()
    var count = 0
    let time = elapsed {
        repeat {
            for data in datas { if (try? decoder.decode(CodableEvent.self, from: data)) != nil { count += 1 } }
        } while count < datas.count * 2
    }
    print("JSONDecoder + Codable mirror:         \(count) lines on 1 thread(s) in \(String(format: "%.3f", time)) s: \(rate(count, time)) lines/s (strict types, no leniency)")
}

// MARK: Baseline 2: JSONSerialization and manual extraction into MailgunEvent.

func extract(_ object: [String: Any]) -> MailgunEvent? {
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

do {
    let datas = lines.map { Data($0.utf8) }
    var count = 0
    let time = elapsed {
        repeat {
            for data in datas {
                if let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any], extract(object) != nil { count += 1 }
            }
        } while count < datas.count * 2
    }
    print("JSONSerialization + manual extraction: \(count) lines on 1 thread(s) in \(String(format: "%.3f", time)) s: \(rate(count, time)) lines/s")
}

// Sanity: all three agree on the events.
var disagreements = 0
for line in lines.prefix(2_000) {
    let own = try MailgunEventDecoder.decode(line: line, lineNumber: 1).event
    let viaSerialization = extract(try JSONSerialization.jsonObject(with: Data(line.utf8)) as! [String: Any])
    if own != viaSerialization { disagreements += 1 }
}
print("agreement check (own parser vs JSONSerialization, first 2000 lines): \(disagreements) differences")
