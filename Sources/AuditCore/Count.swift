/// Numbers with thousands separators ("1,234,567"), independent of the locale: the status
/// line, progress bars, export headings and CLI messages all write counts this way.
public enum Count {
    /// `value` with a comma between each group of three digits.
    public static func text(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }
}
