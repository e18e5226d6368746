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

