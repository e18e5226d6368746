import AuditCore
import Foundation

/// Search text as SQLite's LIKE and FTS5 take it.
enum SearchText {
    /// `%text%` with LIKE's `%`, `_` and the escape character `\` escaped (use with `ESCAPE '\'`).
    static func likePattern(containing text: String) -> String {
        SearchPattern.likeContaining(text)
    }

    /// One FTS5 phrase (double quotes doubled), so no character of the text is query syntax.
    static func ftsPhrase(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// The distinct trigrams of the text (compared without case, as the trigram indexes fold
    /// it), each with the offset in characters where it first starts.
    static func trigrams(_ text: String) -> [(offset: Int, text: String)] {
        let characters = Array(text)
        guard characters.count >= 3 else { return [] }
        var seen = Set<String>()
        var result: [(offset: Int, text: String)] = []
        for start in 0...(characters.count - 3) {
            let term = String(characters[start..<(start + 3)])
            if seen.insert(term.lowercased()).inserted { result.append((start, term)) }
        }
        return result
    }

    /// Whether the trigram indexes can answer the text: it needs three characters at least.
    static func trigramUsable(_ text: String) -> Bool {
        text.count >= 3
    }
}
