import AuditCore
import Foundation
import GRDB

/// Recording emails the host system sends through the intake, idempotently by its own id.
extension AuditDatabase {
    /// Records emails carrying the host's own id (``NewEmail/hostID``), once per (account, host id).
    ///
    /// An email whose host id is already recorded in its account is not recorded again: its
    /// existing id comes back with `created == false`. New ones are recorded in one transaction
    /// with ``record(_:)``; the host id is a column of the email row, so an email and its host
    /// id are stored together or not at all, and a retry after a crash finds it.
    ///
    /// - Throws: ``StoreError/invalidValue(_:)`` for an email without a host id, or the errors of
    ///   ``record(_:)``. Nothing is recorded then.
    public func recordFromHost(_ emails: [NewEmail]) throws -> [HostRecording] {
        for email in emails where (email.hostID ?? "").isEmpty {
            throw StoreError.invalidValue("an email from the host system needs its host id")
        }
        // Refused on both backends alike (PostgreSQL's text cannot hold a NUL character).
        for email in emails { try StoredValueCheck.requireText(email.hostID, "a host id") }
        // Two requests with the same host id can race between the look-up and the insert; the
        // unique index refuses the second insert and the next attempt finds the first.
        var attempt = 0
        while true {
            attempt += 1
            let existing = try hostEmailIDs(emails.map { ($0.accountID, $0.hostID ?? "") })
            var fresh: [NewEmail] = []
            var freshKeys: Set<HostKey> = []
            for email in emails {
                let key = HostKey(accountID: email.accountID, hostID: email.hostID ?? "")
                if existing[key] == nil, freshKeys.insert(key).inserted { fresh.append(email) }
            }
            let ids: [Int64]
            do {
                ids = try record(fresh)
            } catch StoreError.database(_, let underlying) where attempt < 3 && underlying.contains("UNIQUE") {
                continue
            }
            var made: [HostKey: Int64] = [:]
            for (email, id) in zip(fresh, ids) {
                made[HostKey(accountID: email.accountID, hostID: email.hostID ?? "")] = id
            }
            var reported: Set<HostKey> = []
            return emails.map { email in
                let key = HostKey(accountID: email.accountID, hostID: email.hostID ?? "")
                if let id = existing[key] { return HostRecording(emailID: id, created: false) }
                let id = made[key]!
                return HostRecording(emailID: id, created: reported.insert(key).inserted)
            }
        }
    }

    /// The email ids already recorded for (account, host id) pairs.
    func hostEmailIDs(_ keys: [(Int64, String)]) throws -> [HostKey: Int64] {
        guard !keys.isEmpty else { return [:] }
        return try read { db in
            let statement = try db.cachedStatement(sql: "SELECT id FROM emails WHERE account_id = ? AND host_id = ?")
            var found: [HostKey: Int64] = [:]
            for (account, host) in keys {
                if let id = try Int64.fetchOne(statement, arguments: [account, host]) {
                    found[HostKey(accountID: account, hostID: host)] = id
                }
            }
            return found
        }
    }

    /// The email the host system recorded under `hostID` in `accountID`, if any.
    public func emailID(accountID: Int64, hostID: String) throws -> Int64? {
        try hostEmailIDs([(accountID, hostID)])[HostKey(accountID: accountID, hostID: hostID)]
    }

    /// The ids among `unitIDs` that are not units of a block of `accountID`.
    public func unknownUnitIDs(_ unitIDs: [Int64], accountID: Int64) throws -> [Int64] {
        guard !unitIDs.isEmpty else { return [] }
        return try read { db in
            let statement = try db.cachedStatement(sql: """
                SELECT 1 FROM units u JOIN blocks b ON b.id = u.block_id WHERE u.id = ? AND b.account_id = ?
                """)
            return try unitIDs.filter { try Int64.fetchOne(statement, arguments: [$0, accountID]) == nil }
        }
    }
}

/// An email's key in the host system: its account and the host's id.
struct HostKey: Hashable {
    var accountID: Int64
    var hostID: String
}
