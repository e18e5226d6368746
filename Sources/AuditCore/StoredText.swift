import Foundation

/// The rules for text from outside on its way into the store, decided once for every text
/// column.
///
/// - A NUL character (U+0000) is refused: SQLite text and C strings end at it, so a value
///   holding one would be stored cut while lookups use the whole value. Callers report it as
///   a line/field error (ingest) or an invalid value (the store).
/// - Identity text (message id, recipient, event id) longer than ``identityLimit`` is refused:
///   cutting it would make different values collapse.
/// - Descriptive text (subject, provider messages, links) is cut to a limit with a visible
///   mark, ``cutMark(_:)``, so a 10 MB subject cannot slow every screen that shows it. The raw
///   event is always kept whole.
public enum StoredText {
    /// The longest identity value accepted, in Unicode scalars.
    public static let identityLimit = 1_000
    /// The longest subject, sender or To header kept.
    public static let headerLimit = 1_000
    /// The longest provider message, description, reason or link kept.
    public static let detailLimit = 2_000

    /// Whether `text` contains a NUL character.
    public static func containsNUL(_ text: String) -> Bool {
        if let found = text.utf8.withContiguousStorageIfAvailable({ bytes -> Bool in
            guard let base = bytes.baseAddress, bytes.count > 0 else { return false }
            return memchr(base, 0, bytes.count) != nil
        }) {
            return found
        }
        return text.utf8.contains(0)
    }

    /// The mark appended to a value that was cut, naming how many characters were removed.
    public static func cutMark(_ removed: Int) -> String {
        "… (cut: \(removed) characters)"
    }

    /// `text` when it has at most `limit` Unicode scalars, else its first `limit` scalars
    /// followed by ``cutMark(_:)``. Linear in the length of `text`.
    public static func capped(_ text: String, limit: Int) -> String {
        // Fast path: a value this short in bytes is short in scalars too.
        if text.utf8.count <= limit { return text }
        let scalars = text.unicodeScalars
        guard let end = scalars.index(scalars.startIndex, offsetBy: limit, limitedBy: scalars.endIndex),
              end != scalars.endIndex else { return text }
        let removed = scalars.distance(from: end, to: scalars.endIndex)
        return String(scalars[..<end]) + cutMark(removed)
    }

    /// Like ``capped(_:limit:)`` for an optional value.
    public static func capped(_ text: String?, limit: Int) -> String? {
        text.map { capped($0, limit: limit) }
    }
}
