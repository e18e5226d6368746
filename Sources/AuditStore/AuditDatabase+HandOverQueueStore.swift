import AuditCore
import Foundation
import GRDB

/// The SQLite backend of the feeder queue (``HandOverQueueStore``).
///
/// A SQLite store has one writer process (`serve`, the demo or the CLI), so the claims live
/// in this process, in the `AuditDatabase` value (``HandOverClaimTable``), not in the file:
/// claiming costs one query (``pendingHandOver(limit:accounts:)``) as before, and feeders of
/// one `AuditDatabase` never take one another's claimed emails. Two `AuditDatabase` values on
/// one file do not see each other's claims.
extension AuditDatabase: HandOverQueueStore {
    public func claimPending(limit: Int, accounts: [Int64]?, claimant: String, now: Date, lease: TimeInterval) throws -> [Email] {
        guard limit > 0 else { return [] }
        if let accounts, accounts.isEmpty { return [] }
        return try handOverClaims.claim(limit: limit, claimant: claimant, now: now, until: now + max(0, lease)) { heldBack in
            try pendingHandOver(limit: limit + heldBack, accounts: accounts)
        }
    }

    public func markHandedOver(emailID: Int64, inAccount accountID: Int64, providerMessageID: String, at: Date) throws -> Bool {
        let owner = try read { db in
            try Int64.fetchOne(db.cachedStatement(sql: "SELECT account_id FROM emails WHERE id = ?"), arguments: [emailID])
        }
        guard owner == accountID else { throw StoreError.unknownEmail(id: emailID) }
        defer { handOverClaims.end(emailID: emailID) }
        return try markHandedOver(emailID: emailID, providerMessageID: providerMessageID, at: at)
    }

    public func releaseClaims(of claimant: String) throws {
        handOverClaims.release(claimant)
    }

    public func handOverOutcomes() throws -> HandOverOutcomes {
        try read { db in
            let statement = try db.cachedStatement(sql: "SELECT value FROM meta WHERE key = ?")
            return HandOverOutcomes(
                lastSuccess: try Int64.fetchOne(statement, arguments: [MetaKey.handOverLastSuccess]).map(StorageEncoding.date(milliseconds:)),
                lastFailure: try Int64.fetchOne(statement, arguments: [MetaKey.handOverLastFailure]).map(StorageEncoding.date(milliseconds:)))
        }
    }
}

/// The live hand-over claims of one SQLite store's feeders: email id → claimant and end.
final class HandOverClaimTable: @unchecked Sendable {
    private let lock = NSLock()
    private var claims: [Int64: (claimant: String, until: Date)] = [:]

    /// Drops the claims that ended by `now`, asks `pending` for the oldest Pending emails
    /// (as many as `limit` plus the live claims, which it skips) and claims the first
    /// `limit` unclaimed ones for `claimant`. The lock is held throughout, so two feeders
    /// never claim one email.
    func claim(limit: Int, claimant: String, now: Date, until: Date, pending: (Int) throws -> [Email]) throws -> [Email] {
        lock.lock()
        defer { lock.unlock() }
        claims = claims.filter { $0.value.until > now }
        var claimed: [Email] = []
        for email in try pending(claims.count) where claims[email.id] == nil {
            claimed.append(email)
            if claimed.count == limit { break }
        }
        for email in claimed { claims[email.id] = (claimant, until) }
        return claimed
    }

    /// Ends the claim on `emailID`, whoever holds it.
    func end(emailID: Int64) {
        lock.lock()
        defer { lock.unlock() }
        claims[emailID] = nil
    }

    /// Ends every claim of `claimant`.
    func release(_ claimant: String) {
        lock.lock()
        defer { lock.unlock() }
        claims = claims.filter { $0.value.claimant != claimant }
    }
}
