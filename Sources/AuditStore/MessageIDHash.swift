/// The 64-bit integer an email's provider message id is indexed by (`emails.message_hash`,
/// schema v13): FNV-1a over the id's UTF-8 (``EventKeyHash``'s function), as a signed SQLite
/// integer; NULL while the email has no message id.
///
/// The index `emails_message_hash` on `(message_hash)` replaces version 1's unique index on
/// `(provider_message_id, to_address)`, whose entries carried both texts (about 97 bytes per
/// email at a million emails; a hash entry is about 15). The hash only narrows the search:
/// every lookup also compares the whole message id (and recipient) in SQL, e.g.
/// `WHERE message_hash = ? AND provider_message_id = ? AND to_address = ?`, so two ids that
/// share a hash are told apart exactly as before.
///
/// FROZEN: every stored row was hashed with exactly this function; changing it would make the
/// ingest miss the emails it already holds.
enum MessageIDHash {
    /// The hash of the (bare) provider message id `messageID`.
    static func of(_ messageID: String) -> Int64 {
        EventKeyHash.of(messageID)
    }
}
