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

    /// Prepares the stored form of each event's raw JSON, in place (an array, or a part of one
    /// that another thread's compactor is not preparing).
    public func prepare<Events: MutableCollection>(_ events: inout Events) where Events.Element == IncomingEvent {
        for index in events.indices {
            let event = events[index].event
            let tokens = EventJSONTokens(providerEventID: event.providerEventID,
                                         occurredAtMicroseconds: StorageEncoding.microseconds(event.occurredAt),
                                         eventKey: event.key, mxHost: event.delivery?.mxHost)
            events[index].packedRawJSON = .some(compressor.encode(events[index].rawJSON, tokens: tokens) { $0.map { Array($0) } })
        }
    }
}
