import ArgumentParser
import AuditCore
import AuditEngine
import AuditStore
import AuditStorePostgres
import Demo
import Foundation
import Synchronization
import TerminalUI

/// `email-audit-bench`: builds a large store through the real pipeline and measures it.
@main
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "email-audit-bench",
        abstract: "Build a store of N emails through the feeder, simulator and ingest path, then time the queries the screens run.")

    @Option(help: "Emails in the store.")
    var emails = 1_000_000

    @Option(help: "Days of history (three years by default).")
    var days = 1_095

    @Option(help: "Store file, reused when it already holds the same number of emails; or a postgresql:// URL (no password in it): the store is raised in SQLite (--source), copied with migrate's code and its events ingested into PostgreSQL.")
    var db = FileManager.default.temporaryDirectory.appendingPathComponent("email-audit-bench.sqlite").path

    @Option(name: .customLong("db-password-file"),
            help: "With --db postgresql://...: a file holding the database password (no group or other permissions); else EMAIL_AUDIT_DB_PASSWORD_FILE, PGPASSFILE or ~/.pgpass, as the CLI.")
    var dbPasswordFile: String?

    @Option(help: "With --db postgresql://...: the SQLite store the emails are raised in and copied from (kept for a rerun and the side-by-side size).")
    var source = FileManager.default.temporaryDirectory.appendingPathComponent("email-audit-bench-pg-source.sqlite").path

    @Flag(help: "With --db postgresql://...: print EXPLAIN (ANALYZE, BUFFERS) of the first page of one filter of each kind.")
    var explain = false

    @Flag(name: .customLong("pg-unprepared"),
          help: "With --db postgresql://...: plan every page's statement afresh (the reader before its prepared statements), to compare both in one binary on one database.")
    var pgUnprepared = false

    @Flag(name: .customLong("pg-copy-events"),
          help: "With --db postgresql://... and an empty database: ingest the events file into the SQLite store first and copy everything, events and roll-ups included, with migrate's code (no PostgreSQL ingest: a store for the reader's figures in minutes, not hours).")
    var pgCopyEvents = false

    @Option(name: .customLong("pg-writers"),
            help: "With --db postgresql://...: connections storing batches at once during the ingest (email-audit ingest uses 2).")
    var pgWriters = 2
    @Option(name: .customLong("pg-batch-size"),
            help: "With --db postgresql://...: events per ingest transaction (email-audit ingest's --batch-size; default 4000).")
    var pgBatchSize = 4_000

    @Option(help: "Samples per query kind.")
    var samples = 300

    @Option(help: "Random seed.")
    var seed: UInt64 = 7

    @Option(help: ArgumentHelp("Pin the build's \"now\" (ISO 8601, e.g. 2026-01-01T00:00:00Z) so that a seed gives the same events file on any day (scripts/make_event_zstd_dictionary.py).",
                             visibility: .hidden))
    var now: String?

    @Flag(help: "Delete the store first even if it could be reused.")
    var rebuild = false

    @Flag(help: ArgumentHelp("Build through the engine's batch feeder step by step, one transaction per hand-over, as the demo seeds (slower; the default bulk path makes the same emails and events).",
                             visibility: .default))
    var feederBuild = false

    @Flag(help: "Skip the screen measurements.")
    var skipScreen = false

    @Flag(help: "Skip the query measurements (raw events, first pages, shell baseline, search, counts): build and size only.")
    var skipQueries = false

    @Flag(help: "Skip the side-by-side run of the first-page statements in the sqlite3 shell.")
    var skipShell = false

    @Flag(help: ArgumentHelp("Only the screen measurements, on an existing store (run in a fresh process so its memory is the screen's alone).", visibility: .hidden))
    var screenOnly = false

    @Flag(name: .customLong("search-only"),
          help: "Only the search rows of the query benchmark and its To prefix* row (the same filters as a full run), on an existing store (SQLite, or a reused PostgreSQL database).")
    var searchOnly = false

    @Option(name: .customLong("slowest"), help: "With --search-only: also list this many slowest samples of each search row, with their filters.")
    var slowest = 0

    @Flag(name: .customLong("ingest-only"),
          help: ArgumentHelp("Only the ingest, of the events file a build stopped before its ingest left beside the store (EMAIL_AUDIT_BENCH_STOP_BEFORE_INGEST=1), then the store's size: so a large build's ingest can be measured apart from its raise and hand-over, and by a newer binary.",
                             visibility: .default))
    var ingestOnly = false

    @Option(name: .customLong("ingest-batch"), help: "Lines per ingest transaction (as the `ingest` command's --batch-size; default as there).")
    var ingestBatch: Int?

    @Option(name: .customLong("ingest-chunk"), help: "Lines the ingest decodes and hands to the store at a time (default as the `ingest` command's).")
    var ingestChunk = EventIngestor.defaultChunkSize

    @Flag(help: "Only the export benchmark: XLSX, CSV and PDF writers on generated rows, each in its own process.")
    var exports = false

    @Flag(help: "Only the server benchmark: signed webhooks and intake into a real `email-audit serve` on loopback.")
    var server = false

    @Option(name: .customLong("server-webhooks"), help: "Webhooks posted by --server.")
    var serverWebhooks = 20_000

    @Option(name: .customLong("server-emails"), help: "Emails posted to the intake by --server.")
    var serverEmails = 10_000

    @Option(name: .customLong("server-concurrency"), help: "Requests in flight for --server.")
    var serverConcurrency = 64

    @Option(name: .customLong("export-rows"), help: "Rows per export (PDF at most 50,000).")
    var exportRows = 1_000_000

    @Flag(help: "With --exports: also time Python's XlsxWriter (constant_memory) on the same rows (pip-installs it).")
    var xlsxwriter = false

    @Option(name: .customLong("recording-cost"),
            help: "Only time recording N emails with and without the search indexes (alternating rounds, same process).")
    var recordingCost: Int?

    @Option(name: .customLong("export-one"), help: ArgumentHelp("One export format in this process (internal).", visibility: .hidden))
    var exportOne: String?

    @Option(name: .customLong("export-out"), help: ArgumentHelp("Where --export-one writes (internal).", visibility: .hidden))
    var exportOut: String?

    @Flag(name: .customLong("idle-cpu"), help: "Only the idle-screen measurement: CPU seconds the real screen uses over --idle-seconds with no input.")
    var idleCPU = false

    @Option(name: .customLong("idle-seconds"), help: "How long --idle-cpu watches the idle screen.")
    var idleSeconds = 60

    @Flag(name: .customLong("idle-child"), help: ArgumentHelp("The screen that --idle-cpu watches (internal).", visibility: .hidden))
    var idleChild = false

    func run() throws {
        if idleChild {
            try IdleBench.runChild(db: db)
            return
        }
        if idleCPU {
            try IdleBench(seconds: idleSeconds, folder: FileManager.default.temporaryDirectory.path).run()
            return
        }
        if let exportOne {
            try ExportBench.runOne(format: exportOne, rows: exportRows, out: exportOut ?? "/tmp/bench-export.\(exportOne)")
            return
        }
        if let recordingCost {
            try RecordingCostBench(emails: recordingCost, folder: FileManager.default.temporaryDirectory.path, seed: seed).run()
            return
        }
        if server {
            try ServerBench(webhooks: serverWebhooks, intakeEmails: serverEmails, concurrency: serverConcurrency).run()
            return
        }
        if exports {
            try ExportBench(rows: exportRows, folder: FileManager.default.temporaryDirectory.path, compareWithXlsxWriter: xlsxwriter).run()
            return
        }
        let zone = TimeZone(identifier: "Europe/London")!
        if PostgresLocation.isURL(db) {
            try runPostgres(url: db, zone: zone)
            return
        }
        if screenOnly {
            let store = try AuditDatabase(path: db, timeZone: zone)
            // Time to first frame as a user meets it: from process start, through opening the
            // store and loading the first page, counts and staff, to a rendered 120×40 frame.
            let reader = try ScreenBench.reader(store)
            let account = reader.account
            var options = TerminalOptions(accountID: account.id, accountName: account.name, userName: reader.user.name,
                                          timeZone: zone, initialFilter: EmailFilter(accountID: account.id, dateRange: .all))
            let pinnedNow = Date()
            options.now = { pinnedNow }
            _ = HeadlessSession(reader: reader, options: options, width: 120, height: 40, now: { pinnedNow }).render()
            if let age = ProcessAge.seconds() {
                print(String(format: "Time to first frame from process start (open store, load, render): %.0f ms (target ≤ 300 ms)", age * 1000))
            }
            let newest = try store.summaries(matching: EmailFilter(dateRange: .all), from: nil, direction: .older, limit: 1, now: Date())
            try ScreenBench(store: store, now: newest.first?.createdAt ?? Date(), samples: samples).run()
            print(String(format: "peak RSS of the screen process: %.1f MB (target ≤ 150 MB)", Memory.peakResidentMegabytes()))
            return
        }
        print("load average at the start: \(LoadAverage.now())")
        defer { print("load average at the end: \(LoadAverage.now())") }
        // Pin "now" to the store's build day so reruns on a reused store measure the same ranges.
        if rebuild { Self.remove(db) }
        let opening = Date()
        var store = try AuditDatabase(path: db, timeZone: zone, upgradeProgress: Self.upgradeProgress)
        if Date().timeIntervalSince(opening) > 1 {
            print(String(format: "opening the store (and upgrading its schema) took %.1f s; peak RSS so far %.1f MB",
                         Date().timeIntervalSince(opening), Memory.peakResidentMegabytes()))
        }
        if ingestOnly {
            let eventsPath = db + ".events.jsonl"
            guard FileManager.default.fileExists(atPath: eventsPath) else {
                throw ValidationError("no events file \(eventsPath): build with EMAIL_AUDIT_BENCH_STOP_BEFORE_INGEST=1 first")
            }
            let lines = try Self.lineCount(eventsPath)
            print("Ingesting \(lines) event lines into \(db) (\(try store.emailCount()) emails, \(try store.eventCount()) events)")
            try ingest(eventsPath, lines: lines, into: store, accountID: try store.accountsByID().first?.id)
            try Self.mergeSearchIndexes(store)
            Self.releaseMemory(store, after: "the ingest")
            try StoreSizeReport.lines(store).forEach { print($0) }
            return
        }
        if searchOnly {
            let newest = try store.summaries(matching: EmailFilter(dateRange: .all), from: nil, direction: .older, limit: 1, now: Date())
            print("Search rows only, on \(db) (\(try store.emailCount()) emails)")
            try QueryBench(store: store, now: newest.first?.createdAt ?? Date(), samples: samples, seed: seed,
                           searchOnly: true, slowest: slowest).run()
            return
        }
        if try store.emailCount() != emails {
            Self.remove(db)
            store = try AuditDatabase(path: db, timeZone: zone)
            try build(store)
            Self.releaseMemory(store, after: "the build")
        } else {
            print("Reusing \(db) (\(try store.emailCount()) emails, \(try store.eventCount()) events)")
        }
        try StoreSizeReport.lines(store).forEach { print($0) }
        if !skipQueries {
            try RawEventsBench(store: store, samples: samples, seed: seed).run()
            let newest = try store.summaries(matching: EmailFilter(dateRange: .all), from: nil, direction: .older, limit: 1, now: Date())
            let now = newest.first?.createdAt ?? Date()
            var queries = QueryBench(store: store, now: now, samples: samples, seed: seed)
            if !skipShell { queries.shellPath = db }
            try queries.run()
        }
        print(String(format: "peak RSS of the queries: %.1f MB", Memory.peakResidentMegabytes()))
        print(String(format: "peak RSS of the build and query process: %.1f MB (target ≤ 200 MB)", Memory.processPeakMegabytes()))
        if !skipScreen {
            // The screen runs in a fresh process, as `email-audit` would, so its memory figure is its own.
            fflush(nil)  // our lines first, then the child's
            let child = Process()
            child.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
            child.arguments = ["--db", db, "--emails", String(emails), "--samples", String(samples), "--screen-only"]
            try child.run()
            child.waitUntilExit()
            if child.terminationStatus != 0 { throw ExitCode(child.terminationStatus) }
        }
    }

    /// How long the build's simulated support desk takes to clear a suppression: 30 days.
    static let suppressionLifetime: TimeInterval = 30 * 86_400

    /// What the raise and hand-over leave for the ingest: the simulator's events file.
    struct Raised {
        let eventsPath: String
        let lines: Int
        let accountID: Int64?
    }

    func build(_ store: AuditDatabase) throws {
        let raised = try raise(store, path: db)
        if ProcessInfo.processInfo.environment["EMAIL_AUDIT_BENCH_STOP_BEFORE_INGEST"] != nil { throw ExitCode.success }
        Self.releaseMemory(store, after: "the raise and hand-over")
        try ingest(raised.eventsPath, lines: raised.lines, into: store, accountID: raised.accountID)
        try Self.mergeSearchIndexes(store)
    }

    /// After a build: merges the search indexes, which the build's transactions left in many
    /// FTS5 segments, as `serve`'s daily upkeep and `compact` do, so that the queries are timed
    /// on a store as a running service keeps it; prints what it did and how long it took.
    static func mergeSearchIndexes(_ store: AuditDatabase) throws {
        for index in SearchIndex.allCases {
            let before = try store.searchIndexStructure(index)
            let started = Date()
            let steps = try store.mergeSearchIndex(index)
            let after = try store.searchIndexStructure(index)
            let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
            print("\(index.title) search index: \(before.map { "\($0.segments)" } ?? "?") → \(after.map { "\($0.segments)" } ?? "?") segments "
                  + "in \(seconds) s (\(steps) steps; serve's daily upkeep and compact merge it the same way)")
        }
    }

    /// Step 1 of a build: raises the emails into the SQLite store at `path` and hands them to
    /// the simulator, writing every event it reports to `path + ".events.jsonl"`.
    func raise(_ store: AuditDatabase, path: String) throws -> Raised {
        print("Building \(emails) emails over \(days) days in \(path) (\(PortfolioPlan.copies(forEmails: emails, days: days)) copies of the demo portfolio; suppressions cleared after \(Int(Self.suppressionLifetime / 86_400)) days) …")
        let folder = (path as NSString).deletingLastPathComponent
        let freeBefore = DiskSpace.freeBytes(at: folder)
        if let free = freeBefore {
            // What the last measured build needed (see the "disk" line after the build): the events
            // file, then the store, both at their largest when the ingest ends.
            let need = Double(emails) * DiskSpace.estimatedBytesPerEmail
            print(String(format: "disk: %.1f GB free in %@; a build of %d emails needs about %.1f GB at its peak (events file + store)",
                         Double(free) / 1e9, folder as NSString, emails, need / 1e9))
            if need > Double(free) { throw ValidationError("not enough free disk for \(emails) emails in \(folder)") }
        }
        let started = Date()
        // 1. Raise the emails and hand them to the simulator (hourly batches; the cadence does not
        //    matter here), writing every provider event it reports to a JSON-lines file.
        let eventsPath = path + ".events.jsonl"
        _ = FileManager.default.createFile(atPath: eventsPath, contents: nil)
        guard let eventsFile = FileHandle(forWritingAtPath: eventsPath) else { throw ValidationError("cannot write \(eventsPath)") }
        var pinnedNow = Date()
        if let now {
            guard let date = ISO8601DateFormatter().date(from: now) else { throw ValidationError("--now '\(now)' is not an ISO 8601 time") }
            pinnedNow = date
        }
        var options = SeedOptions(emails: emails, days: days, seed: seed, now: pinnedNow)
        options.extraAgencies = false
        options.batchInterval = 3_600
        // A portfolio the size of the run, and a support desk that clears suppressions: with
        // the demo's fixed 835 contacts and permanent suppressions, years of emails end with
        // every address suppressed and nearly every email Failed (README, "Performance").
        options.portfolioCopies = PortfolioPlan.copies(forEmails: emails, days: days)
        options.suppressionLifetime = Self.suppressionLifetime
        let sink = EventsFileSink(eventsFile)
        var lastPrint = Date()
        let result: SeedResult
        if feederBuild {
            options.eventSink = { lines in try sink.write(lines) }
            result = try DemoSeeder.seed(store, options: options) { line in
                if Date().timeIntervalSince(lastPrint) > 15 {
                    lastPrint = Date()
                    print("  " + line)
                }
            }
        } else {
            result = try DemoSeeder.seedInBulk(store, options: options, events: { lines in try sink.write(lines) }) { step in
                if Date().timeIntervalSince(lastPrint) > 15 {
                    lastPrint = Date()
                    print("  \(step.emailsRaised) of \(step.emailsPlanned) emails handed over, \(sink.lines) events")
                }
            }
        }
        let lineCount = sink.lines
        try eventsFile.close()
        print(String(format: "raised and handed over %d emails in %.0f s (%@); the simulator reported %d events",
                     result.emails, Date().timeIntervalSince(started), feederBuild ? "feeder, step by step" : "bulk", lineCount))
        print(String(format: "peak RSS of the raise and hand-over: %.1f MB (the sending system and the provider simulator, not the product's ingest)",
                     Memory.peakResidentMegabytes()))

        let eventsBytes = DiskSpace.fileBytes(eventsPath)
        print(String(format: "events file: %.2f GB = %.0f bytes per event line, %.0f per email",
                     Double(eventsBytes) / 1e9, Double(eventsBytes) / Double(max(1, lineCount)), Double(eventsBytes) / Double(max(1, emails))))
        return Raised(eventsPath: eventsPath, lines: lineCount, accountID: result.accountID)
    }

    /// Step 2 of a build: ingests the events file through the one ingest path, as `email-audit
    /// ingest` does, and reports the rate in each tenth and the disk the build took at its peak.
    func ingest(_ eventsPath: String, lines lineCount: Int, into store: AuditDatabase, accountID: Int64?, path: String? = nil) throws {
        let db = path ?? self.db
        let eventsBytes = DiskSpace.fileBytes(eventsPath)
        let ingestStarted = Date()
        var tenths = IngestTenths(totalLines: lineCount)
        tenths.start()
        let report = try EventIngestor(store: store, defaultAccountID: accountID, batchSize: ingestBatch, chunkSize: ingestChunk).ingest(fileAt: eventsPath) { tenths.record($0) }
        let seconds = Date().timeIntervalSince(ingestStarted)
        if ProcessInfo.processInfo.environment["EMAIL_AUDIT_BENCH_KEEP_EVENTS"] == nil { try? FileManager.default.removeItem(atPath: eventsPath) }
        print("load average after the ingest: \(LoadAverage.now())")
        print(String(format: "ingest: %d events in %.1f s = %.0f events/s (read + decode + store once + re-derive + roll-ups + suppressions; %d problems)",
                     report.inserted, seconds, Double(report.inserted) / max(seconds, 0.001), report.problems.count))
        print("ingest rate in each tenth of the ingest (by input lines):")
        tenths.lines().forEach { print($0) }
        print(String(format: "peak RSS of the ingest: %.1f MB", Memory.peakResidentMegabytes()))
        let storeBytes = DiskSpace.fileBytes(db) + DiskSpace.fileBytes(db + "-wal")
        let emails = try store.emailCount()
        print(String(format: "disk: the build's peak was about %.2f GB (events file %.2f GB + store and WAL %.2f GB) = %.0f bytes per email",
                     Double(eventsBytes + storeBytes) / 1e9, Double(eventsBytes) / 1e9, Double(storeBytes) / 1e9,
                     Double(eventsBytes + storeBytes) / Double(max(1, emails))))
    }

    /// Between phases: frees the store's page caches (the writer's 64 MB after writing) and
    /// gives malloc's free memory back, so that each phase's peak is its own rather than
    /// stacked on what the phase before kept, then starts the next phase's peak from there
    /// (``Memory/startPhase()``); prints the phase's peak and the resident size after.
    static func releaseMemory(_ store: AuditDatabase, after phase: String) {
        let phasePeak = Memory.recordPeak()
        store.releaseMemory()
        Memory.trim()
        let restarted = Memory.startPhase()
        print(String(format: "RSS after %@, its caches released: %.1f MB (its peak %.1f MB; the process's so far %.1f MB%@)",
                     phase, Memory.residentMegabytes(), phasePeak, Memory.processPeakMegabytes(),
                     restarted ? "" : "; the kernel's peak could not be reset, so the next phase's includes this one's"))
    }

    /// The lines in a file, read in 4 MB blocks and counted with `memchr` (`Data`'s iterator took
    /// ~100 s for a 5,000,000-email build's 13.8 GB events file; perf, 06/12/2026).
    static func lineCount(_ path: String) throws -> Int {
        guard let file = FileHandle(forReadingAtPath: path) else { throw ValidationError("cannot read \(path)") }
        defer { try? file.close() }
        var lines = 0
        while let block = try file.read(upToCount: 4 << 20), !block.isEmpty {
            block.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
                guard var next = bytes.baseAddress else { return }
                let end = next + bytes.count
                while next < end, let hit = memchr(next, 0x0A, end - next) {
                    lines += 1
                    next = UnsafeRawPointer(hit) + 1
                }
            }
        }
        return lines
    }

    /// Prints a long schema upgrade's progress about every 10 seconds.
    static let upgradeProgress: @Sendable (UpgradeProgress) -> Void = { step in
        // A new store runs the migrations with nothing to convert: nothing to say.
        guard step.total > 0 else { return }
        let now = Int(Date().timeIntervalSinceReferenceDate)
        guard now - lastUpgradeLine.load(ordering: .relaxed) >= 10 || step.done == step.total else { return }
        lastUpgradeLine.store(now, ordering: .relaxed)
        print("  upgrading the store: \(step.step.lowercased()), \(step.done) of \(step.total)")
    }

    /// When ``upgradeProgress`` last printed, in whole seconds.
    static let lastUpgradeLine = Atomic<Int>(0)

    static func remove(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}
