/// The raiser's and the domain's keys in the Subject search index (schema version 16): the
/// index (`emails_subject_trigram`, trigram tokenizer) holds each email's subject followed by
/// two three-character runs of its own, one naming the staff member who raised the email and
/// one naming the domain of its address, so that a Subject search beside Raised by or
/// `*@domain` can ask the index for the text and the key at once (``SubjectRangeWalk``).
///
/// Each key is U+0001 followed by two characters of the supplementary private use area: the
/// raiser's in U+F0000–U+F7FFF, the domain's in U+F8000–U+FFFFD. A subject holds neither U+0001
/// nor those characters in practice, and a key begins with U+0001, so no trigram of a subject
/// equals a key; were one to, the match would only return more candidates, which every plan
/// checks by LIKE and by the filter's own columns. The same holds for two raisers or two
/// domains sharing a key (raiser ids past 32,766², folded; domains are keyed by hashes of their
/// length and first six characters and of their last six): more candidates, never fewer.
///
/// The SQL that writes the index (``indexedText(_:)``) and the Swift that reads it (``raiser(_:)``,
/// ``domain(_:)``) must agree: `SchemaV16MigrationTests` checks them against each other.
enum SubjectSearchKeys {
    /// The first character of every key.
    static let mark: Unicode.Scalar = "\u{1}"
    /// The first code point of the raisers' characters.
    static let raiserBase: UInt32 = 0xF0000
    /// The first code point of the domains' characters.
    static let domainBase: UInt32 = 0xF8000
    /// How many values each character of a key takes (15 bits; the domains' end before U+FFFFE).
    static let radix: Int64 = 32_766

    /// The key of the staff member with id `raisedByID`.
    static func raiser(_ raisedByID: Int64) -> String {
        let value = ((raisedByID % (radix * radix)) + radix * radix) % (radix * radix)
        return key(base: raiserBase, high: value / radix, low: value % radix)
    }

    /// The key of `domain`, as `emails.to_domain` holds it (a page's domain filter is lowercased
    /// the same way as its index range): one character hashes its length and first six
    /// characters, the other its last six.
    static func domain(_ domain: String) -> String {
        let scalars = Array(domain.unicodeScalars)
        // As SQLite's unicode(substr(d, i, 1)): 1-based from the start, negative from the end; 0 past either.
        func at(_ position: Int) -> Int64 {
            let index = position > 0 ? position - 1 : scalars.count + position
            return scalars.indices.contains(index) ? Int64(scalars[index].value) : 0
        }
        func hash(_ values: [Int64]) -> Int64 { values.reduce(0) { ($0 * 131 + $1) % radix } }
        return key(base: domainBase, high: hash([Int64(scalars.count)] + domainHead.map(at)), low: hash(domainTail.map(at)))
    }

    /// The characters of a domain its key's two characters hash (the first with the domain's length).
    private static let domainHead = [1, 2, 3, 4, 5, 6]
    private static let domainTail = [-6, -5, -4, -3, -2, -1]

    private static func key(base: UInt32, high: Int64, low: Int64) -> String {
        var text = String(mark)
        text.unicodeScalars.append(Unicode.Scalar(base + UInt32(high))!)
        text.unicodeScalars.append(Unicode.Scalar(base + UInt32(low))!)
        return text
    }

    /// The SQL of the text the index holds for the row `row` (`new`, `old` or a table alias):
    /// its subject, then its raiser's key, then its domain's key.
    static func indexedText(_ row: String) -> String {
        let r = "\(row).raised_by_id", d = "\(row).to_domain"
        let square = radix * radix
        let raiser = "(\(r) % \(square) + \(square)) % \(square)"
        func hash(_ values: [String]) -> String { values.reduce("0") { "((\($0)) * 131 + \($1)) % \(radix)" } }
        func at(_ position: Int) -> String { "coalesce(unicode(substr(\(d), \(position), 1)), 0)" }
        return """
            \(row).subject || char(1, \(raiserBase) + \(raiser) / \(radix), \(raiserBase) + \(raiser) % \(radix), \
            1, \(domainBase) + \(hash(["length(\(d))"] + domainHead.map(at))), \(domainBase) + \(hash(domainTail.map(at))))
            """
    }
}
