import Foundation
import GRDB
#if canImport(GRDBSQLite)
import GRDBSQLite
#elseif canImport(SQLite3)
import SQLite3
#endif

/// Runs one `CREATE INDEX` on a whole table while telling an upgrade's progress how far it has
/// got: first "reading the emails, N of M", then "writing the index, N of M".
///
/// SQLite builds an index in two loops of bytecode: one reads every row of the table into a
/// sorter, the other writes the sorted entries into the index. Each loop runs the same
/// instructions for every row of a full (not partial) index, so the instructions run so far
/// say which loop the build is in and how many rows that loop has done. SQLite's progress
/// handler is called once every ``instructionsPerCheck`` instructions (checked at each loop's
/// jump back), so its calls count them. The loops' lengths come from the statement's own
/// bytecode (`EXPLAIN`), so the figures follow whatever program this SQLite compiles; a
/// program of another shape gets only the caller's reports before and after.
///
/// Before this, a 10,000,000-email store's schema v17 upgrade showed 0% for 83 s, then 100%.
struct IndexBuildProgress {
    /// The bytecode's two loops, in instructions per row.
    struct Loops: Equatable {
        /// Instructions before the first loop starts.
        var prologue: Int
        /// Instructions per row of the loop that reads the table into the sorter.
        var reading: Int
        /// Instructions per row of the loop that writes the sorted entries into the index.
        var writing: Int
    }

    /// Where the build is, from instructions run.
    enum Position: Equatable {
        case reading(rows: Int)
        case writing(rows: Int)
    }

    /// The instructions between two looks at the count (a few milliseconds of work).
    static let instructionsPerCheck: Int32 = 200_000

    /// The loops of a `CREATE INDEX` program, from its `EXPLAIN` rows (address, opcode, p2): the
    /// first `Next` that jumps back and the `SorterNext` that does; nil for any other shape.
    static func loops(explained: [(address: Int, opcode: String, p2: Int)]) -> Loops? {
        guard let next = explained.first(where: { $0.opcode == "Next" && $0.p2 <= $0.address }),
              let sorterNext = explained.first(where: { $0.opcode == "SorterNext" && $0.p2 <= $0.address && $0.address > next.address })
        else { return nil }
        // The loop's first instruction is the jump target; the one before it (Rewind, SorterSort)
        // runs once.
        return Loops(prologue: next.p2, reading: next.address - next.p2 + 1, writing: sorterNext.address - sorterNext.p2 + 1)
    }

    /// The loops of `sql`'s program as SQLite compiles it on `db` (`EXPLAIN`, which runs nothing).
    static func loops(of sql: String, in db: Database) throws -> Loops? {
        try loops(explained: Row.fetchAll(db, sql: "EXPLAIN " + sql).map {
            (address: $0["addr"] as Int, opcode: $0["opcode"] as String, p2: $0["p2"] as Int)
        })
    }

    /// Where a build of `rows` rows is after `instructions` instructions.
    static func position(afterInstructions instructions: Int, rows: Int, loops: Loops) -> Position {
        let read = (instructions - loops.prologue) / max(loops.reading, 1)
        if read < rows { return .reading(rows: max(0, read)) }
        // Between the loops: a few opening instructions, then the sorted entries.
        let afterReading = instructions - loops.prologue - rows * loops.reading
        return .writing(rows: min(rows, max(0, afterReading / max(loops.writing, 1))))
    }

    /// Runs `sql` (one `CREATE INDEX` over a table of `rows` rows) on `db`, reporting
    /// `step` + ": reading the emails" then + ": writing the index" as it goes, at most once
    /// every `checkEvery` instructions. The caller reports the step's start and end.
    static func run(_ db: Database, sql: String, rows: Int, step: String, checkEvery: Int32 = instructionsPerCheck,
                    progress: (@Sendable (UpgradeProgress) -> Void)?) throws {
        guard let progress, rows > 0,
              let connection = db.sqliteConnection,
              let loops = try loops(of: sql, in: db)
        else {
            try db.execute(sql: sql)
            return
        }
        let interval = max(checkEvery, 1)
        let watch = Watch(rows: rows, loops: loops, step: step, checkEvery: Int(interval), progress: progress)
        let context = Unmanaged.passRetained(watch)
        sqlite3_progress_handler(connection, interval, { pointer in
            guard let pointer else { return 0 }
            Unmanaged<Watch>.fromOpaque(pointer).takeUnretainedValue().check()
            return 0
        }, context.toOpaque())
        defer {
            sqlite3_progress_handler(connection, 0, nil, nil)
            context.release()
        }
        try db.execute(sql: sql)
    }

    /// What the progress handler counts and reports; used on the connection's own thread.
    private final class Watch {
        let rows: Int
        let loops: Loops
        let step: String
        let checkEvery: Int
        let progress: @Sendable (UpgradeProgress) -> Void
        var calls = 0
        var last: Position?

        init(rows: Int, loops: Loops, step: String, checkEvery: Int, progress: @escaping @Sendable (UpgradeProgress) -> Void) {
            self.rows = rows
            self.checkEvery = checkEvery
            self.loops = loops
            self.step = step
            self.progress = progress
        }

        func check() {
            calls += 1
            let instructions = calls * checkEvery
            let position = IndexBuildProgress.position(afterInstructions: instructions, rows: rows, loops: loops)
            guard position != last else { return }
            last = position
            switch position {
            case .reading(let done): progress(UpgradeProgress(step: step + ": reading the emails", done: done, total: rows))
            case .writing(let done): progress(UpgradeProgress(step: step + ": writing the index", done: done, total: rows))
            }
        }
    }
}
