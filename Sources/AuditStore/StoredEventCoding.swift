import AuditCore
import Foundation

/// The stored forms of an event's values that the PostgreSQL backend writes exactly as this
/// store does (`package`: for the modules of this package only), so both backends hold the
/// same bytes and a store copies across unchanged.
package enum StoredEventCoding {
    /// `events.key_hash` of an event key (also `emails.message_hash` of a message id).
    package static func keyHash(_ key: String) -> Int64 {
        EventKeyHash.of(key)
    }

    /// `emails.message_hash` of a bare message id.
    package static func messageHash(_ messageID: String) -> Int64 {
        MessageIDHash.of(messageID)
    }

    /// `events.event_key` as stored for an event (``StoredEventKey``).
    package static func storedKey(of event: ProviderEvent) -> String {
        StoredEventKey.stored(event.key, providerEventID: event.providerEventID, kind: event.kind.rawValue)
    }

    /// The event key whose stored form is `stored` in a row with `providerEventID` and `kind`.
    package static func key(stored: String, providerEventID: String, kind: String) -> String {
        StoredEventKey.key(stored: stored, providerEventID: providerEventID, kind: kind)
    }

    /// `events.raw_json` as this store's ingest writes it: the prepared bytes when a compactor
    /// prepared them, else the compact form (``CompactText``, format 5), or the UTF-8 text when
    /// compaction would not shrink it (a compact value starts with its format byte, 1-5; JSON text
    /// never does). `compressor` is reused across a batch.
    package static func rawJSONBytes(_ item: IncomingEvent, compressor: RawEventCompressor) -> [UInt8] {
        if let prepared = item.packedRawJSON {
            return prepared ?? Array(item.rawJSON.utf8)
        }
        let event = item.event
        let tokens = EventJSONTokens(providerEventID: event.providerEventID,
                                     occurredAtMicroseconds: StorageEncoding.microseconds(event.occurredAt),
                                     eventKey: event.key, mxHost: event.delivery?.mxHost)
        return compressor.compressor.encode(item.rawJSON, tokens: tokens) { $0.map { Array($0) } } ?? Array(item.rawJSON.utf8)
    }

    /// `emails.status_detail` as this store writes it (a compact JSON array), nil for none.
    package static func statusDetailJSON(_ detail: StatusDetail?) -> String? {
        StorageEncoding.statusDetailJSON(detail)
    }

    /// The status detail read back from ``statusDetailJSON(_:)``'s form.
    package static func statusDetail(json: String?) -> StatusDetail? {
        StorageEncoding.decodeStatusDetail(json)
    }

    /// The reason a suppression entry added by `event` gives (as this store's).
    package static func suppressionReason(kind: SuppressionKind, event: ProviderEvent) -> String {
        SuppressionWriter.reasonText(kind: kind, event: event)
    }

    /// The name the suppression trail gives the provider.
    package static let providerName = SuppressionWriter.providerName

    /// Refuses an event this store would refuse (a NUL character, an impossible time), with the
    /// message of the refusal (``StoreError/invalidValue(_:)``'s).
    package static func refusal(of item: IncomingEvent) -> String? {
        do {
            try StoredValueCheck.check(item)
            return nil
        } catch StoreError.invalidValue(let message) {
            return message
        } catch {
            return String(describing: error)
        }
    }

    /// Milliseconds since 1970 as this store rounds them (`emails.created_at`, suppression times).
    package static func milliseconds(_ date: Date) -> Int64 {
        StorageEncoding.milliseconds(date)
    }

    package static func date(milliseconds: Int64) -> Date {
        StorageEncoding.date(milliseconds: milliseconds)
    }

    /// Microseconds since 1970 as this store rounds them (`events.occurred_at`).
    package static func microseconds(_ date: Date) -> Int64 {
        StorageEncoding.microseconds(date)
    }

    package static func date(microseconds: Int64) -> Date {
        StorageEncoding.date(microseconds: microseconds)
    }

    /// The raw provider JSON of a stored event from its `events.raw_json` bytes and the columns
    /// of its row (a compact value of format 3-5 needs them): compact bytes (``CompactText``, a
    /// first byte 1-5) decoded, anything else read as the UTF-8 text the provider sent.
    /// `decompressor` is reused across the rows of one read.
    ///
    /// - Throws: ``CompactTextError`` for bytes that are not a valid compact value.
    package static func rawJSONText(_ bytes: [UInt8], providerEventID: String, kind: String, storedKey: String,
                                    occurredAtMicroseconds: Int64, mxHost: String?,
                                    decompressor: RawEventDecompressor) throws -> String {
        guard let first = bytes.first, CompactText.Format(rawValue: first) != nil else {
            return String(decoding: bytes, as: UTF8.self)
        }
        let tokens = EventJSONTokens(providerEventID: providerEventID, kind: kind, storedKey: storedKey,
                                     occurredAtMicroseconds: occurredAtMicroseconds, mxHost: mxHost)
        do {
            return try bytes.withUnsafeBytes { try decompressor.decompressor.decode($0, tokens: tokens) }
        } catch let error as CompactText.DecodingError {
            throw CompactTextError(description: error.description)
        }
    }

    /// A stored raw event that does not decode.
    package struct CompactTextError: Error, CustomStringConvertible {
        package var description: String
    }

    /// The position of the provider's reason in `emails.status_detail`'s compact array (for
    /// SQL that reads it: the suppression list's count of emails blocked by the provider).
    package static let statusDetailReasonPosition = StorageEncoding.StatusDetailPosition.reason

    /// One thread's reusable decompressor for ``rawJSONText(_:providerEventID:kind:storedKey:occurredAtMicroseconds:mxHost:decompressor:)``.
    package final class RawEventDecompressor {
        let decompressor = CompactText.Decompressor()

        package init() {}
    }

    /// One thread's reusable compressor for ``rawJSONBytes(_:compressor:)`` (not thread-safe).
    package final class RawEventCompressor {
        let compressor = CompactText.Compressor()

        package init() {}
    }
}
