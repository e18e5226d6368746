import AsyncHTTPClient
import AuditCore
import AuditEngine
import Foundation
import Mailgun
import NIOCore
import NIOHTTP1

/// Hands messages to Mailgun's sending API: `POST {base}/v3/{domain}/messages`, form-encoded,
/// HTTP basic auth `api:KEY`, the audit id as the `v:audit-id` user variable.
///
/// Answers map to ``MailgunSendError`` as the batch feeder expects: network errors, timeouts,
/// 429 and 5xx keep the email Pending (retried with backoff); 401, 403 and 404 concern the
/// account or domain, not the message, so they too keep it Pending; any other 4xx is the
/// provider refusing this message, and the feeder records it as Rejected with the provider's words.
///
/// ``send(_:at:)`` blocks its thread until the answer (the feeder runs on its own thread).
/// Attachments are sent by name only in the audit's records: the audit never holds the files.
public final class MailgunHTTPProvider: EmailProvider, @unchecked Sendable {
    public let sendingDomain: String
    private let messagesURL: String
    private let authorization: String
    private let client: HTTPClient
    private let timeout: TimeAmount
    private let suppressions: MailgunSuppressionClient

    /// - Parameters:
    ///   - baseURL: `https://api.mailgun.net`, `https://api.eu.mailgun.net`, or a simulator such as `http://127.0.0.1:8026`.
    ///   - apiKey: the private API key (sent only in the Authorization header; never logged).
    public init(baseURL: String, domain: String, apiKey: String, client: HTTPClient = .shared, timeout: TimeAmount = .seconds(30)) {
        let endpoint = MailgunEndpoint(baseURL: baseURL, domain: domain, apiKey: apiKey)
        sendingDomain = domain
        messagesURL = endpoint.url("messages")
        authorization = endpoint.authorization
        self.client = client
        self.timeout = timeout
        suppressions = MailgunSuppressionClient(baseURL: baseURL, domain: domain, apiKey: apiKey, client: client, timeout: timeout)
    }

    /// Takes `address` off the domain's bounces, complaints and unsubscribes lists
    /// (`DELETE {base}/v3/{domain}/{list}/{address}`), blocking until Mailgun answers each. Not
    /// being on a list (404) is fine. Every list is tried; the first failure is thrown after.
    public func removeSuppression(_ address: String, at time: Date) throws {
        var failure: SuppressionRemovalError?
        for kind in SuppressionKind.allCases {
            do {
                _ = try suppressions.removeWaiting(address, from: kind)
            } catch {
                failure = failure ?? error
            }
        }
        if let failure { throw failure }
    }

    public func send(_ request: MailgunSendRequest, at time: Date) throws -> MailgunSendResponse {
        let httpRequest: HTTPClient.Request
        do {
            httpRequest = try HTTPClient.Request(
                url: messagesURL, method: .POST,
                headers: ["Authorization": authorization, "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"],
                body: .string(Self.formBody(for: request)))
        } catch {
            throw MailgunSendError.unavailable(status: 0, message: "the provider URL is not usable")
        }
        let response: HTTPClient.Response
        do {
            response = try client.execute(request: httpRequest, deadline: .now() + timeout).wait()
        } catch {
            throw MailgunSendError.unavailable(status: 0, message: "cannot reach the provider (\(Self.networkProblem(error)))")
        }
        let status = Int(response.status.code)
        let body = response.body.map { String(buffer: $0) } ?? ""
        switch status {
        case 200..<300:
            guard let decoded = try? JSONDecoder().decode(MailgunSendResponse.self, from: Data(body.utf8)), !decoded.bareMessageID.isEmpty else {
                throw MailgunSendError.unavailable(status: status, message: "the provider's answer had no message id")
            }
            return decoded
        case 429:
            throw MailgunSendError.rateLimited
        case 401, 403, 404:
            throw MailgunSendError.unavailable(status: status, message: "the provider refused the account or domain (check the API key and domain)")
        case 400..<500:
            throw MailgunSendError.requestRejected(status: status, message: Self.reason(from: body, status: status))
        default:
            throw MailgunSendError.unavailable(status: status, message: Self.reason(from: body, status: status))
        }
    }

    /// The form fields of a send request, URL-encoded.
    static func formBody(for request: MailgunSendRequest) -> String {
        var fields: [(String, String)] = [("from", request.from)]
        fields += request.to.map { ("to", $0) }
        fields += request.cc.map { ("cc", $0) }
        fields += [("subject", request.subject), ("text", request.text)]
        fields += request.tags.map { ("o:tag", $0) }
        fields += request.variables.sorted { $0.key < $1.key }.map { ("v:\($0.key)", $0.value) }
        return fields.map { formEncode($0.0) + "=" + formEncode($0.1) }.joined(separator: "&")
    }

    private static let formAllowed: CharacterSet = {
        var set = CharacterSet.alphanumerics.intersection(CharacterSet(charactersIn: Unicode.Scalar(0)...Unicode.Scalar(127)))
        set.insert(charactersIn: "-._*")
        return set
    }()

    static func formEncode(_ text: String) -> String {
        (text.addingPercentEncoding(withAllowedCharacters: formAllowed) ?? "")
    }

    /// Mailgun's `message` from a JSON error body, else the body's first line; one line, at most 300 characters.
    static func reason(from body: String, status: Int) -> String {
        var text = body
        if let data = body.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let message = object["message"] as? String {
            text = message
        }
        let line = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let clean = String(line.unicodeScalars.filter { $0.value >= 0x20 && $0.value != 0x7F }.prefix(300))
        return clean.isEmpty ? "HTTP \(status)" : clean
    }

    private static func networkProblem(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded, .readTimeout, .connectTimeout: return "timed out"
            case .remoteConnectionClosed: return "connection closed"
            default: break
            }
        }
        return "connection failed"
    }
}
