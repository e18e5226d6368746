import Foundation
import GRDB

/// One of the store's full-text (FTS5 trigram) search indexes.
///
/// FTS5 adds a segment to an index with every write transaction and merges segments only a
/// few at a time, so an index that grows one email at a time (every store after it is built)
/// is read as many segments: a search reads each segment's list for every trigram it looks up.
/// ``AuditDatabase/mergeSearchIndex(_:stepPages:progress:)`` merges them back into one.
public enum SearchIndex: String, Sendable, CaseIterable {
    /// The Subject search (`emails_subject_trigram`: subjects with their raiser and domain keys).
    case subject = "emails_subject_trigram"
    /// The To search's address suggestions (`recipients_trigram`: one row per address).
    case recipients = "recipients_trigram"

    /// The index's name for a person: "Subject", "To".
    public var title: String {
        switch self {
        case .subject: "Subject"
        case .recipients: "To"
        }
    }
}

/// The shape of an FTS5 index, read from its structure record (row 10 of `<table>_data`, in
/// SQLite's documented-by-source format: a 4-byte cookie, an optional 4-byte "structure v2"
/// marker, then varints: levels, segments, a write counter, and per level its merge state and
/// segments, each with its id and first and last leaf page, plus five more fields in v2).
public struct SearchIndexStructure: Sendable, Equatable {
    /// The index's segments (b-trees a search reads one after another).
    public var segments: Int
    /// The leaf pages of all its segments: the pages a full merge writes.
    public var leafPages: Int

    /// A structure of `segments` segments holding `leafPages` leaf pages.
    public init(segments: Int, leafPages: Int) {
        self.segments = segments
        self.leafPages = leafPages
    }

    /// Reads `record`; nil when it is not a structure record this code understands.
    public init?(record: [UInt8]) {
        var reader = VarintReader(bytes: record, at: 4)
        guard record.count >= 4 else { return nil }
        let v2 = record.count >= 8 && record[4..<8].elementsEqual([0xFF, 0x00, 0x00, 0x01])
        if v2 { reader.at = 8 }
        // FTS5 keeps at most 64 levels and 2,000 segments, with 32-bit page numbers: anything
        // else is a damaged record, refused rather than trusted (or trapped on).
        guard let levels = reader.next(), let segments = reader.next(), reader.next() != nil,
              (0...64).contains(levels), (0...2_000).contains(segments) else { return nil }
        var seen = 0, pages = 0
        for _ in 0..<levels {
            guard reader.next() != nil, let count = reader.next(), (0...(segments - seen)).contains(count) else { return nil }
            for _ in 0..<count {
                guard reader.next() != nil, let first = reader.next(), let last = reader.next(),
                      (0...Int(Int32.max)).contains(first), (0...Int(Int32.max)).contains(last), last + 1 >= first else { return nil }
                if v2 { for _ in 0..<5 { guard reader.next() != nil else { return nil } } }
                pages += last - first + 1
                seen += 1
            }
        }
        guard seen == segments else { return nil }
        self.segments = segments
        self.leafPages = pages
    }

    /// SQLite's variable-length integers: big-endian groups of 7 bits, the high bit set on all
    /// but the last; a ninth byte carries 8 bits.
    struct VarintReader {
        let bytes: [UInt8]
        var at: Int

        mutating func next() -> Int? {
            var value: UInt64 = 0
            for index in 0..<9 {
                guard at < bytes.count else { return nil }
                let byte = bytes[at]
                at += 1
                if index == 8 { return Int(truncatingIfNeeded: value << 8 | UInt64(byte)) }
                value = value << 7 | UInt64(byte & 0x7F)
                if byte & 0x80 == 0 { break }
            }
            return Int(truncatingIfNeeded: value)
        }
    }
}

extension AuditDatabase {
    /// The structure of `index` (nil when the store has no such index, or its record is not understood).
    public func searchIndexStructure(_ index: SearchIndex) throws -> SearchIndexStructure? {
        try read { db in try Self.searchIndexStructure(db, index) }
    }

    static func searchIndexStructure(_ db: Database, _ index: SearchIndex) throws -> SearchIndexStructure? {
        guard try db.tableExists("\(index.rawValue)_data"),
              let record = try Data.fetchOne(db, sql: "SELECT block FROM \(index.rawValue)_data WHERE id = 10") else { return nil }
        return SearchIndexStructure(record: [UInt8](record))
    }

    /// Merges `index` into one segment in short write transactions, between which other
    /// writers (`serve`, `ingest`) commit as usual and readers (the screen) keep their snapshots.
    ///
    /// Each step is FTS5's `merge` command with a negative page count: every segment is put on
    /// one level and about `stepPages` pages of the merged segment are written. The steps stop
    /// when one does no work (FTS5 changes fewer than two rows: the index is one segment). An
    /// interrupted merge loses nothing; the next one carries on from the segments it left.
    ///
    /// - Parameters:
    ///   - stepPages: pages written by one step (500 pages of 8 KiB: about 0.1 s here).
    ///   - progress: called with `(done, total)` pages: `total` is the index's leaf pages before
    ///     the merge (the work), `done` the pages written so far (kept below `total` until the
    ///     last call, which reports `(total, total)`). Not called when there is nothing to merge.
    ///     An error it throws stops the merge between steps (a shutdown) and is rethrown.
    /// - Returns: the steps that did work (0 when the index was already one segment, or the
    ///   store has no such index).
    @discardableResult
    public func mergeSearchIndex(_ index: SearchIndex, stepPages: Int = 500,
                                 progress: (_ done: Int, _ total: Int) throws -> Void = { _, _ in }) throws -> Int {
        precondition(stepPages > 0)
        let table = index.rawValue
        let found = try read { db -> (exists: Bool, structure: SearchIndexStructure?) in
            guard try db.tableExists(table) else { return (false, nil) }
            return (true, try Self.searchIndexStructure(db, index))
        }
        guard found.exists else { return 0 }
        // One segment: nothing to merge. An unreadable record: merge anyway (FTS5 knows).
        if let structure = found.structure, structure.segments <= 1 { return 0 }
        let total = max(found.structure?.leafPages ?? 1, 1)
        try progress(0, total)
        var steps = 0
        while true {
            let worked = try write { db -> Bool in
                let before = db.totalChangesCount
                try db.execute(sql: "INSERT INTO \(table)(\(table), rank) VALUES ('merge', ?)", arguments: [-stepPages])
                return db.totalChangesCount - before >= 2
            }
            guard worked else { break }
            steps += 1
            try progress(min(steps * stepPages, total - 1), total)
        }
        try progress(total, total)
        return steps
    }
}
