import Foundation

/// Search text as SQLite's LIKE and FTS5 take it.
enum SearchText {
    /// `%text%` with LIKE's `%`, `_` and the escape character `\` escaped (use with `ESCAPE '\'`).
    static func likePattern(containing text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return "%" + escaped + "%"
    }

    /// One FTS5 phrase (double quotes doubled), so no character of the text is query syntax.
    static func ftsPhrase(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    /// Every trigram of the text as one FTS5 term each, joined by AND: what a `detail = 'none'`
    /// trigram index can answer (it has no positions for a phrase). A superset of the texts
    /// containing `text`; the caller checks the text itself on what it returns.
    static func ftsAllTrigrams(_ text: String) -> String {
        let characters = Array(text)
        guard characters.count >= 3 else { return ftsPhrase(text) }
        var seen = Set<String>()
        var terms: [String] = []
        for start in 0...(characters.count - 3) {
            let term = String(characters[start..<(start + 3)])
            if seen.insert(term.lowercased()).inserted { terms.append(ftsPhrase(term)) }
        }
        return terms.joined(separator: " AND ")
    }

    /// Whether the trigram indexes can answer the text: it needs three characters at least.
    static func trigramUsable(_ text: String) -> Bool {
        text.count >= 3
    }
}
