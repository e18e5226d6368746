import AsyncHTTPClient
import AuditCore
import Foundation
import Hummingbird
import Logging
import Mailgun
import NIOCore
import NIOHTTP1
import ProviderSimulator
import ServiceLifecycle

/// Settings of `email-audit simulate-provider`.
public struct SimulatorHTTPConfiguration: Sendable {
    public var host = "127.0.0.1"
    public var port = 8026
    public var seed: UInt64 = 1
    public var domain = "mg.harbourlets.co.uk"
    /// The API key callers must send (basic auth `api:KEY`); nil accepts any.
    public var apiKey: String?
    /// Where signed webhooks are posted; empty posts none (Events API only). With several, the
    /// simulator spreads them as a load balancer in front of several receivers would: each
    /// webhook goes to the next URL in turn, and each retry of it to the URL after the one that
    /// failed.
    public var webhookURLs: [String] = []
    /// The one webhook URL (the first of ``webhookURLs``); setting it replaces them all.
    public var webhookURL: String? {
        get { webhookURLs.first }
        set { webhookURLs = newValue.map { [$0] } ?? [] }
    }
    /// The key webhooks are signed with.
    public var signingKey: String?
    /// Divides the simulated delays between a send and its events (1 is Mailgun's pace). Events
    /// are always stamped with the real time they fall due, so the receiver's clock checks hold.
    public var speed: Double = 1
    /// Mailgun's webhook retry delays in seconds (current docs: 5 min, 10 min, 15 min, 1 h, 2 h, 4 h).
    public var retryDelays: [TimeInterval] = [300, 600, 900, 3600, 7200, 14400]

    public init() {}
}

/// The provider simulator speaking HTTP on loopback, for `serve` and the end-to-end tests:
/// `POST /v3/{domain}/messages` (form-encoded, as Mailgun), `GET /v3/{domain}/events` (ascending,
/// `begin`, `limit`, paging by `next`), `POST /simulator/outage` (503s), `/simulator/rate-limit`
/// (429s) and `/simulator/recover` to switch trouble on and off, and signed webhooks posted to a URL with Mailgun's retry schedule
/// (a 200 ends a delivery, a 406 drops it, anything else is retried).
public final class SimulatorHTTP: @unchecked Sendable {
    public let configuration: SimulatorHTTPConfiguration
    let simulator: MailgunSimulator
    private let logger: Logger
    private let lock = NSLock()
    /// Whether sends are answered 429 Too Many Requests (switched by `/simulator/rate-limit`).
    private var rateLimiting = false
    /// Every event reported so far (for the Events API), in the order the simulator reported them.
    private var log: [(timestamp: Double, line: String)] = []
    /// Webhook deliveries waiting for their next attempt.
    private var deliveries: [WebhookDelivery] = []

    /// Webhooks made so far (which URL of several the next one goes to).
    private var webhooksMade = 0
    /// Messages accepted by `POST /v3/{domain}/messages` so far (for `/simulator/stats`).
    private var messagesAccepted = 0

    struct WebhookDelivery {
        var body: String
        var attempt: Int
        var due: Date
        /// The position of this delivery's first URL in ``SimulatorHTTPConfiguration/webhookURLs``.
        var firstURL = 0
    }

    public init(configuration: SimulatorHTTPConfiguration, logger: Logger) {
        self.configuration = configuration
        simulator = MailgunSimulator(seed: configuration.seed, domain: configuration.domain, delayDivisor: configuration.speed)
        self.logger = logger
    }

    /// Whether sends are refused with 429 (a rate limit) until `/simulator/recover`.
    public var isRateLimiting: Bool {
        get { lock.withLock { rateLimiting } }
        set { lock.withLock { rateLimiting = newValue } }
    }

    /// The router of the simulator's HTTP API.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.post("/v3/:domain/messages") { request, context in
            await self.messages(request, domain: context.parameters.get("domain") ?? "")
        }
        router.get("/v3/:domain/events") { request, context in
            self.events(request, domain: context.parameters.get("domain") ?? "", cursor: nil)
        }
        router.get("/v3/:domain/events/:cursor") { request, context in
            self.events(request, domain: context.parameters.get("domain") ?? "", cursor: context.parameters.get("cursor"))
        }
        for kind in SuppressionKind.allCases {
            router.delete("/v3/:domain/\(MailgunSuppressionClient.listName(kind))/:address") { request, context in
                self.removeSuppression(request, domain: context.parameters.get("domain") ?? "",
                                       address: context.parameters.get("address") ?? "", kind: kind)
            }
        }
        router.post("/simulator/outage") { _, _ in
            self.simulator.isAvailable = false
            return Self.json(.ok, "{\"available\": false}")
        }
        router.post("/simulator/rate-limit") { _, _ in
            self.isRateLimiting = true
            return Self.json(.ok, "{\"rate_limited\": true}")
        }
        router.post("/simulator/recover") { _, _ in
            self.simulator.isAvailable = true
            self.isRateLimiting = false
            return Self.json(.ok, "{\"available\": true, \"rate_limited\": false}")
        }
        router.get("/simulator/stats") { _, _ in
            let (logged, waiting, accepted) = self.lock.withLock { (self.log.count, self.deliveries.count, self.messagesAccepted) }
            return Self.json(.ok, "{\"events\": \(logged), \"webhooks_waiting\": \(waiting), \"queued\": \(self.simulator.queuedEventCount), "
                             + "\"accepted\": \(accepted)}")
        }
        return router
    }

    private func authorised(_ request: Request) -> Bool {
        guard let key = configuration.apiKey else { return true }
        return request.headers[.authorization] == "Basic " + Data("api:\(key)".utf8).base64EncodedString()
    }

    func messages(_ request: Request, domain: String) async -> Response {
        guard authorised(request) else { return Self.json(.unauthorized, "{\"message\": \"Invalid private key\"}") }
        guard domain == configuration.domain else { return Self.json(.notFound, "{\"message\": \"Domain not found: \(domain)\"}") }
        guard let buffer = try? await request.body.collect(upTo: 30 << 20) else {
            return Self.json(.contentTooLarge, "{\"message\": \"Request Entity Too Large\"}")
        }
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            return Self.json(.badRequest, "{\"message\": \"this simulator takes application/x-www-form-urlencoded\"}")
        }
        guard !isRateLimiting else {
            return Self.json(.tooManyRequests, "{\"message\": \"Too many requests\"}")
        }
        let send = Self.sendRequest(fromForm: String(buffer: buffer))
        do {
            let response = try simulator.send(send, at: Date())
            lock.withLock { messagesAccepted += 1 }
            return Self.json(.ok, JSONText.object(["id": .string(response.id), "message": .string(response.message)]))
        } catch {
            let status: HTTPResponse.Status
            let message: String
            switch error {
            case .unavailable(let code, let text): status = .init(code: code); message = text
            case .rateLimited: status = .tooManyRequests; message = "Too many requests"
            case .requestRejected(let code, let text): status = .init(code: code); message = text
            }
            return Self.json(status, JSONText.object(["message": .string(message)]))
        }
    }

    /// The send request a form body describes (`from`, `to`, `cc`, `subject`, `text`, `o:tag`, `v:NAME`).
    static func sendRequest(fromForm body: String) -> MailgunSendRequest {
        var request = MailgunSendRequest(from: "", to: [], subject: "", text: "")
        for pair in body.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = decode(parts[0]), value = parts.count > 1 ? decode(parts[1]) : ""
            switch key {
            case "from": request.from = value
            case "to": request.to += value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            case "cc": request.cc += value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            case "subject": request.subject = value
            case "text": request.text = value
            case "o:tag": request.tags.append(value)
            default:
                if key.hasPrefix("v:") { request.variables[String(key.dropFirst(2))] = value }
            }
        }
        return request
    }

    private static func decode(_ text: Substring) -> String {
        text.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(text)
    }

    /// `DELETE /v3/{domain}/{bounces|complaints|unsubscribes}/{address}`: 200 when the address was
    /// on that list (it is taken off), 404 when it was not.
    func removeSuppression(_ request: Request, domain: String, address: String, kind: SuppressionKind) -> Response {
        guard authorised(request) else { return Self.json(.unauthorized, "{\"message\": \"Invalid private key\"}") }
        guard domain == configuration.domain else { return Self.json(.notFound, "{\"message\": \"Domain not found\"}") }
        let bare = address.removingPercentEncoding ?? address
        guard simulator.isSuppressed(bare) == kind else {
            return Self.json(.notFound, JSONText.object(["message": .string("Address not found in \(MailgunSuppressionClient.listName(kind)) table")]))
        }
        simulator.removeSuppression(bare)
        return Self.json(.ok, JSONText.object(["message": .string("Suppression has been removed"), "address": .string(bare)]))
    }

    func events(_ request: Request, domain: String, cursor: String?) -> Response {
        guard authorised(request) else { return Self.json(.unauthorized, "{\"message\": \"Invalid private key\"}") }
        let query = request.uri.queryParameters
        let limit = min(300, max(1, query.get("limit").flatMap { Int($0) } ?? 100))
        var start = 0
        if let cursor {
            guard let index = Int(cursor), index >= 0 else { return Self.json(.badRequest, "{\"message\": \"bad page token\"}") }
            start = index
        }
        let begin = query.get("begin").flatMap { Double($0) }
        let page: [String]
        let next: Int
        (page, next) = lock.withLock {
            var index = start
            var items: [String] = []
            while index < log.count && items.count < limit {
                if begin.map({ log[index].timestamp >= $0 }) ?? true { items.append(log[index].line) }
                index += 1
            }
            return (items, index)
        }
        var nextURL = "/v3/\(domain)/events/\(next)?limit=\(limit)"
        if let begin { nextURL += "&begin=\(begin)" }
        let text = "{\"items\": [" + page.joined(separator: ", ") + "], \"paging\": {\"next\": " + JSONText.quoted(nextURL) + "}}"
        return Self.json(.ok, text)
    }

    /// Moves due events into the log and the webhook queue, and makes the webhook attempts that are due.
    func pump(client: HTTPClient) async {
        let lines = simulator.events(through: Date())
        if !lines.isEmpty {
            lock.withLock {
                for line in lines {
                    let timestamp = (try? MailgunEventDecoder.decode(line: line, lineNumber: 1))?.event.timestamp ?? 0
                    log.append((timestamp, line))
                    if !configuration.webhookURLs.isEmpty, configuration.signingKey != nil {
                        deliveries.append(WebhookDelivery(body: signedBody(line), attempt: 0, due: Date(), firstURL: webhooksMade))
                        webhooksMade += 1
                    }
                }
            }
        }
        let urls = configuration.webhookURLs
        guard !urls.isEmpty else { return }
        let now = Date()
        let due: [WebhookDelivery] = lock.withLock {
            let ready = deliveries.filter { $0.due <= now }
            deliveries.removeAll { $0.due <= now }
            return ready
        }
        guard !due.isEmpty else { return }
        let outcomes = await withTaskGroup(of: (WebhookDelivery, Int).self) { group in
            for delivery in due {
                let url = urls[(delivery.firstURL + delivery.attempt) % urls.count]
                group.addTask { (delivery, await Self.post(delivery.body, to: url, client: client)) }
            }
            var all: [(WebhookDelivery, Int)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        lock.withLock {
            for (delivery, status) in outcomes where status != 200 && status != 406 {
                guard delivery.attempt < configuration.retryDelays.count else {
                    logger.warning("webhook given up after retries", metadata: ["last_status": "\(status)"])
                    continue
                }
                var retry = delivery
                retry.due = Date() + configuration.retryDelays[delivery.attempt]
                retry.attempt += 1
                deliveries.append(retry)
            }
        }
    }

    /// A webhook body for an event line, signed now with a fresh token. Retries resend the same body.
    func signedBody(_ line: String) -> String {
        let token = (UUID().uuidString + UUID().uuidString).replacingOccurrences(of: "-", with: "").lowercased().prefix(50)
        let signature = MailgunWebhookSignature(timestamp: String(Int(Date().timeIntervalSince1970)), token: String(token),
                                                signingKey: Data((configuration.signingKey ?? "").utf8))
        return "{\"signature\": {\"timestamp\": \"\(signature.timestamp)\", \"token\": \"\(signature.token)\", "
            + "\"signature\": \"\(signature.signature)\"}, \"event-data\": \(line)}"
    }

    /// Posts a webhook; the HTTP status, or 0 when the receiver could not be reached.
    static func post(_ body: String, to url: String, client: HTTPClient) async -> Int {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 1 << 16)
            return Int(response.status.code)
        } catch {
            return 0
        }
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// Runs the HTTP API and the event pump until SIGTERM or SIGINT.
    public func run() async throws {
        let pump = SimulatorPump(simulator: self)
        let app = Application(
            router: router(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "mailgun-simulator"),
            services: [pump],
            onServerRunning: { [logger] channel in
                logger.notice("simulator listening", metadata: ["address": "\(channel.localAddress.map { "\($0)" } ?? "?")"])
            },
            logger: logger)
        try await app.runService()
    }
}

/// Reports due events and posts webhooks every 200 ms.
struct SimulatorPump: Service {
    let simulator: SimulatorHTTP

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await simulator.pump(client: HTTPClient.shared)
                try await Task.sleep(nanoseconds: 200_000_000)
            }
        }
    }
}
