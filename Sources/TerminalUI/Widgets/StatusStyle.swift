import AuditCore

extension EmailStatus {
    /// The style role of the status's tone: ok, warning, error or muted.
    public var role: StyleRole {
        switch tone {
        case .ok: .ok
        case .warning: .warning
        case .error: .error
        case .muted: .muted
        }
    }

    /// The status word in its tone's style (bold for errors, so monochrome still stands out).
    public var style: Style {
        Style(role, bold: tone == .error)
    }
}

/// Numbers with thousands separators ("1,234,567"), independent of the locale.
enum Count {
    static func text(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (index, character) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(character)
        }
        return value < 0 ? "-" + out : out
    }
}
