import AsyncHTTPClient
import AuditCore
import Foundation
import NIOCore
import NIOHTTP1

/// What Mailgun said to a suppression removal.
public enum SuppressionRemoval: Sendable, Equatable {
    /// The address was on the list and is now off it: mail to it is sent again.
    case removed
    /// The address was not on that list (Mailgun's 404): nothing to do.
    case notListed
}

/// Why a suppression removal did not happen.
public enum SuppressionRemovalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Network error, timeout, 429 or 5xx: try again later.
    case unavailable(status: Int, message: String)
    /// 401 or 403: the API key or domain is wrong (the key itself is never part of the text).
    case notAuthorised(status: Int)
    /// Any other answer, with the provider's words (one line, at most 300 characters).
    case refused(status: Int, message: String)

    public var description: String {
        switch self {
        case .unavailable(let status, let message): status == 0 ? message : "Mailgun unavailable (HTTP \(status)): \(message)"
        case .notAuthorised(let status): "Mailgun refused the API key or domain (HTTP \(status))"
        case .refused(let status, let message): "Mailgun refused the removal (HTTP \(status)): \(message)"
        }
    }
}

/// Takes an address off one of Mailgun's suppression lists, as support does when a recipient
/// asks to receive mail again: `DELETE {base}/v3/{domain}/bounces/{address}` (and `complaints`,
/// `unsubscribes`), HTTP basic auth `api:KEY`. For the suppression issue's removal by support.
public struct MailgunSuppressionClient: Sendable {
    private let endpoint: MailgunEndpoint
    private let client: HTTPClient
    private let timeout: TimeAmount

    /// - Parameters:
    ///   - baseURL: `https://api.mailgun.net`, `https://api.eu.mailgun.net`, or the simulator.
    ///   - apiKey: the private API key (sent only in the Authorization header; never logged).
    public init(baseURL: String, domain: String, apiKey: String, client: HTTPClient = .shared, timeout: TimeAmount = .seconds(30)) {
        endpoint = MailgunEndpoint(baseURL: baseURL, domain: domain, apiKey: apiKey)
        self.client = client
        self.timeout = timeout
    }

    /// The list's path segment in Mailgun's API.
    public static func listName(_ kind: SuppressionKind) -> String {
        switch kind {
        case .bounce: "bounces"
        case .complaint: "complaints"
        case .unsubscribe: "unsubscribes"
        }
    }

    /// The URL of one address on one list (domain and address percent-encoded as path segments).
    public func url(removing address: String, from kind: SuppressionKind) -> String {
        endpoint.url(Self.listName(kind), address)
    }

    /// Removes `address` from the `kind` list.
    public func remove(_ address: String, from kind: SuppressionKind) async throws(SuppressionRemovalError) -> SuppressionRemoval {
        var request = HTTPClientRequest(url: url(removing: address, from: kind))
        request.method = .DELETE
        request.headers.add(name: "Authorization", value: endpoint.authorization)
        request.headers.add(name: "Accept", value: "application/json")
        let status: Int
        let body: String
        do {
            let response = try await client.execute(request, timeout: timeout)
            status = Int(response.status.code)
            body = String(buffer: try await response.body.collect(upTo: 1 << 16))
        } catch {
            throw .unavailable(status: 0, message: "cannot reach the provider")
        }
        return try Self.outcome(status: status, body: body)
    }

    /// Removes `address` from the `kind` list, blocking the calling thread until Mailgun answers
    /// (for callers on their own thread, such as ``MailgunHTTPProvider/removeSuppression(_:at:)``).
    public func removeWaiting(_ address: String, from kind: SuppressionKind) throws(SuppressionRemovalError) -> SuppressionRemoval {
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(url: url(removing: address, from: kind), method: .DELETE,
                                             headers: ["Authorization": endpoint.authorization, "Accept": "application/json"])
        } catch {
            throw .unavailable(status: 0, message: "the provider URL is not usable")
        }
        let response: HTTPClient.Response
        do {
            response = try client.execute(request: request, deadline: .now() + timeout).wait()
        } catch {
            throw .unavailable(status: 0, message: "cannot reach the provider")
        }
        return try Self.outcome(status: Int(response.status.code), body: response.body.map { String(buffer: $0) } ?? "")
    }

    /// What an HTTP answer to a removal means: 2xx removed, 404 not on the list, else an error.
    static func outcome(status: Int, body: String) throws(SuppressionRemovalError) -> SuppressionRemoval {
        switch status {
        case 200..<300: return .removed
        case 404: return .notListed
        case 401, 403: throw .notAuthorised(status: status)
        case 429, 500...: throw .unavailable(status: status, message: MailgunHTTPProvider.reason(from: body, status: status))
        default: throw .refused(status: status, message: MailgunHTTPProvider.reason(from: body, status: status))
        }
    }
}
