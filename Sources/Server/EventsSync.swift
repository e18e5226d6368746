import AsyncHTTPClient
import AuditCore
import AuditEngine
import Foundation
import Mailgun
import NIOCore

/// What one sync pass did.
public struct SyncReport: Sendable {
    /// Pages read.
    public var pages = 0
    /// Events read from the provider.
    public var events = 0
    /// Events stored for the first time (the others were already there).
    public var inserted = 0
    /// The cursor after the pass (newest event timestamp stored).
    public var cursor: Double?
}

/// Polls Mailgun's Events API the documented way and feeds the one ingest path, filling the gaps
/// when webhooks were missed: ascending from the stored cursor minus a trailing window (events
/// of the last ~30 minutes may still appear late), paging by `next` until a page is empty.
/// Duplicates are harmless (the ingest path stores each event once); the cursor in the store
/// moves forward after each page, so an interrupted sync resumes where it stopped. Works on
/// either backend: the events go through the ingestor's store, the cursor is the store's
/// ``EventsSyncCursorStore`` (SQLite `meta`, PostgreSQL `store_meta`).
public final class EventsSync: @unchecked Sendable {
    private let endpoint: MailgunEndpoint
    private let ingestor: EventIngestor
    private let store: any EventsSyncCursorStore
    private let client: HTTPClient
    /// How far behind the cursor each pass starts.
    public let trailingWindow: TimeInterval
    /// Where a first sync starts, before now.
    public let firstLookBack: TimeInterval

    /// - Parameter store: where the cursor is kept (the store the ingestor writes to).
    public init(baseURL: String, domain: String, apiKey: String, ingestor: EventIngestor, store: any EventsSyncCursorStore,
                client: HTTPClient = .shared, trailingWindow: TimeInterval = 1800, firstLookBack: TimeInterval = 86_400) {
        endpoint = MailgunEndpoint(baseURL: baseURL, domain: domain, apiKey: apiKey)
        self.ingestor = ingestor
        self.store = store
        self.client = client
        self.trailingWindow = trailingWindow
        self.firstLookBack = firstLookBack
    }

    /// One pass: every page from the cursor's trailing window to the newest event.
    public func runOnce(now: Date = Date()) async throws -> SyncReport {
        var report = SyncReport()
        let store = self.store
        let cursor = try await Blocking.run { () throws -> Double? in try store.eventsSyncCursor() }
        let begin = max(0, (cursor ?? now.timeIntervalSince1970 - firstLookBack) - (cursor == nil ? 0 : trailingWindow))
        var url: String? = endpoint.url("events") + "?ascending=yes&limit=300&begin=" + String(format: "%.6f", begin)
        var seen: Set<String> = []
        while let pageURL = url, report.pages < 100_000 {
            var request = HTTPClientRequest(url: pageURL)
            request.headers.add(name: "Authorization", value: endpoint.authorization)
            request.headers.add(name: "Accept", value: "application/json")
            let response = try await client.execute(request, timeout: .seconds(60))
            let body = try await response.body.collect(upTo: 64 << 20)
            guard response.status.code == 200 else {
                throw SyncError(message: "the Events API answered HTTP \(response.status.code)")
            }
            let page: MailgunEventsPage
            do {
                page = try MailgunEventsPage.decode(String(buffer: body))
            } catch {
                throw SyncError(message: "the Events API page is not readable: field \(error.field): \(error.problem)")
            }
            report.pages += 1
            if page.events.isEmpty { break }
            report.events += page.events.count
            let lines = page.events.map(\.rawJSON)
            let ingestor = self.ingestor
            let ingested: Result<IngestReport, any Error> = await Blocking.run { Result { try ingestor.ingest(lines: lines) } }
            report.inserted += try ingested.get().inserted
            if let newest = page.events.map(\.event.timestamp).max() {
                try await Blocking.run { () throws in try store.advanceEventsSyncCursor(to: newest) }
                report.cursor = max(report.cursor ?? newest, newest)
            }
            guard let next = page.paging.next, seen.insert(next).inserted else { break }
            url = next.hasPrefix("/") ? endpoint.base + next : next
        }
        if report.cursor == nil { report.cursor = cursor }
        return report
    }
}

/// The Events API could not be read; one line, no secret.
public struct SyncError: Error, CustomStringConvertible {
    public var message: String
    public var description: String { message }
}
