import Foundation

/// The ingest side of the store contract: what the one ingest path (`EventIngestor`) asks of
/// the store. Both backends conform (see ``PortfolioStore``).
///
/// One call is one transaction. Each event is found its email (by its audit id when that
/// email is to the event's recipient, else by message id and recipient; else a sibling of an
/// email of the same message for a cc recipient; else an External email in `defaultAccountID`,
/// else the first account, else a new account "Imported"), stored once (an event whose
/// ``ProviderEvent/key`` the email already holds is counted as a duplicate), and every email
/// that got a new event is re-derived from ALL its events with ``StatusDerivation/derive(_:)``:
/// its status, status detail and last event time, the daily, monthly and yearly roll-ups moved
/// from the old status to the new, and hard bounces, complaints and unsubscribes put on the
/// account's suppression list. Two ingesters applying events of one email at once end in the
/// status derived from all of them.
public protocol EventIngestStore: AnyObject, Sendable {
    /// Ingests a batch of provider events in one transaction (see the protocol).
    func apply(_ batch: [IncomingEvent], defaultAccountID: Int64?) throws -> ApplyResult
}

/// A store that can take several batches in one transaction as they arrive (SQLite, whose one
/// writer commits a transaction's pages once however many batches it holds): the file ingest
/// then commits and re-derives less often without holding more decoded events in memory.
public protocol BatchGroupingIngestStore: EventIngestStore {
    /// Ingests the batches `next` returns, until it returns nil, in ONE transaction, as
    /// ``EventIngestStore/apply(_:defaultAccountID:)`` would ingest them all as one batch.
    /// `next` is called inside the transaction, and a batch is no longer used once `next` is
    /// called again.
    func apply(batches next: () throws -> [IncomingEvent]?, defaultAccountID: Int64?) throws -> ApplyResult
}
