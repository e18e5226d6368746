import AuditCore
import AuditStore
import Foundation
import PostgresNIO

/// The webhook receiver's store step on PostgreSQL (``WebhookIngestStore``): tokens bound in
/// `webhook_tokens` and the events ingested by ``PostgresEventIngest``, in one transaction.
extension PostgresAuditStore: WebhookIngestStore {
    /// Binds the webhooks' tokens, then ingests the events of those bound, in ONE transaction
    /// (see ``WebhookIngestStore``). Tokens are inserted in token order, before the ingest takes
    /// its locks, so two groups on two connections never wait on each other in a cycle. An
    /// External email of a month with no partition yet: the months are made and the group is
    /// stored again, once. `deferringSync` changes nothing: a PostgreSQL commit is durable when
    /// it returns.
    public func bindWebhookTokensAndApply(_ uses: [WebhookTokenUse], events: [IncomingEvent?], defaultAccountID: Int64?,
                                          deferringSync: Bool = false) throws -> WebhookGroupResult {
        precondition(uses.count == events.count, "one event (or nil) per token use")
        guard !uses.isEmpty else { return WebhookGroupResult(bound: [], refused: [:], applied: ApplyResult()) }
        var refused: [Int: String] = [:]
        for (index, event) in events.enumerated() {
            guard let event else { continue }
            if let refusal = StoredEventCoding.refusal(of: event) { refused[index] = refusal }
        }
        // PostgreSQL's text cannot hold a NUL character: such a token (no signature of
        // Mailgun's has one) is not bound, and its webhook is answered as a misused token.
        let storable = uses.map { !StoredText.containsNUL($0.token) && !StoredText.containsNUL($0.bodyDigest) }
        let body = { (db: BlockingPostgresConnection) throws -> WebhookGroupResult in
            let bound = try self.bindTokens(uses, storable: storable, on: db)
            let accepted = events.indices.compactMap { index in bound[index] && refused[index] == nil ? events[index] : nil }
            let applied = accepted.isEmpty ? ApplyResult()
                : try PostgresEventIngest(store: self, db: db, defaultAccountID: defaultAccountID).apply(accepted)
            return WebhookGroupResult(bound: bound, refused: refused, applied: applied)
        }
        do {
            return try connection.transaction(body)
        } catch let error as PostgresStoreError where Self.isMissingPartition(error) {
            try createMonths(of: events.compactMap { $0?.event.occurredAt })
            return try connection.transaction(body)
        }
    }

    /// Binds each token to its digest: the first use of a token in the group is inserted
    /// (`ON CONFLICT DO NOTHING`), then every use is judged against the digest stored for its
    /// token (its own, or the one of the event the token first carried).
    private func bindTokens(_ uses: [WebhookTokenUse], storable: [Bool], on db: BlockingPostgresConnection) throws -> [Bool] {
        var first: [String: WebhookTokenUse] = [:]
        for (index, use) in uses.enumerated() where storable[index] && first[use.token] == nil { first[use.token] = use }
        let ordered = first.keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
        guard !ordered.isEmpty else { return uses.map { _ in false } }
        var statement = PostgresStatement()
        let tokens = statement.bind(ordered)
        let digests = statement.bind(ordered.map { first[$0]!.bodyDigest })
        let times = statement.bind(ordered.map { StoredEventCoding.milliseconds(first[$0]!.receivedAt) })
        try db.execute(statement.query("""
            INSERT INTO webhook_tokens (token, body_sha256, received_at)
            SELECT t.token, t.digest, timestamptz 'epoch' + t.ms * interval '1 millisecond'
            FROM unnest(\(tokens)::text[], \(digests)::text[], \(times)::bigint[]) WITH ORDINALITY AS t(token, digest, ms, n)
            ORDER BY t.n
            ON CONFLICT (token) DO NOTHING
            """))
        var stored: [String: String] = [:]
        for (token, digest) in try rows("SELECT token, body_sha256 FROM webhook_tokens WHERE token = ANY(\(ordered))", on: db, {
            (try $0[0].decode(String.self), try $0[1].decode(String.self))
        }) {
            stored[token] = digest
        }
        return uses.enumerated().map { index, use in storable[index] && stored[use.token] == use.bodyDigest }
    }

    /// Nothing to do: a PostgreSQL commit is durable (`synchronous_commit`) when it returns.
    public func syncWriteAheadLog() throws {}

    /// Forgets tokens received before `date` and returns how many.
    @discardableResult
    public func forgetWebhookTokens(receivedBefore date: Date) throws -> Int {
        try connection.execute("""
            DELETE FROM webhook_tokens WHERE received_at < timestamptz 'epoch' + \(StoredEventCoding.milliseconds(date)) * interval '1 millisecond'
            """)
    }
}
