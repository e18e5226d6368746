import GRDB

/// The From headers of an account's emails (`senders`, schema v13): each distinct text once per
/// account, and `emails.sender_id` naming it. An account sends from a handful of From headers
/// ("Harbour Lets <notices@mg.harbourlets.co.uk>", about 45 bytes), so the text per email became
/// an integer of one or two bytes.
///
/// Writers get the id with ``SenderIDs/id(_:accountID:address:)``; readers select
/// ``Senders/address(of:)`` in place of the old column.
enum Senders {
    /// The SQL expression for the From header of the `emails` row `alias` (e.g. `e`, or
    /// `emails` for an unaliased table): '' for a row without a sender.
    static func address(of alias: String) -> String {
        "coalesce((SELECT address FROM senders WHERE id = \(alias).sender_id), '')"
    }
}

/// Finds or adds the `senders` row of an account's From header, remembering what it found for
/// the life of the value (one write transaction: an id stays valid while senders are only added).
struct SenderIDs {
    private struct Key: Hashable {
        var accountID: Int64
        var address: String
    }

    private var known: [Key: Int64] = [:]

    /// The id of `address` in `accountID`'s senders, added when new.
    mutating func id(_ db: Database, accountID: Int64, address: String) throws -> Int64 {
        let key = Key(accountID: accountID, address: address)
        if let id = known[key] { return id }
        let id: Int64
        if let found = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM senders WHERE account_id = ? AND address = ?"),
                                          arguments: [accountID, address]) {
            id = found
        } else {
            try db.cachedStatement(sql: "INSERT INTO senders (account_id, address) VALUES (?, ?)").execute(arguments: [accountID, address])
            id = db.lastInsertedRowID
        }
        if known.count > 10_000 { known.removeAll(keepingCapacity: true) }
        known[key] = id
        return id
    }
}
