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

    /// Whether the trigram indexes can answer the text: it needs three characters at least.
    static func trigramUsable(_ text: String) -> Bool {
        text.count >= 3
    }
}
