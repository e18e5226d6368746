import AuditCore

/// Compresses the raw JSON of events before ``AuditDatabase/apply(_:defaultAccountID:)``, on
/// the caller's thread, so the writer's transaction only binds the bytes: the file ingest
/// does it on its reading and decoding thread, one batch ahead of the store. (`apply`
/// compresses whatever was not prepared, so this is only a matter of which core does it.)
///
/// One compactor per thread; it is not thread-safe.
public final class RawJSONCompactor {
    private let compressor = CompactText.Compressor()

    public init() {}

    /// Prepares the stored form of each event's raw JSON, in place.
    public func prepare(_ events: inout [IncomingEvent]) {
        events.withUnsafeMutableBufferPointer { prepare($0) }
    }

    /// Prepares the stored form of each event's raw JSON, in place: a part of an array that
    /// another thread's compactor is not preparing.
    ///
    /// On a buffer, not any collection: the generic version read each `events[index]` through
    /// the collection's witness, a copy of the whole event (perf of the ingest, 06/12/2026).
    public func prepare(_ events: UnsafeMutableBufferPointer<IncomingEvent>) {
        for index in events.indices {
            let tokens = EventJSONTokens(providerEventID: events[index].event.providerEventID,
                                         occurredAtMicroseconds: StorageEncoding.microseconds(events[index].event.occurredAt),
                                         eventKey: events[index].event.key, mxHost: events[index].event.delivery?.mxHost)
            events[index].packedRawJSON = .some(compressor.encode(events[index].rawJSON, tokens: tokens) { $0.map { Array($0) } })
        }
    }
}
