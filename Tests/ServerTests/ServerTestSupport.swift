import AuditCore
import AuditEngine
import AuditStore
import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import Mailgun
@testable import Server

/// A store in a temporary folder with one account, two staff and a unit, and the routes of `serve` on it.
final class ServerFixture: @unchecked Sendable {
    static let signingKey = "whsec-test-key-0123456789abcdef"
    static let intakeToken = "intake-token-account-one-0123456789"

    let folder: URL
    let store: AuditDatabase
    let account: Account
    let unitID: Int64
    let committer: WebhookCommitter
    let intake: IntakeCommitter
    let routes: ServerRoutes

    init(timestampWindow: TimeInterval = 9 * 3600, maximumBodyBytes: Int = 1_048_576) throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("email-audit-server-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try AuditDatabase(path: folder.appendingPathComponent("audit.sqlite").path, timeZone: TimeZone(identifier: "Europe/London")!)
        account = try store.insertAccount(name: "Harbour Lets")
        _ = try store.insertStaff(accountID: account.id, name: "Zoë Clarke", role: .staff)
        let block = try store.insertBlock(accountID: account.id, name: "Quay House", street: "1 Quay St", town: "Bristol", postcode: "BS1 1AA")
        unitID = try store.insertUnit(blockID: block.id, name: "Flat 1").id
        var logger = Logger(label: "test")
        logger.logLevel = .critical
        let ingestor = EventIngestor(store: store, defaultAccountID: account.id)
        committer = WebhookCommitter(store: store, ingestor: ingestor, logger: logger)
        committer.start()
        intake = IntakeCommitter(recorder: IntakeRecorder(store: store))
        intake.start()
        routes = ServerRoutes(
            verifier: WebhookVerifier(signingKey: Self.signingKey, timestampWindow: timestampWindow), committer: committer,
            intake: intake, intakeTokens: IntakeTokens(accounts: [Self.intakeToken: account.id]),
            providerStatus: ProviderStatus(), store: store, maximumBodyBytes: maximumBodyBytes, logger: logger)
    }

    deinit {
        committer.stop()
        intake.stop()
        try? FileManager.default.removeItem(at: folder)
    }

    var app: some ApplicationProtocol {
        var logger = Logger(label: "test-app")
        logger.logLevel = .critical
        return Application(router: routes.router(), logger: logger)
    }

    /// A Mailgun event object (an `accepted` event for `recipient`).
    static func eventJSON(id: String, recipient: String = "alice@example.net", messageID: String = "20261202101502.5f3c9a1b7d2e4c60@mg.example.com",
                          event: String = "accepted") -> String {
        """
        {"event": "\(event)", "id": "\(id)", "timestamp": \(Date().timeIntervalSince1970), "log-level": "info", "method": "http", \
        "envelope": {"sender": "billing@mg.example.com", "targets": "\(recipient)", "transport": "smtp"}, \
        "message": {"headers": {"to": "\(recipient)", "from": "billing@mg.example.com", "subject": "Invoice 1042", \
        "message-id": "\(messageID)"}, "attachments": [], "recipients": ["\(recipient)"], "size": 4213}, \
        "recipient": "\(recipient)", "recipient-domain": "example.net", "tags": [], "campaigns": [], "user-variables": {}}
        """
    }

    /// A webhook body signed with `key` at `timestamp` with `token`.
    static func webhookBody(event: String, token: String = randomToken(), timestamp: Date = Date(), key: String = signingKey) -> String {
        let signature = MailgunWebhookSignature(timestamp: String(Int(timestamp.timeIntervalSince1970)), token: token, signingKey: Data(key.utf8))
        return """
            {"signature": {"timestamp": "\(signature.timestamp)", "token": "\(signature.token)", "signature": "\(signature.signature)"}, \
            "event-data": \(event)}
            """
    }

    static func randomToken() -> String {
        String((UUID().uuidString + UUID().uuidString).replacingOccurrences(of: "-", with: "").lowercased().prefix(50))
    }

    static let json: HTTPFields = [.contentType: "application/json"]
}
