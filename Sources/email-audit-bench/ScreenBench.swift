import AuditCore
import AuditStore
import Foundation
import TerminalUI

/// Times the screen on a built store: key to finished frame for scrolling and filter changes,
/// time to the first frame, and memory after browsing the whole range.
///
/// Uses the same `update`/effects/`view` code as the terminal, driven by a headless session
/// (effects run synchronously, so each figure includes the store queries the key caused and
/// the rendering of the full 120×40 frame).
struct ScreenBench {
    /// The reader the screen reads through (SQLite's `AccountScopedReader` or `PostgresAuditReader`).
    let reader: any AuditReader
    let account: Account
    let userName: String
    let timeZone: TimeZone
    let now: Date
    let samples: Int

    /// The screen on the SQLite store, read as its first account's first staff user.
    init(store: AuditDatabase, now: Date, samples: Int) throws {
        let reader = try Self.reader(store)
        self.init(reader: reader, account: reader.account, userName: reader.user.name, timeZone: store.timeZone, now: now, samples: samples)
    }

    /// The screen on any reader.
    init(reader: any AuditReader, account: Account, userName: String, timeZone: TimeZone, now: Date, samples: Int) {
        self.reader = reader
        self.account = account
        self.userName = userName
        self.timeZone = timeZone
        self.now = now
        self.samples = samples
    }

    /// The first account's reader, signed in as its first staff user (as the screen reads).
    static func reader(_ store: AuditDatabase) throws -> AccountScopedReader {
        guard let account = try store.accountsByID().first,
              let user = try store.users().first(where: { $0.accountID == account.id }) else {
            throw BenchError("the store has no account with a staff user")
        }
        return try store.reader(for: user, accountID: account.id)
    }

    func run() throws {
        var options = TerminalOptions(accountID: account.id, accountName: account.name, userName: userName,
                                      timeZone: timeZone, initialFilter: EmailFilter(accountID: account.id, dateRange: .all))
        let pinned = now
        options.now = { pinned }
        print("Screen (120×40, headless; each figure = update + store queries + full render):")

        var first = Stopwatch()
        var session: HeadlessSession!
        for _ in 0..<20 {
            session = first.time {
                let s = HeadlessSession(reader: reader, options: options, width: 120, height: 40, now: { pinned })
                _ = s.render()
                return s
            }
        }
        print("  " + first.line("first frame (all dates)", target: 300))

        var scroll = Stopwatch()
        for _ in 0..<max(samples, 2_000) {
            scroll.time {
                session.send(.down)
                _ = session.render()
            }
        }
        print("  " + scroll.line("scroll step (↓, crossing page loads)", target: 16))

        var page = Stopwatch()
        for _ in 0..<200 {
            page.time {
                session.send(.pageDown)
                _ = session.render()
            }
        }
        print("  " + page.line("page step (PgDn)", target: 16))

        var filter = Stopwatch()
        for index in 0..<max(samples / 3, 60) {
            let status = EmailStatus.allCases[index % EmailStatus.allCases.count]
            session.send(.character("s"))
            session.send(Array(repeating: .down, count: FilterChoices.statusRows.firstIndex(of: status) ?? 1))
            filter.time {
                session.send(.enter)
                _ = session.render()
            }
            session.send([.character("s"), .home])
            filter.time {
                session.send(.enter)
                _ = session.render()
            }
        }
        print("  " + filter.line("filter change (Status, Enter)", target: 50))

        // Browse the whole range, oldest to newest end of the list, page by page.
        session.send(.home)
        let total = session.state.counts?.total ?? 0
        let started = Date()
        var steps = 0
        var lastSelection: Int64?
        while true {
            session.send(.pageDown)
            steps += 1
            let selection = session.state.list.selectedID
            if selection == lastSelection { break }
            lastSelection = selection
        }
        _ = session.render()
        print(String(format: "  browsed all %d emails (%d × PgDn) in %.1f s; RSS now %.1f MB",
                     total, steps, Date().timeIntervalSince(started), Memory.residentMegabytes()))
    }
}
