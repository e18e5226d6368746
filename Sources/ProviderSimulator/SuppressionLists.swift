import AuditCore

/// Mailgun's per-domain suppression lists (bounces, complaints, unsubscribes) as the
/// simulator keeps them. Each entry takes effect at the time of the event that caused it,
/// so an entry created by a future event is not visible yet.
struct SuppressionLists: Sendable {
    /// Address → kind → when it took effect (microseconds).
    private(set) var entries: [String: [SuppressionKind: Int64]] = [:]
    /// How long an entry stays in force (microseconds), or nil for until it is removed.
    let lifetime: Int64?

    /// Empty lists whose entries last `lifetime` microseconds (nil: until removed).
    init(lifetime: Int64? = nil) {
        self.lifetime = lifetime
    }

    /// Lists restored from saved entries.
    init(entries: [String: [SuppressionKind: Int64]], lifetime: Int64? = nil) {
        self.entries = entries
        self.lifetime = lifetime
    }

    /// Whether an entry that took effect at `since` is in force at `micros`.
    private func inForce(since: Int64, at micros: Int64) -> Bool {
        guard since <= micros else { return false }
        guard let lifetime else { return true }
        return micros - since < lifetime
    }

    /// Records an entry, keeping the earlier time if the address is already listed and that
    /// entry is still in force at `micros` (an entry that has lapsed is replaced).
    mutating func add(_ address: String, kind: SuppressionKind, at micros: Int64) {
        if let existing = entries[address]?[kind], existing <= micros, inForce(since: existing, at: micros) { return }
        entries[address, default: [:]][kind] = micros
    }

    /// The list `address` is on at `micros`; bounces take precedence over complaints, and
    /// complaints over unsubscribes.
    func kind(of address: String, at micros: Int64) -> SuppressionKind? {
        guard let kinds = entries[address] else { return nil }
        for kind in [SuppressionKind.bounce, .complaint, .unsubscribe] {
            if let since = kinds[kind], inForce(since: since, at: micros) { return kind }
        }
        return nil
    }

    /// Removes the entries for `address` that have taken effect by `micros` (entries that
    /// later events will create are kept: those events have not happened yet).
    mutating func remove(_ address: String, at micros: Int64) {
        guard let kinds = entries[address] else { return }
        let remaining = kinds.filter { $0.value > micros }
        entries[address] = remaining.isEmpty ? nil : remaining
    }
}
