import AsyncHTTPClient
import AuditCore
import AuditStore
import Foundation
import Mailgun
import NIOCore

/// `email-audit-bench --server`: starts the real `email-audit serve` (the binary beside this one)
/// on a fresh store on loopback and measures, with an HTTP/1.1 load client in this process
/// (``LoadClient``: plain sockets, a thread per connection, so the client's own work takes little
/// of the two cores the server needs; the CPU each side used is printed with the figures):
///
/// - webhook throughput, two cases, each signed Mailgun webhooks (each a distinct event),
///   `--concurrency` in flight, every 200 answered only after the event is durable (group
///   commit, full sync):
///   - known emails (the realistic case, compared with the target): before the clock starts the
///     emails are recorded and handed over through the store's own paths (`record`, then
///     `markHandedOver` with the provider's Message-ID), and the webhooks are what Mailgun sends
///     for them: accepted, delivered and opened, each with the `audit-id` user variable and the
///     stored Message-ID;
///   - unknown messages: webhooks for messages the store has never seen, so each one makes an
///     "External" email in the transaction;
/// - intake rate: `POST /v1/emails` with distinct host ids.
///
/// Afterwards the store is opened and every answered webhook and email is counted in it.
/// Targets from issue 8: ≥ 5,000 events/s, ≥ 2,000 emails/s on this 2-core machine.
struct ServerBench {
    let webhooks: Int
    let intakeEmails: Int
    let concurrency: Int

    static let signingKey = "whsec-bench-0123456789abcdef"
    static let token = "bench-intake-token-0123456789abcdef"

    func run() throws {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
            .appendingPathComponent("email-audit").path
        guard FileManager.default.isExecutableFile(atPath: binary) else {
            throw BenchError("no email-audit beside the bench binary (\(binary)); build both first")
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("email-audit-bench-server-\(getpid())").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let db = folder + "/audit.sqlite"
        let files = ["signing-key": Self.signingKey, "tokens": "1 \(Self.token)\n", "api-key": "key-bench"]
        for (name, content) in files { try content.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8) }
        try Self.runToEnd(binary, ["seed", "--emails", "0", "--db", db])
        let runID = UInt64(Date().timeIntervalSince1970 * 1000)
        let handedOver = try Self.recordAndHandOver(db, count: (webhooks + 2) / 3, runID: runID)
        // What the seed and the hand-over stored, so only the benchmark's own rows are compared with its answers.
        let (eventsBefore, emailsBefore) = try Self.counts(db)

        let port = try Self.freePort()
        let serve = Process()
        serve.executableURL = URL(fileURLWithPath: binary)
        // The provider is an unreachable address: hand-over fails at once and backs off, so the
        // figures are the receiver's and the intake's alone.
        serve.arguments = ["serve", "--db", db, "--listen", "127.0.0.1:\(port)", "--signing-key-file", folder + "/signing-key",
                           "--intake-tokens-file", folder + "/tokens", "--provider", "mailgun", "--api-base-url", "http://127.0.0.1:9",
                           "--api-key-file", folder + "/api-key", "--hand-over-interval", "3600", "--log-level", "warning"]
        serve.standardOutput = FileHandle.nullDevice
        serve.standardError = FileHandle(forWritingAtPath: "/dev/null")
        try serve.run()
        defer {
            if serve.isRunning { serve.terminate(); serve.waitUntilExit() }
        }
        let base = "http://127.0.0.1:\(port)"
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        defer { try? client.syncShutdown() }
        try runBlocking { try await Self.waitUntilUp(client, base + "/healthz") }

        print("Server benchmark: email-audit serve on 127.0.0.1, \(concurrency) requests in flight, durable (full sync, group commit)")
        // Known emails: accepted for every email, then delivered, then opened (the order Mailgun sends them).
        let kinds = ["accepted", "delivered", "opened"]
        let knownBodies = (0..<webhooks).map { index in
            let email = handedOver[index % handedOver.count]
            let event = Self.eventJSON(kind: kinds[min(index / handedOver.count, 2)], id: "known\(runID)-\(index)",
                                       messageID: email.messageID, recipient: email.to, auditID: email.id)
            return Self.signed(event, index: index)
        }
        let unknownBodies = (0..<webhooks).map { index in
            let event = Self.eventJSON(kind: "delivered", id: "bench\(runID)-\(index)", messageID: "bench.\(runID).\(index)@mg.example.com",
                                       recipient: "tenant\(index % 5000)@example.net", auditID: nil)
            return Self.signed(event, index: webhooks + index)
        }
        let load = LoadClient(port: port, connections: concurrency)
        let knownCPU = CPUSplit(server: serve.processIdentifier)
        let knownRun = try load.post(path: "/webhooks/mailgun", headers: ["Content-Type": "application/json"], bodies: knownBodies)
        let knownSplit = knownCPU.finish()
        let knownGroups = try runBlocking { try await Self.groupCommits(client, base + "/metrics") }
        let webhookCPU = CPUSplit(server: serve.processIdentifier)
        let webhookRun = try load.post(path: "/webhooks/mailgun", headers: ["Content-Type": "application/json"], bodies: unknownBodies)
        let webhookSplit = webhookCPU.finish()
        let groups = try runBlocking { try await Self.groupCommits(client, base + "/metrics") }
        let intakeBodies = (0..<intakeEmails).map { index in
            "{\"host_id\": \"BENCH-\(runID)-\(index)\", \"raised_by\": \"Zoë Clarke\", \"activity\": \"receipt\", "
                + "\"to\": \"tenant\(index % 5000)@example.net\", \"from\": \"accounts@mg.example.com\", \"subject\": \"Receipt \(index)\", "
                + "\"body\": \"Thank you for your payment.\", \"attachment_names\": [\"receipt-\(index).pdf\"], \"linked_units\": []}"
        }
        let intakeCPU = CPUSplit(server: serve.processIdentifier)
        let intakeRun = try load.post(path: "/v1/emails", headers: ["Content-Type": "application/json", "Authorization": "Bearer \(Self.token)"],
                                      bodies: intakeBodies)
        let intakeSplit = intakeCPU.finish()
        serve.terminate()
        serve.waitUntilExit()

        let (eventsAfter, emailsAfter) = try Self.counts(db)
        let events = eventsAfter - eventsBefore
        let webhookRate = Double(webhookRun.ok) / webhookRun.seconds
        let intakeRate = Double(intakeRun.ok) / intakeRun.seconds
        let knownRate = Double(knownRun.ok) / knownRun.seconds
        print(String(format: "webhooks, known emails (recorded and handed over first; accepted, delivered, opened with audit-id and Message-ID): "
                     + "%@ signed events in %.2f s = %@ events/s, p50 %.1f ms, p99 %.1f ms; %@ answered 200 (%@)",
                     Count.text(webhooks), knownRun.seconds, Count.text(Int(knownRate)), knownRun.p50, knownRun.p99,
                     Count.text(knownRun.ok), knownRate >= 5_000 ? "ok, target ≥ 5,000 events/s" : "UNDER target ≥ 5,000 events/s"))
        print("  CPU during these webhooks: \(knownSplit)")
        print("  \(knownGroups)")
        print(String(format: "webhooks, unknown messages (each makes an External email): %@ signed events in %.2f s = %@ events/s, "
                     + "p50 %.1f ms, p99 %.1f ms; %@ answered 200; %@ stored in both cases together",
                     Count.text(webhooks), webhookRun.seconds, Count.text(Int(webhookRate)), webhookRun.p50, webhookRun.p99,
                     Count.text(webhookRun.ok), Count.text(events)))
        print("  CPU during these webhooks: \(webhookSplit)")
        print("  \(groups) (both cases together)")
        print(String(format: "intake: %@ emails in %.2f s = %@ emails/s, p50 %.1f ms, p99 %.1f ms; %@ answered 201 (%@)",
                     Count.text(intakeEmails), intakeRun.seconds, Count.text(Int(intakeRate)), intakeRun.p50, intakeRun.p99,
                     Count.text(intakeRun.ok), intakeRate >= 2_000 ? "ok, target ≥ 2,000 emails/s" : "UNDER target ≥ 2,000 emails/s"))
        print("  CPU during the intake: \(intakeSplit)")
        guard events == webhookRun.ok + knownRun.ok, webhookRun.ok == webhooks, knownRun.ok == webhooks, intakeRun.ok == intakeEmails,
              emailsAfter - emailsBefore == intakeEmails + webhooks else {
            // Known-email webhooks must land on the handed-over emails (no new row); each unknown one makes one External email.
            throw BenchError("not every request was answered and stored: \(knownRun.ok) + \(webhookRun.ok) webhooks answered, \(events) events stored; "
                             + "\(intakeRun.ok) intake answers, \(emailsAfter - emailsBefore) emails stored (expected \(intakeEmails) + \(webhooks) External)")
        }
    }

    struct LoadRun: Sendable {
        var ok: Int
        var seconds: Double
        var p50: Double
        var p99: Double
    }

    /// Events and emails in the store at `path`.
    static func counts(_ path: String) throws -> (events: Int, emails: Int) {
        let store = try AuditDatabase(path: path, timeZone: TimeZone(identifier: "Europe/London")!)
        defer { try? store.close() }
        return (try store.eventCount(), try store.emailCount())
    }

    /// The server's webhook group commits so far, from its `/metrics`: how many, how large, the writer's time in them.
    static func groupCommits(_ client: HTTPClient, _ url: String) async throws -> String {
        let response = try await client.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let text = String(buffer: try await response.body.collect(upTo: 1 << 20))
        func value(_ name: String) -> Double {
            text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        }
        let groups = value("email_audit_webhook_groups_committed"), items = value("email_audit_webhook_group_items_committed")
        let seconds = value("email_audit_webhook_group_commit_seconds")
        let syncs = value("email_audit_webhook_log_syncs"), syncSeconds = value("email_audit_webhook_log_sync_seconds")
        return String(format: "group commits: %@ groups, %.1f webhooks per group on average, largest %@; writer busy %.2f s (%.2f ms per group); %@ log syncs beside it, %.2f s (%.2f ms each)",
                      Count.text(Int(groups)), items / max(groups, 1), Count.text(Int(value("email_audit_webhook_group_largest"))),
                      seconds, seconds * 1000 / max(groups, 1), Count.text(Int(syncs)), syncSeconds, syncSeconds * 1000 / max(syncs, 1))
    }

    static func waitUntilUp(_ client: HTTPClient, _ url: String) async throws {
        for _ in 0..<300 {
            if let response = try? await client.execute(HTTPClientRequest(url: url), timeout: .seconds(2)), response.status.code == 200 {
                return
            }
            try await Task.sleep(nanoseconds: 100_000_000)
        }
        throw BenchError("serve did not answer \(url) within 30 s")
    }

    /// A handed-over email the known-email webhooks are for.
    struct HandedOver {
        var id: Int64
        var to: String
        var messageID: String
    }

    /// Records `count` emails in account 1 (the intake token's) and hands them over with a
    /// Message-ID each, through the store's own `record` and `markHandedOver`, before `serve` starts.
    static func recordAndHandOver(_ path: String, count: Int, runID: UInt64) throws -> [HandedOver] {
        let store = try AuditDatabase(path: path, timeZone: TimeZone(identifier: "Europe/London")!)
        defer { try? store.close() }
        let staff = try store.insertStaff(accountID: 1, name: "Bench Sender", role: .staff)
        var handedOver: [HandedOver] = []
        handedOver.reserveCapacity(count)
        let now = Date()
        for start in stride(from: 0, to: count, by: 1_000) {
            let range = start..<min(count, start + 1_000)
            let emails = range.map { index in
                NewEmail(accountID: 1, raisedByID: staff.id, activity: .receiptRecorded, to: "tenant\(index % 5000)@example.net",
                         from: "accounts@mg.example.com", subject: "Receipt \(index)", textBody: "Thank you for your payment.",
                         attachmentNames: ["receipt-\(index).pdf"], createdAt: now)
            }
            let ids = try store.record(emails)
            let batch = zip(range, ids).map { index, id in
                HandedOver(id: id, to: "tenant\(index % 5000)@example.net", messageID: "\(runID).\(index).bench@mg.example.com")
            }
            _ = try store.markHandedOver(batch.map { HandOver(emailID: $0.id, providerMessageID: $0.messageID, at: now) })
            handedOver += batch
        }
        return handedOver
    }

    /// The webhook body for `event`, signed with a distinct token.
    static func signed(_ event: String, index: Int) -> String {
        let signature = MailgunWebhookSignature(timestamp: String(Int(Date().timeIntervalSince1970)),
                                                token: String(format: "%050d", index), signingKey: Data(signingKey.utf8))
        return "{\"signature\": {\"timestamp\": \"\(signature.timestamp)\", \"token\": \"\(signature.token)\", "
            + "\"signature\": \"\(signature.signature)\"}, \"event-data\": \(event)}"
    }

    /// A Mailgun event of `kind` (accepted, delivered or opened) as Mailgun sends it.
    static func eventJSON(kind: String, id: String, messageID: String, recipient: String, auditID: Int64?) -> String {
        let variables = auditID.map { "{\"audit-id\": \"\($0)\"}" } ?? "{}"
        let detail: String
        switch kind {
        case "delivered":
            detail = "\"envelope\": {\"sender\": \"accounts@mg.example.com\", \"targets\": \"\(recipient)\", \"transport\": \"smtp\"}, "
                + "\"delivery-status\": {\"code\": 250, \"message\": \"OK\", \"description\": \"\", \"mx-host\": \"mx.example.net\", "
                + "\"attempt-no\": 1, \"tls\": true}, "
        case "accepted":
            detail = "\"envelope\": {\"sender\": \"accounts@mg.example.com\", \"targets\": \"\(recipient)\", \"transport\": \"smtp\"}, "
                + "\"method\": \"http\", "
        default:
            detail = "\"client-info\": {\"client-name\": \"Apple Mail\", \"client-type\": \"email client\", \"device-type\": \"mobile\"}, "
                + "\"ip\": \"192.0.2.175\", "
        }
        return "{\"event\": \"\(kind)\", \"id\": \"\(id)\", \"timestamp\": \(Date().timeIntervalSince1970), \"log-level\": \"info\", "
            + detail
            + "\"message\": {\"headers\": {\"to\": \"\(recipient)\", \"from\": \"accounts@mg.example.com\", \"subject\": \"Receipt\", "
            + "\"message-id\": \"\(messageID)\"}, \"attachments\": [], \"size\": 4213}, "
            + "\"recipient\": \"\(recipient)\", \"recipient-domain\": \"example.net\", \"tags\": [], \"user-variables\": \(variables)}"
    }

    static func runToEnd(_ binary: String, _ arguments: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw BenchError("\(arguments.first ?? "") failed (exit \(process.terminationStatus))") }
    }

    static func freePort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw BenchError("no socket") }
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0 }
        }
        guard bound else { throw BenchError("cannot find a free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// Runs async work to completion from synchronous code.
func runBlocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let semaphore = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: Result<T, any Error>?
    Task.detached {
        do { result = .success(try await body()) } catch { result = .failure(error) }
        semaphore.signal()
    }
    semaphore.wait()
    return try result!.get()
}
