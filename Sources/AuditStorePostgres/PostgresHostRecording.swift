import AuditCore
import AuditStore
import Foundation
import PostgresNIO

/// The intake's recording by the host system's id (``HostRecordingStore``) and `serve`'s
/// health reads (``ServiceHealthStore``) on PostgreSQL.
extension PostgresAuditStore: HostRecordingStore {
    /// Records emails carrying the host's own id once per (account, host id) (see
    /// ``HostRecordingStore``): the ids already in `email_host_ids` are answered with
    /// `created == false`, the others recorded by ``record(_:)`` in one transaction. Two
    /// writers racing on one host id: the primary key of `email_host_ids` refuses the second
    /// insert (SQLSTATE 23505), its transaction rolls back whole, and the next attempt finds
    /// the first writer's email. New emails are inserted in host-id order, so two writers
    /// recording overlapping batches wait on each other in one order; a deadlock (SQLSTATE
    /// 40P01, from other rows such as senders) is retried the same way.
    public func recordFromHost(_ emails: [NewEmail]) throws -> [HostRecording] {
        for email in emails where (email.hostID ?? "").isEmpty {
            throw PostgresStoreError.invalidValue("an email from the host system needs its host id")
        }
        var attempt = 0
        while true {
            attempt += 1
            let existing = try hostEmailIDs(emails.map { HostKey(accountID: $0.accountID, hostID: $0.hostID ?? "") })
            var fresh: [NewEmail] = []
            var freshKeys: Set<HostKey> = []
            for email in emails {
                let key = HostKey(accountID: email.accountID, hostID: email.hostID ?? "")
                if existing[key] == nil, freshKeys.insert(key).inserted { fresh.append(email) }
            }
            fresh.sort { a, b in
                a.accountID != b.accountID ? a.accountID < b.accountID
                    : (a.hostID ?? "").utf8.lexicographicallyPrecedes((b.hostID ?? "").utf8)
            }
            let ids: [Int64]
            do {
                ids = try record(fresh)
            } catch let error as PostgresStoreError where attempt < 4 && ["23505", "40P01"].contains(error.sqlState) {
                continue
            }
            var made: [HostKey: Int64] = [:]
            for (email, id) in zip(fresh, ids) { made[HostKey(accountID: email.accountID, hostID: email.hostID ?? "")] = id }
            var reported: Set<HostKey> = []
            return emails.map { email in
                let key = HostKey(accountID: email.accountID, hostID: email.hostID ?? "")
                if let id = existing[key] { return HostRecording(emailID: id, created: false) }
                return HostRecording(emailID: made[key]!, created: reported.insert(key).inserted)
            }
        }
    }

    /// The email ids already recorded for (account, host id) pairs, in one statement.
    private func hostEmailIDs(_ keys: [HostKey]) throws -> [HostKey: Int64] {
        guard !keys.isEmpty else { return [:] }
        for key in keys { try PostgresValueCheck.requireText(key.hostID, "a host id") }
        var statement = PostgresStatement()
        let accounts = statement.bind(keys.map(\.accountID))
        let hosts = statement.bind(keys.map(\.hostID))
        var found: [HostKey: Int64] = [:]
        for (account, host, id) in try rows(statement.query("""
            SELECT h.account_id, h.host_id, h.email_id
            FROM unnest(\(accounts)::bigint[], \(hosts)::text[]) AS k(account_id, host_id)
            JOIN email_host_ids h ON h.account_id = k.account_id AND h.host_id = k.host_id
            """), { (try $0[0].decode(Int64.self), try $0[1].decode(String.self), try $0[2].decode(Int64.self)) }) {
            found[HostKey(accountID: account, hostID: host)] = id
        }
        return found
    }

    /// The ids among `unitIDs` that are not units of `accountID`, in their order.
    public func unknownUnitIDs(_ unitIDs: [Int64], accountID: Int64) throws -> [Int64] {
        guard !unitIDs.isEmpty else { return [] }
        let known = Set(try rows("SELECT id FROM units WHERE account_id = \(accountID) AND id = ANY(\(unitIDs))") {
            try $0[0].decode(Int64.self)
        })
        return unitIDs.filter { !known.contains($0) }
    }

    public func isValueRefusal(_ error: any Error) -> Bool {
        switch error as? PostgresStoreError {
        case .invalidValue, .unknownAccount, .unknownStaff, .unknownUnit: true
        default: false
        }
    }
}

extension PostgresAuditStore: ServiceHealthStore {
    /// Whether the server takes writes now: the connection answers and the server is not a
    /// read-only standby (`pg_is_in_recovery()`, `transaction_read_only`).
    public func isWritable() -> Bool {
        do {
            return try rows("SELECT NOT pg_is_in_recovery() AND current_setting('transaction_read_only') = 'off'") {
                try $0[0].decode(Bool.self)
            }.first ?? false
        } catch {
            return false
        }
    }
}

/// An email's key in the host system: its account and the host's id.
private struct HostKey: Hashable {
    var accountID: Int64
    var hostID: String
}
