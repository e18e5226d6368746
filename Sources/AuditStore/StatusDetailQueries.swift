import AuditCore
import Foundation
import GRDB

/// Status details by email id, for exports: the list's own pages give the rows and their
/// order; this adds the provider's reason to each row of a page in one primary-key lookup.
extension AuditDatabase {
    /// The status details of the given emails that have one, by id (only emails of `accountID` when given).
    package func statusDetails(emailIDs: [Int64], accountID: Int64? = nil) throws -> [Int64: StatusDetail] {
        guard !emailIDs.isEmpty else { return [:] }
        return try read { db in
            var found: [Int64: StatusDetail] = [:]
            found.reserveCapacity(emailIDs.count)
            let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                SELECT id, status_detail FROM emails WHERE id IN (SELECT value FROM json_each(?)) AND status_detail IS NOT NULL
                  AND (? IS NULL OR account_id = ?)
                """), arguments: [StorageEncoding.jsonArray(emailIDs), accountID, accountID])
            while let row = try rows.next() {
                if let detail = StorageEncoding.decodeStatusDetail(row[1]) { found[row[0]] = detail }
            }
            return found
        }
    }
}
