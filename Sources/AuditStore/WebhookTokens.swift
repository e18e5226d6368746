import AuditCore
import Foundation
import GRDB

/// Mailgun signs only the timestamp and token, not the body, so the receiver binds each token
/// to the first event it carried: the same token with the same event is a retry, with another
/// event it is a replay of a captured signature.
extension AuditDatabase {
    /// Binds each token to its body digest, in one transaction. Returns, for each use, true when
    /// the token is new or was first seen with the same digest (a retry), false when it was first
    /// seen with another body. Uses later in the same call are judged against earlier ones.
    public func bindWebhookTokens(_ uses: [WebhookTokenUse]) throws -> [Bool] {
        guard !uses.isEmpty else { return [] }
        return try write { db in try bindWebhookTokens(db, uses) }
    }

    /// Binds the webhooks' tokens and stores the events of those bound (a new token, or a retry of
    /// the same event) through ``apply(_:defaultAccountID:)``'s store step, in ONE transaction, so
    /// a group of webhooks costs one durable commit. `events[i]` is the event of `uses[i]` (nil
    /// when it carries none to store). An event holding a value the store refuses (see
    /// ``StoredValueCheck``) is not stored and is named in `refused` by its index; its token is
    /// still bound, so the same webhook again gets the same answer. Nothing is stored when this throws.
    ///
    /// With `deferringSync`, the commit does not wait for the disk: the group is durable against a
    /// power cut only after a later ``syncWriteAheadLog()`` returns (the caller answers after it).
    public func bindWebhookTokensAndApply(_ uses: [WebhookTokenUse], events: [IncomingEvent?],
                                          defaultAccountID: Int64?, deferringSync: Bool = false) throws -> WebhookGroupResult {
        precondition(uses.count == events.count, "one event (or nil) per token use")
        guard !uses.isEmpty else { return WebhookGroupResult(bound: [], refused: [:], applied: ApplyResult()) }
        var refused: [Int: String] = [:]
        for (index, event) in events.enumerated() {
            guard let event else { continue }
            do { try StoredValueCheck.check(event) } catch { refused[index] = "\(error)" }
        }
        let body = { (db: Database) throws -> WebhookGroupResult in
            let bound = try self.bindWebhookTokens(db, uses)
            let accepted = events.indices.compactMap { index in bound[index] && refused[index] == nil ? events[index] : nil }
            return WebhookGroupResult(bound: bound, refused: refused,
                                      applied: try self.apply(db, accepted, defaultAccountID: defaultAccountID))
        }
        return try deferringSync ? writeDeferringSync(body) : write(body)
    }

    /// One statement per new token (the common case): the insert, which does nothing when the
    /// token is already bound; only then is its first digest read.
    private func bindWebhookTokens(_ db: Database, _ uses: [WebhookTokenUse]) throws -> [Bool] {
        let insert = try RawStatement(db, sql: """
            INSERT INTO webhook_tokens (token, body_sha256, received_at) VALUES (?, ?, ?) ON CONFLICT (token) DO NOTHING
            """)
        let select = try RawStatement(db, sql: "SELECT body_sha256 FROM webhook_tokens WHERE token = ?")
        var seen: [String: String] = [:]
        seen.reserveCapacity(uses.count)
        return try uses.map { use in
            if let digest = seen[use.token] { return digest == use.bodyDigest }
            insert.reset()
            insert.bind(1, use.token)
            insert.bind(2, use.bodyDigest)
            insert.bind(3, StorageEncoding.milliseconds(use.receivedAt))
            try insert.run()
            if db.changesCount > 0 {
                seen[use.token] = use.bodyDigest
                return true
            }
            select.reset()
            select.bind(1, use.token)
            defer { select.reset() }
            let digest = try select.step() ? select.string(0) : ""
            seen[use.token] = digest
            return digest == use.bodyDigest
        }
    }

    /// Forgets tokens received before `date` (older than any timestamp the receiver still accepts).
    @discardableResult
    public func forgetWebhookTokens(receivedBefore date: Date) throws -> Int {
        try write { db in
            try db.execute(sql: "DELETE FROM webhook_tokens WHERE received_at < ?", arguments: [StorageEncoding.milliseconds(date)])
            return db.changesCount
        }
    }

    /// Makes every later commit durable against power loss, not only against a crash of this
    /// process (`synchronous = FULL` on the writer). The webhook receiver answers 200 only after
    /// its commit, and groups concurrent requests into one commit so this costs little.
    public func requireFullDurability() throws {
        do {
            try pool.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        } catch {
            throw StoreError.wrap(error, path: path)
        }
    }

    /// Whether the store accepts a write now (for a readiness check): a write transaction that changes nothing.
    public func isWritable() -> Bool {
        do {
            try pool.write { db in try db.execute(sql: "UPDATE meta SET value = value WHERE key = 'change_counter'") }
            return true
        } catch {
            return false
        }
    }
}
