import AuditCore

/// The account picker (`A`, support users): the accounts and the highlighted one.
public struct AccountPickerState: Sendable, Hashable {
    public var accounts: [Account]
    public var selected: Int
    public init(accounts: [Account], selected: Int = 0) {
        self.accounts = accounts
        self.selected = selected
    }
}

/// The suppression list screen (`S`).
public struct SuppressionListState: Sendable, Hashable {
    /// The entries once loaded, newest first.
    public var entries: [SuppressionEntry]?
    /// Index of the selected entry.
    public var selected: Int
    /// First row shown.
    public var top: Int
    /// The selected entry's trail, once loaded (`h` shows it under the list).
    public var history: [SuppressionHistoryItem]?
    /// The address the trail is for.
    public var historyAddress: String?

    public init(entries: [SuppressionEntry]? = nil, selected: Int = 0, top: Int = 0) {
        self.entries = entries
        self.selected = selected
        self.top = top
    }

    /// The selected entry, if any.
    public var selectedEntry: SuppressionEntry? {
        guard let entries, entries.indices.contains(selected) else { return nil }
        return entries[selected]
    }
}

/// What the suppression pop-up asks for.
public enum SuppressionChange: Sendable, Hashable {
    /// `r`: ask support to remove the entry, with a note.
    case request
    /// `D`: remove the entry (support), with a reason, confirmed by a second Enter.
    case remove
}

/// The pop-up that takes the note or reason for a suppression change.
public struct SuppressionPromptState: Sendable, Hashable {
    public var change: SuppressionChange
    public var address: String
    /// The note or reason typed.
    public var text: String
    /// Whether the first Enter was pressed on a removal (the next one removes).
    public var confirming: Bool
    /// Whether the change was sent to the store and the answer is awaited.
    public var sending: Bool

    public init(change: SuppressionChange, address: String, text: String = "", confirming: Bool = false, sending: Bool = false) {
        self.change = change
        self.address = address
        self.text = text
        self.confirming = confirming
        self.sending = sending
    }
}
