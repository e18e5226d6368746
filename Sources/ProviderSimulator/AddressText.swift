import AuditCore

/// Fast text helpers for addresses, working on UTF-8 bytes (Foundation's trimming and
/// `Character`-based searches are slow on Linux, and the simulator calls these per recipient).
enum AddressText {
    /// `text` without leading and trailing spaces, tabs and line breaks.
    static func trimmed(_ text: String) -> String {
        trimmed(text[...])
    }

    /// `text` without leading and trailing spaces, tabs and line breaks.
    static func trimmed(_ text: Substring) -> String {
        let utf8 = text.utf8
        guard let first = utf8.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = utf8.lastIndex(where: { !isSpace($0) })!
        return String(text[first...last])
    }

    /// The bare, lower-cased address in a recipient such as `Alice <Alice@Example.net>`
    /// (same rule as `AuditCore.EmailAddress.bare`: the text inside the last `<…>`, if any).
    static func bare(_ recipient: String) -> String {
        let utf8 = recipient.utf8
        if let open = utf8.lastIndex(of: UInt8(ascii: "<")), let close = utf8.lastIndex(of: UInt8(ascii: ">")), open < close {
            return trimmed(recipient[utf8.index(after: open)..<close]).lowercased()
        }
        return trimmed(recipient).lowercased()
    }

    /// The domain part of an address, lower-cased ("" when there is none), like
    /// `AuditCore.EmailAddress.domain(of:)`.
    static func domain(of address: String) -> String {
        let utf8 = address.utf8
        guard let at = utf8.lastIndex(of: UInt8(ascii: "@")) else { return "" }
        return String(address[utf8.index(after: at)...]).lowercased()
    }

    /// The last dot-separated label of a domain.
    static func topLevelDomain(of domain: String) -> Substring {
        let utf8 = domain.utf8
        guard let dot = utf8.lastIndex(of: UInt8(ascii: ".")) else { return domain[...] }
        return domain[utf8.index(after: dot)...]
    }

    /// `EmailAddress.isValid(address)`, answered quickly for the common plain-ASCII case.
    ///
    /// The fast path accepts only addresses that satisfy every rule of `EmailAddress.isValid`
    /// (ASCII local part of allowed characters without leading, trailing or doubled dots;
    /// two or more domain labels of letters, digits and inner hyphens; an alphabetic top-level
    /// label of two or more letters). Anything else is decided by `EmailAddress.isValid` itself,
    /// so the answer is always the same as the core's.
    static func isValid(_ address: String) -> Bool {
        if isPlainlyValid(address) { return true }
        return EmailAddress.isValid(address)
    }

    private static func isPlainlyValid(_ address: String) -> Bool {
        let utf8 = address.utf8
        guard utf8.count <= 254, let at = utf8.firstIndex(of: UInt8(ascii: "@")) else { return false }
        let local = utf8[..<at]
        let domain = utf8[utf8.index(after: at)...]
        guard !local.isEmpty, local.count <= 64, !domain.contains(UInt8(ascii: "@")) else { return false }
        var previous: UInt8 = UInt8(ascii: ".")
        for byte in local {
            guard isLocalByte(byte) else { return false }
            if byte == UInt8(ascii: "."), previous == UInt8(ascii: ".") { return false }
            previous = byte
        }
        guard previous != UInt8(ascii: ".") else { return false }
        var labels = 0
        var labelLength = 0
        var labelFirst: UInt8 = 0
        var labelAllLetters = true
        for byte in domain {
            if byte == UInt8(ascii: ".") {
                guard labelLength > 0, labelLength <= 63, labelFirst != UInt8(ascii: "-"), previous != UInt8(ascii: "-") else { return false }
                labels += 1
                labelLength = 0
                labelAllLetters = true
            } else {
                guard isLetter(byte) || isDigit(byte) || byte == UInt8(ascii: "-") else { return false }
                if labelLength == 0 { labelFirst = byte }
                labelLength += 1
                labelAllLetters = labelAllLetters && isLetter(byte)
            }
            previous = byte
        }
        guard labelLength >= 2, labelLength <= 63, labelFirst != UInt8(ascii: "-"), previous != UInt8(ascii: "-") else { return false }
        return labels >= 1 && labelAllLetters
    }

    private static func isSpace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    private static func isLetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private static func isLocalByte(_ byte: UInt8) -> Bool {
        if isLetter(byte) || isDigit(byte) { return true }
        switch byte {
        case UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"), UInt8(ascii: "+"): return true
        default: return false
        }
    }
}
