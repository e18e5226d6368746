import Foundation

/// Checks and splits email addresses.
public enum EmailAddress {
    /// Whether `text` is a plausible single address: one "@", a non-empty local part,
    /// a dotted domain of letters, digits and hyphens, and no spaces or control characters.
    public static func isValid(_ text: String) -> Bool {
        let parts = text.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64, text.count <= 254 else { return false }
        let local = parts[0], domain = parts[1]
        guard local.unicodeScalars.allSatisfy({ localAllowed.contains($0) }),
              !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else { return false }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard !label.isEmpty, label.count <= 63, !label.hasPrefix("-"), !label.hasSuffix("-"),
                  label.unicodeScalars.allSatisfy({ labelAllowed.contains($0) }) else { return false }
        }
        return labels.last!.count >= 2 && labels.last!.allSatisfy(\.isLetter)
    }

    private static let localAllowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.!#$%&'*+/=?^_`{|}~-")
    private static let labelAllowed = CharacterSet(charactersIn: "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-")

    /// The domain part, lower-cased ("" when there is none).
    public static func domain(of address: String) -> String {
        guard let at = address.lastIndex(of: "@") else { return "" }
        return address[address.index(after: at)...].lowercased()
    }

    /// The bare address from a header value such as `"Alice <alice@example.net>"`, lower-cased.
    public static func bare(_ header: String) -> String {
        // Fast path: already a bare, lower-case address (the common case on ingest).
        if let first = header.utf8.first, let last = header.utf8.last, first > 0x20, last > 0x20,
           !header.utf8.contains(where: { $0 == UInt8(ascii: "<") || (0x41...0x5A).contains($0) }) {
            return header
        }
        if let open = header.lastIndex(of: "<"), let close = header.lastIndex(of: ">"), open < close {
            return header[header.index(after: open)..<close].trimmingCharacters(in: .whitespaces).lowercased()
        }
        return header.trimmingCharacters(in: .whitespaces).lowercased()
    }
}
