import Foundation

/// How both stores match filter text against stored text in SQL: the LIKE patterns (with
/// `%`, `_` and the escape character `\` escaped; SQLite says `ESCAPE '\'`, PostgreSQL's
/// default escape is `\`) and the To filter's address conditions.
public enum SearchPattern {
    /// `%text%`: the text anywhere.
    public static func likeContaining(_ text: String) -> String {
        "%" + likeEscaped(text) + "%"
    }

    /// `text%`: values starting with the text.
    public static func likePrefix(_ text: String) -> String {
        likeEscaped(text) + "%"
    }

    /// The text with LIKE's `%`, `_` and `\` escaped by `\`.
    public static func likeEscaped(_ text: String) -> String {
        var escaped = ""
        for character in text {
            if character == "%" || character == "_" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped
    }

    /// The exclusive upper end of the range of addresses (compared byte by byte) that start
    /// with a prefix: `stem <= address < stem + U+10FFFF`.
    public static func prefixUpperBound(_ stem: String) -> String {
        stem + "\u{10FFFF}"
    }

    /// The value a To pattern compares stored addresses with (they are stored lower-cased,
    /// bare): the pattern's text lower-cased.
    public static func storedForm(_ pattern: AddressPattern) -> String {
        switch pattern {
        case .exact(let text), .prefix(let text), .domain(let text), .contains(let text): text.lowercased()
        }
    }
}

extension DomainFailures {
    /// The statuses the breakdown counts for a filter: the three, narrowed by the filter's own
    /// statuses when it chose some (none of the three chosen: nothing to count).
    public static func statuses(for filter: EmailFilter) -> Set<EmailStatus> {
        filter.statuses.isEmpty ? statuses : filter.statuses.intersection(statuses)
    }
}
