import AuditCore
import Foundation
import GRDB

/// Adds suppression entries during an ingest.
enum SuppressionWriter {
    /// Puts `address` on the list because of `event`, unless it is already there.
    ///
    /// An entry lifted by support is only re-added by an event that happened after the lift.
    /// When several events suppress the same address, the earliest one is kept, so the
    /// result does not depend on the order events arrive in. Returns the entry when the
    /// address was not suppressed before.
    static func add(_ db: Database, address: String, kind: SuppressionKind, event: ProviderEvent,
                    emailID: Int64) throws -> SuppressionEntry? {
        guard !address.isEmpty else { return nil }
        let at = StorageEncoding.milliseconds(event.occurredAt)
        let existing = try Row.fetchOne(db.cachedStatement(sql: "SELECT lifted_at FROM suppressions WHERE address = ?"),
                                        arguments: [address])
        let wasActive = existing != nil && (existing![0] as Int64?) == nil
        let reason = reasonText(kind: kind, event: event)
        try db.cachedStatement(sql: """
            INSERT INTO suppressions (address, kind, created_at, reason, email_id) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT (address) DO UPDATE SET
                kind = excluded.kind, created_at = excluded.created_at, reason = excluded.reason,
                email_id = excluded.email_id, lifted_at = NULL, lifted_by = NULL
            WHERE (suppressions.lifted_at IS NOT NULL AND excluded.created_at > suppressions.lifted_at)
               OR (suppressions.lifted_at IS NULL AND excluded.created_at < suppressions.created_at)
            """).execute(arguments: [address, kind.rawValue, at, reason, emailID])
        guard db.changesCount > 0, !wasActive else { return nil }
        return SuppressionEntry(address: address, kind: kind, createdAt: StorageEncoding.date(milliseconds: at), reason: reason)
    }

    /// The provider's words for why the address is suppressed.
    static func reasonText(kind: SuppressionKind, event: ProviderEvent) -> String {
        let d = event.delivery
        let summary = StatusDetail(status: .failed, severity: event.severity, reason: event.reason, code: d?.code,
                                   enhancedCode: d?.enhancedCode, message: d?.message, description: d?.description).summary
        if !summary.isEmpty { return summary }
        switch kind {
        case .bounce: return "Hard bounce"
        case .complaint: return "The recipient marked an email as spam"
        case .unsubscribe: return "The recipient unsubscribed"
        }
    }
}

/// The suppression list: addresses the provider will not send to.
extension AuditDatabase {
    /// Every address currently suppressed, newest first.
    public func suppressions() throws -> [SuppressionEntry] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT address, kind, created_at, reason FROM suppressions WHERE lifted_at IS NULL
                ORDER BY created_at DESC, address
                """).map(Self.suppressionEntry(from:))
        }
    }

    /// The active suppression of `address` (case-insensitive), if any.
    public func suppression(for address: String) throws -> SuppressionEntry? {
        let key = StorageEncoding.normalisedAddress(address)
        return try read { db in
            try Row.fetchOne(db, sql: "SELECT address, kind, created_at, reason FROM suppressions WHERE address = ? AND lifted_at IS NULL",
                             arguments: [key]).map(Self.suppressionEntry(from:))
        }
    }

    /// Lifts the suppression of `address`. Only a staff member with the support role may.
    ///
    /// - Returns: true when an active entry was lifted, false when the address was not suppressed.
    /// - Throws: ``StoreError/unknownStaff(id:)``, or ``StoreError/notPermitted(staffID:action:)``
    ///   when the staff member is not support.
    public func liftSuppression(address: String, by staffID: Int64) throws -> Bool {
        let key = StorageEncoding.normalisedAddress(address)
        return try write { db in
            guard let roleText = try String.fetchOne(db, sql: "SELECT role FROM staff WHERE id = ?", arguments: [staffID]) else {
                throw StoreError.unknownStaff(id: staffID)
            }
            guard StaffRole(rawValue: roleText) == .support else {
                throw StoreError.notPermitted(staffID: staffID, action: "lift the suppression of \(key)")
            }
            try db.execute(sql: "UPDATE suppressions SET lifted_at = ?, lifted_by = ? WHERE address = ? AND lifted_at IS NULL",
                           arguments: [StorageEncoding.milliseconds(Date()), staffID, key])
            guard db.changesCount > 0 else { return false }
            try bumpChangeCounter(db)
            return true
        }
    }

    static func suppressionEntry(from row: Row) -> SuppressionEntry {
        SuppressionEntry(address: row[0], kind: SuppressionKind(rawValue: row[1]) ?? .bounce,
                         createdAt: StorageEncoding.date(milliseconds: row[2]), reason: row[3])
    }
}
