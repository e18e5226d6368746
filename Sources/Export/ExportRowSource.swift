import AuditCore
import Foundation

/// Pages of export rows, newest first, read with keyset paging from the store.
///
/// It asks for the list's own pages (`summaries`, the same query and order as the screen and
/// `query --limit 0`) and adds each page's status details by id, so an export holds exactly the
/// rows the list shows and at most one page in memory.
public struct ExportRowSource: Sendable {
    /// The page of summaries strictly older than the cursor (from the newest when nil).
    public typealias SummaryPage = @Sendable (_ after: EmailCursor?, _ limit: Int) throws -> [EmailSummary]
    /// The status details of the given emails, by id.
    public typealias DetailLookup = @Sendable (_ emailIDs: [Int64]) throws -> [Int64: StatusDetail]
    /// The resend links of those of the given emails that have any, by id.
    public typealias LinkLookup = @Sendable (_ emailIDs: [Int64]) throws -> [Int64: ResendLinks]

    let summaries: SummaryPage
    let details: DetailLookup
    let links: LinkLookup
    /// Rows per page.
    public var pageSize: Int

    public init(pageSize: Int = 1000, summaries: @escaping SummaryPage, details: @escaping DetailLookup,
                links: @escaping LinkLookup) {
        self.pageSize = max(1, pageSize)
        self.summaries = summaries
        self.details = details
        self.links = links
    }

    /// Calls `body` with each page in order until the rows run out or `body` returns false.
    public func forEachPage(_ body: ([ExportRow]) throws -> Bool) throws {
        var cursor: EmailCursor?
        while true {
            let page = try summaries(cursor, pageSize)
            if page.isEmpty { return }
            let ids = page.map(\.id)
            let found = try details(ids), linked = try links(ids)
            let rows = page.map { ExportRow(summary: $0, statusDetail: found[$0.id], links: linked[$0.id] ?? ResendLinks()) }
            guard try body(rows) else { return }
            guard page.count == pageSize, let last = page.last else { return }
            cursor = last.cursor
        }
    }
}
