import ArgumentParser
import AuditCore
import AuditEngine
import AuditStore
import AuditStorePostgres
import Foundation

/// `email-audit-bench --db postgresql://...`: the store benchmark on PostgreSQL.
///
/// The raise and hand-over run on SQLite only (the demo seeder writes an `AuditDatabase`), so
/// the build raises the emails into a SQLite store (`--source`), copies it into the PostgreSQL
/// database with `email-audit migrate`'s code (`PostgresStoreCopy`: emails, portfolio and
/// hand-over state, no events yet), then ingests the simulator's events file into PostgreSQL
/// through the one ingest path (`EventIngestor` over `PostgresAuditStore`), timed per tenth;
/// then the same file into the SQLite store, so both stores hold the same data and their sizes
/// and query times stand side by side. Queries run through `PostgresAuditReader` (the reader the
/// CLI and the screen use), the screen through the same headless `update`/`view` as on SQLite.
extension BenchCommand {
    func runPostgres(url: String, zone: TimeZone) throws {
        guard !screenOnly, !ingestOnly else {
            throw ValidationError("--screen-only and --ingest-only are SQLite-only; on PostgreSQL the run builds or reuses, then measures")
        }
        print("load average at the start: \(LoadAverage.now())")
        defer { print("load average at the end: \(LoadAverage.now())") }
        let connection = try PostgresStoreOpening.open(url: url, passwordFile: dbPasswordFile, timeZone: zone,
                                                       warn: { print("warning: \($0)") })
        defer { connection.close() }
        let pg = try PostgresAuditStore(connection: connection)
        if pgUnprepared {
            pg.preparesPages = false
            print("Every page's statement planned afresh (--pg-unprepared: the reader before its prepared statements)")
        }
        let sourcePath = source
        let inPostgres = try pg.emailCount()
        var sqlite: AuditDatabase
        if inPostgres == emails, FileManager.default.fileExists(atPath: sourcePath),
           try AuditDatabase(path: sourcePath, timeZone: zone).emailCount() == emails {
            sqlite = try AuditDatabase(path: sourcePath, timeZone: zone)
            print("Reusing \(connection.location.description) (\(inPostgres) emails, \(try pg.eventCount()) events) and its source \(sourcePath)")
        } else {
            guard inPostgres == 0 else {
                throw ValidationError("\(connection.location.description) holds \(inPostgres) emails, not \(emails) (or its source \(sourcePath) is gone): give an empty database (scripts/pg_throwaway.sh start makes a server)")
            }
            Self.remove(sourcePath)
            sqlite = try AuditDatabase(path: sourcePath, timeZone: zone)
            let raised = try raise(sqlite, path: sourcePath)
            Self.releaseMemory(sqlite, after: "the raise and hand-over")
            if pgCopyEvents {
                print("The events file into the SQLite store, then everything copied (--pg-copy-events: no PostgreSQL ingest):")
                try ingest(raised.eventsPath, lines: raised.lines, into: sqlite, accountID: raised.accountID, path: sourcePath)
                Self.releaseMemory(sqlite, after: "the SQLite ingest")
                try copy(sqlite, into: connection)
            } else {
                try copy(sqlite, into: connection)
                try ingestIntoPostgres(raised, pg, url: url)
                Self.releaseMemory(sqlite, after: "the copy and the PostgreSQL ingest")
                print("The same events file into the SQLite store, for the side-by-side figures:")
                try ingest(raised.eventsPath, lines: raised.lines, into: sqlite, accountID: raised.accountID, path: sourcePath)
                Self.releaseMemory(sqlite, after: "the SQLite ingest")
            }
            let analyzing = Date()
            try pg.analyze()
            print(String(format: "ANALYZE (statistics, as autovacuum would gather after the load): %.1f s", Date().timeIntervalSince(analyzing)))
        }
        print("SQLite (the source, after the same ingest):")
        try StoreSizeReport.lines(sqlite).forEach { print("  " + $0) }
        print("PostgreSQL:")
        try Self.sizeLines(pg).forEach { print("  " + $0) }

        guard let account = try sqlite.accountsByID().first,
              let user = try pg.users().first(where: { $0.accountID == account.id && !$0.isSupport }) else {
            throw BenchError("the store has no account with a staff user")
        }
        let reader = try pg.reader(for: user, accountID: account.id)
        let newest = try reader.summaries(matching: EmailFilter(dateRange: .all), from: nil, direction: .older, limit: 1, now: Date())
        let now = newest.first?.createdAt ?? Date()
        if !skipQueries {
            // --search-only: the search rows and To prefix* alone (the same filters as a full run).
            var queries = QueryBench(store: sqlite, target: reader, now: now, samples: samples, seed: seed,
                                     searchOnly: searchOnly, slowest: slowest)
            if explain {
                queries.explain = { name, filter in
                    print("EXPLAIN (ANALYZE, BUFFERS), first page of \(name):")
                    try pg.explainSummaries(matching: filter, accountID: account.id, limit: 50, now: now).forEach { print("    " + $0) }
                }
            }
            try queries.run()
        }
        print(String(format: "peak RSS of the queries: %.1f MB; of the build and query process: %.1f MB",
                     Memory.peakResidentMegabytes(), Memory.processPeakMegabytes()))
        if !skipScreen && !searchOnly {
            // In this process (the screen's memory figure is SQLite's, in its own process).
            try ScreenBench(reader: reader, account: reader.account, userName: user.name, timeZone: pg.timeZone,
                            now: now, samples: samples).run()
        }
    }

    /// Copies the raised SQLite store into PostgreSQL with `email-audit migrate`'s code, then
    /// checks the counts as `migrate` does.
    func copy(_ sqlite: AuditDatabase, into connection: BlockingPostgresConnection) throws {
        let started = Date()
        var lastPrint = Date()
        let source = StoreCopySource(store: sqlite)
        let rows = try PostgresStoreCopy.copy(from: source, to: connection) { progress in
            if Date().timeIntervalSince(lastPrint) > 15 {
                lastPrint = Date()
                print("  copying \(progress.table): \(progress.rowsCopied) of \(progress.totalRows) rows")
            }
        }
        let seconds = Date().timeIntervalSince(started)
        print(String(format: "copied the raised store into PostgreSQL (migrate's code): %d rows in %.1f s = %.0f rows/s",
                     rows, seconds, Double(rows) / max(seconds, 0.001)))
        let differing = try PostgresStoreCopy.check(source, against: connection).filter { !$0.matches }
        guard differing.isEmpty else {
            throw BenchError("the copy differs: " + differing.map { "\($0.what) \($0.source) vs \($0.destination)" }.joined(separator: "; "))
        }
    }

    /// Ingests the events file into PostgreSQL through the one ingest path, with the rate per tenth.
    func ingestIntoPostgres(_ raised: Raised, _ pg: PostgresAuditStore, url: String) throws {
        let started = Date()
        var tenths = IngestTenths(totalLines: raised.lines)
        tenths.start()
        // More connections store batches at the same time, as `email-audit ingest` does on PostgreSQL.
        let others = try (1..<max(1, pgWriters)).map { _ in
            try PostgresStoreOpening.open(url: url, passwordFile: dbPasswordFile, timeZone: pg.timeZone, warn: { print("warning: \($0)") })
        }
        defer { others.forEach { $0.close() } }
        let writers = try others.map { try PostgresAuditStore(connection: $0) }
        let report = try EventIngestor(store: pg, defaultAccountID: raised.accountID, batchSize: pgBatchSize, additionalWriters: writers)
            .ingest(fileAt: raised.eventsPath) { tenths.record($0) }
        let seconds = Date().timeIntervalSince(started)
        print("load average after the PostgreSQL ingest: \(LoadAverage.now())")
        print(String(format: "PostgreSQL ingest: %d events in %.1f s = %.0f events/s (PostgresEventIngest on %d connections, batches of %d; %d problems; target ≥ 30,000 events/s)",
                     report.inserted, seconds, Double(report.inserted) / max(seconds, 0.001), 1 + writers.count, pgBatchSize, report.problems.count))
        print("PostgreSQL ingest rate in each tenth of the ingest (by input lines):")
        tenths.lines().forEach { print($0) }
        print(String(format: "peak RSS of the PostgreSQL ingest (with the copy before it): %.1f MB", Memory.peakResidentMegabytes()))
    }

    /// Bytes per email and per event of the PostgreSQL store, and the largest tables.
    static func sizeLines(_ pg: PostgresAuditStore) throws -> [String] {
        let size = try pg.storageSize()
        let emails = max(1, try pg.emailCount()), events = max(1, try pg.eventCount())
        var out = [String(format: "store size: %.1f MB (pg_total_relation_size of every table, partitions, TOAST and indexes) = %.0f bytes per email, %.0f bytes per event (%d emails, %d events)",
                          Double(size.totalBytes) / 1e6, Double(size.totalBytes) / Double(emails), Double(size.totalBytes) / Double(events),
                          emails, events)]
        for table in size.tables.prefix(12) {
            out.append("  " + table.name.padding(toLength: 34, withPad: " ", startingAt: 0)
                       + String(format: " %9.1f MB  %6.0f bytes per email (table %6.0f + indexes %6.0f)", Double(table.totalBytes) / 1e6,
                                Double(table.totalBytes) / Double(emails), Double(table.tableBytes) / Double(emails),
                                Double(table.indexBytes) / Double(emails)))
        }
        return out
    }
}
