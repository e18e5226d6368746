/// The 64-bit integer an event's key is indexed by (`events.key_hash`, schema v11): FNV-1a over
/// the key's UTF-8, as a signed SQLite integer.
///
/// The index `events_email_key_hash` on `(email_id, key_hash)` replaces version 1's unique
/// index on `(email_id, event_key)`, whose entries carried the whole ~60-byte key. The hash only
/// narrows the search: the ingest stores an event unless a row of the same email has the same
/// hash AND the same `event_key` (``EventInsert``), so two keys that share a hash are both kept.
///
/// FROZEN: every stored row was hashed with exactly this function; changing it would make the
/// ingest store duplicates of events it already holds.
enum EventKeyHash {
    /// The hash of `key`.
    static func of(_ key: String) -> Int64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in key.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01B3
        }
        return Int64(bitPattern: hash)
    }
}
