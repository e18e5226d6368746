import AuditCore
import Foundation
import GRDB

/// The SQLite backend of the store contract (``PortfolioStore``, ``EmailRecordingStore``):
/// most requirements are the store's own methods; these are the ones that name the account
/// where the older methods did not.
extension AuditDatabase: PortfolioStore, EmailRecordingStore {
    /// Adds a unit to one of the account's blocks (another account's block is
    /// ``StoreError/unknownBlock(id:)``).
    public func insertUnit(accountID: Int64, blockID: Int64, name: String) throws -> AuditCore.Unit {
        try StoredValueCheck.requireText(name, "the unit name")
        return try write { db in
            try Self.requireAccount(db, accountID)
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM blocks WHERE id = ? AND account_id = ?",
                                    arguments: [blockID, accountID]) != nil else {
                throw StoreError.unknownBlock(id: blockID)
            }
            try db.execute(sql: "INSERT INTO units (block_id, name) VALUES (?, ?)", arguments: [blockID, name])
            return AuditCore.Unit(id: db.lastInsertedRowID, blockID: blockID, name: name)
        }
    }

    /// The account's staff, by name then id.
    public func staff(inAccount accountID: Int64) throws -> [StaffUser] {
        try staff(accountID: accountID)
    }

    /// Unit Search within one account.
    public func unitSearch(address: String, inAccount accountID: Int64) throws -> [UnitContactRow] {
        try unitSearch(address: address, accountID: accountID)
    }

    /// The email `id` if it is `accountID`'s (its body decompressed).
    public func recordedEmail(id: Int64, inAccount accountID: Int64) throws -> Email? {
        try read { db in
            try readingCompactText {
                try EmailRecord.fetchOne(db, sql: "SELECT \(EmailRecord.selection) FROM emails e WHERE e.id = ? AND e.account_id = ?",
                                         arguments: [id, accountID])?.email
            }
        }
    }

    /// The units the account's email `emailID` was recorded against, ascending.
    public func linkedUnitIDs(emailID: Int64, inAccount accountID: Int64) throws -> [Int64] {
        try read { db in
            try Int64.fetchAll(db, sql: """
                SELECT eu.unit_id FROM email_units eu JOIN emails e ON e.id = eu.email_id
                WHERE eu.email_id = ? AND e.account_id = ? ORDER BY eu.unit_id
                """, arguments: [emailID, accountID])
        }
    }
}

/// Suppression requests and removals (``SuppressionChangeStore``) and resends (``ResendStore``)
/// on SQLite: the store's own methods (`SuppressionQueries.swift`, `ResendQueries.swift`).
extension AuditDatabase: SuppressionChangeStore, ResendStore {}
