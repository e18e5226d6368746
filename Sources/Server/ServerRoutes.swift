import AuditCore
import Foundation
import Hummingbird
import Logging
import NIOCore

/// The HTTP surface of `serve`: `/healthz`, `/readyz`, `/metrics`, `POST /webhooks/mailgun`, `POST /v1/emails`.
public struct ServerRoutes: Sendable {
    public let verifier: WebhookVerifier
    public let committer: WebhookCommitter
    public let intake: IntakeCommitter
    public let intakeTokens: IntakeTokens
    public let providerStatus: ProviderStatus
    public let store: any ServiceHealthStore
    public let maximumBodyBytes: Int
    public let metrics: ServerMetrics
    public let logger: Logger

    public init(verifier: WebhookVerifier, committer: WebhookCommitter, intake: IntakeCommitter, intakeTokens: IntakeTokens,
                providerStatus: ProviderStatus, store: any ServiceHealthStore, maximumBodyBytes: Int, metrics: ServerMetrics = ServerMetrics(),
                logger: Logger) {
        self.verifier = verifier
        self.committer = committer
        self.intake = intake
        self.intakeTokens = intakeTokens
        self.providerStatus = providerStatus
        self.store = store
        self.maximumBodyBytes = maximumBodyBytes
        self.metrics = metrics
        self.logger = logger
    }

    /// The router with every route and an access log line per request (method and path; never headers).
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: LogRequestsMiddleware(.info))
        router.get("/healthz") { _, _ in Self.json(.ok, JSONText.object(["status": .string("alive")])) }
        router.get("/readyz") { _, _ in await readiness() }
        router.get("/metrics") { _, _ in await metricsText() }
        router.post("/webhooks/mailgun") { request, _ in await webhook(request) }
        router.post("/v1/emails") { request, _ in await recordEmail(request) }
        return router
    }

    /// 200 when the store takes writes and the provider answered its last hand-over; else 503 naming what is not ready.
    func readiness() async -> Response {
        let writable = await Blocking.run { store.isWritable() }
        let provider = providerStatus.snapshot()
        let ready = writable && provider.problem == nil
        return Self.json(ready ? .ok : .serviceUnavailable, JSONText.object([
            "ready": .bool(ready), "store_writable": .bool(writable), "provider_reachable": .bool(provider.problem == nil),
        ]))
    }

    /// `GET /metrics`: the Prometheus text format, queue gauges read from the store first.
    func metricsText() async -> Response {
        let depth = committer.queueDepth, groups = committer.committed
        let refreshed = await Blocking.run { [metrics, store] in
            Result { try metrics.refresh(store: store, webhookQueueDepth: depth, webhookGroups: groups, now: Date()) }
        }
        if case .failure(let error) = refreshed {
            logger.error("metrics: cannot read the store", metadata: ["error": "\(error)"])
        }
        return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                        body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.exposition())))
    }

    /// `POST /webhooks/mailgun`.
    func webhook(_ request: Request) async -> Response {
        guard WebhookVerifier.isJSON(contentType: request.headers[.contentType]) else {
            return refuse(WebhookRefusal(status: 415, reason: "content-type", message: "the body must be application/json"))
        }
        let body: String
        switch await collect(request) {
        case .success(let text): body = text
        case .failure(let refusal): return refuse(refusal)
        }
        let verified: VerifiedWebhook
        switch verifier.verify(body: body, now: Date()) {
        case .success(let value): verified = value
        case .failure(let refusal): return refuse(refusal)
        }
        switch await committer.submit(verified) {
        case .stored:
            metrics.webhookReceived()
            return Response(status: .ok, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: Self.storedBody))
        case .tokenMisused:
            return refuse(WebhookRefusal(status: 406, reason: "token-reused", message: "this token was already used for another event"))
        case .malformed(let problem):
            return refuse(WebhookRefusal(status: 400, reason: "malformed", message: "malformed webhook body: \(problem)"))
        case .unavailable:
            return refuse(WebhookRefusal(status: 503, reason: "store-unavailable", message: "the store cannot take the event now; retry later"))
        }
    }

    /// `POST /v1/emails`: 201 for a new email, 200 for a retry of a known host id.
    func recordEmail(_ request: Request) async -> Response {
        guard let authorization = request.headers[.authorization], authorization.hasPrefix("Bearer "),
              let account = intakeTokens.account(forToken: String(authorization.dropFirst("Bearer ".count)).trimmingCharacters(in: .whitespaces))
        else {
            return intakeRefusal(IntakeError(status: 401, field: "(authorization)", message: "a valid bearer token is required"))
        }
        guard WebhookVerifier.isJSON(contentType: request.headers[.contentType]) else {
            return intakeRefusal(IntakeError(status: 415, field: "(content-type)", message: "the body must be application/json"))
        }
        let body: String
        switch await collect(request) {
        case .success(let text): body = text
        case .failure(let refusal): return intakeRefusal(IntakeError(status: refusal.status, field: "(body)", message: refusal.message))
        }
        do {
            let parsed = try IntakeRequest.parse(Data(body.utf8))
            let recording = try await intake.submit(parsed, account: account).get()
            logger.info("email recorded", metadata: [
                "account": "\(account)", "email_id": "\(recording.emailID)", "created": "\(recording.created)",
            ])
            metrics.intake(recording.created ? "created" : "retry")
            return Self.json(recording.created ? .created : .ok, JSONText.object([
                "email_id": .int(recording.emailID), "created": .bool(recording.created),
            ]))
        } catch {
            return intakeRefusal(error)
        }
    }

    private func collect(_ request: Request) async -> Result<String, WebhookRefusal> {
        let tooLarge = WebhookRefusal(status: 413, reason: "too-large", message: "the body is larger than \(maximumBodyBytes) bytes")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maximumBodyBytes {
            return .failure(tooLarge)
        }
        do {
            let buffer = try await request.body.collect(upTo: maximumBodyBytes)
            return .success(String(buffer: buffer))
        } catch is NIOTooManyBytesError {
            return .failure(tooLarge)
        } catch {
            return .failure(WebhookRefusal(status: 400, reason: "truncated", message: "the body could not be read"))
        }
    }

    private func refuse(_ refusal: WebhookRefusal) -> Response {
        metrics.webhookRefused(reason: refusal.reason)
        logger.notice("webhook refused", metadata: ["status": "\(refusal.status)", "reason": "\(refusal.reason)"])
        return Self.json(HTTPResponse.Status(code: refusal.status), JSONText.object([
            "error": .object(["reason": .string(refusal.reason), "message": .string(refusal.message)]),
        ]))
    }

    private func intakeRefusal(_ error: IntakeError) -> Response {
        metrics.intake("refused")
        logger.notice("intake refused", metadata: ["status": "\(error.status)", "field": "\(error.field)"])
        return Self.json(HTTPResponse.Status(code: error.status), error.json)
    }

    /// The body of every 200 to a webhook, built once.
    static let storedBody = ByteBuffer(string: JSONText.object(["status": .string("stored")]) + "\n")

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: ResponseBody(byteBuffer: ByteBuffer(string: text + "\n")))
    }
}

/// Runs blocking store work on a dispatch queue, off the event loops and the cooperative pool.
enum Blocking {
    private static let queue = DispatchQueue(label: "email-audit.blocking", attributes: .concurrent)

    static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in queue.async { continuation.resume(returning: body()) } }
    }

    static func run<T: Sendable, E: Error>(_ body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        let result: Result<T, E> = await withCheckedContinuation { continuation in
            queue.async {
                do throws(E) { continuation.resume(returning: .success(try body())) } catch { continuation.resume(returning: .failure(error)) }
            }
        }
        return try result.get()
    }
}
