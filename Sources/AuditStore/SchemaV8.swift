import Foundation
import GRDB

extension Schema {
    /// Version 8: compact raw events. Every `events.raw_json` still held as TEXT is rewritten as
    /// a ``CompactText`` format-1 BLOB where that is shorter (new events are written so by the
    /// ingest). The column keeps its name and TEXT affinity (a BLOB is stored as it is), so
    /// the migration needs no table rebuild; the space freed is returned to the file by a
    /// VACUUM (`sqlite3 FILE vacuum`). Self-contained: it reads only what v1 made.
    static func migrateV8(_ db: Database) throws {
        let compressor = CompactText.Compressor()
        let update = try db.makeStatement(sql: "UPDATE events SET raw_json = ? WHERE id = ?")
        var after: Int64 = 0
        while true {
            // Keyset batches: memory stays flat however many events the store holds.
            let rows = try Row.fetchAll(db, sql: """
                SELECT id, raw_json FROM events WHERE id > ? AND typeof(raw_json) = 'text' ORDER BY id LIMIT 10000
                """, arguments: [after])
            guard let last = rows.last else { return }
            after = last[0]
            for row in rows {
                let id: Int64 = row[0]
                let text: String = row[1]
                try compressor.encode(text) { packed in
                    guard let packed else { return }
                    try update.execute(arguments: [Data(packed), id])
                }
            }
        }
    }
}
