/// How `events.event_key` is stored from schema v11: without the provider event id and kind
/// that start almost every key (``ProviderEvent/makeKey(providerEventID:kind:recipient:occurredAt:)``
/// writes `ID|KIND|recipient|day`) and that the row holds in its own columns, about 30 of a
/// key's 60 bytes.
///
///     key "ID|KIND|rest" of a row with that id and kind   stored "|rest"
///     any other key starting with "|" or "\"              stored "\" + key
///     any other key                                       stored as it is
///
/// ``key(stored:providerEventID:kind:)`` gives back exactly the key that was stored (a
/// property test checks arbitrary text). Rows written before v11 are rewritten by its
/// migration.
enum StoredEventKey {
    /// The stored form of `key` for a row with `providerEventID` and `kind`.
    static func stored(_ key: String, providerEventID: String, kind: String) -> String {
        let prefixLength = providerEventID.utf8.count + kind.utf8.count + 2
        let utf8 = key.utf8
        if utf8.count >= prefixLength,
           utf8.starts(with: providerEventID.utf8),
           utf8.dropFirst(providerEventID.utf8.count).first == UInt8(ascii: "|"),
           utf8.dropFirst(providerEventID.utf8.count + 1).starts(with: kind.utf8),
           utf8.dropFirst(prefixLength - 1).first == UInt8(ascii: "|") {
            return String(Substring(utf8.dropFirst(prefixLength - 1)))
        }
        if let first = utf8.first, first == UInt8(ascii: "|") || first == UInt8(ascii: "\\") {
            return "\\" + key
        }
        return key
    }

    /// The key whose stored form is `stored` in a row with `providerEventID` and `kind`.
    static func key(stored: String, providerEventID: String, kind: String) -> String {
        switch stored.utf8.first {
        case UInt8(ascii: "|"): providerEventID + "|" + kind + stored
        case UInt8(ascii: "\\"): String(Substring(stored.utf8.dropFirst()))
        default: stored
        }
    }
}
