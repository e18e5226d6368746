import AuditCore

/// A bounded window of consecutive rows of the newest-first email list.
///
/// Only a few pages around the viewport are held; older and newer pages are loaded
/// with the keyset cursor API as the user scrolls, and pages far from the viewport are
/// dropped, so memory stays flat however many emails match. The selection is held by
/// email id, so reloads never make it jump to another email.
public struct ListWindow: Sendable, Hashable {
    /// The loaded rows, newest first.
    public var rows: [EmailSummary] = []
    /// Position of `rows[0]` in the whole list, when known.
    public var firstPosition: Int? = 0
    /// Whether `rows[0]` is the newest matching email.
    public var atNewest = false
    /// Whether the last row is the oldest matching email.
    public var atOldest = false
    /// The email the selection is on.
    public var selectedID: Int64?
    /// Index of the selected row in `rows`.
    public var cursor = 0
    /// Index in `rows` of the first row in the viewport.
    public var top = 0
    /// Whether a page of older rows is being loaded.
    public var loadingOlder = false
    /// Whether a page of newer rows is being loaded.
    public var loadingNewer = false
    /// Whether the first page for the current filter has arrived.
    public var loaded = false

    public init() {}

    /// The selected row.
    public var selected: EmailSummary? {
        rows.indices.contains(cursor) ? rows[cursor] : nil
    }

    /// Position of the selected row in the whole list, when known.
    public var selectedPosition: Int? {
        firstPosition.map { $0 + cursor }
    }

    // MARK: Moving

    /// Moves the selection by `delta` rows and scrolls so it stays in a viewport of `height` rows.
    public mutating func move(by delta: Int, viewport height: Int) {
        guard !rows.isEmpty else { return }
        cursor = min(max(0, cursor + delta), rows.count - 1)
        selectedID = rows[cursor].id
        scrollToCursor(viewport: height)
    }

    /// Selects the row at `index` (clamped).
    public mutating func select(index: Int, viewport height: Int) {
        guard !rows.isEmpty else { return }
        move(by: index - cursor, viewport: height)
    }

    /// Scrolls the viewport by `delta` rows without moving the selection out of sight.
    public mutating func scroll(by delta: Int, viewport height: Int) {
        guard !rows.isEmpty else { return }
        let maxTop = max(0, rows.count - height)
        top = min(max(0, top + delta), maxTop)
        if cursor < top { cursor = top }
        if cursor >= top + height { cursor = top + height - 1 }
        cursor = min(cursor, rows.count - 1)
        selectedID = rows[cursor].id
    }

    /// Keeps the cursor inside the viewport.
    public mutating func scrollToCursor(viewport height: Int) {
        let h = max(1, height)
        if cursor < top { top = cursor }
        if cursor >= top + h { top = cursor - h + 1 }
        top = max(0, min(top, max(0, rows.count - h)))
        if cursor < top { top = cursor }
    }

    // MARK: Loading

    /// The page loads needed so that at least `margin` rows are loaded beyond each edge of
    /// a viewport of `height` rows (nil when none is needed or one is already in flight).
    func neededPages(margin: Int, viewport height: Int) -> (older: EmailCursor?, newer: EmailCursor?) {
        guard loaded, !rows.isEmpty else { return (nil, nil) }
        var older: EmailCursor?, newer: EmailCursor?
        if !atOldest, !loadingOlder, rows.count - (top + height) < margin { older = rows[rows.count - 1].cursor }
        if !atNewest, !loadingNewer, top < margin { newer = rows[0].cursor }
        return (older, newer)
    }

    /// Replaces the rows with the first (newest) page.
    mutating func replaceWithFirst(_ page: [EmailSummary], limit: Int, viewport height: Int) {
        let previous = selectedID
        rows = page
        firstPosition = 0
        atNewest = true
        atOldest = page.count < limit
        loaded = true
        loadingOlder = false
        loadingNewer = false
        if let previous, let index = page.firstIndex(where: { $0.id == previous }) {
            cursor = index
        } else {
            cursor = 0
            top = 0
        }
        selectedID = rows.isEmpty ? nil : rows[cursor].id
        scrollToCursor(viewport: height)
    }

    /// Replaces the rows with the last (oldest) page and selects the oldest row.
    mutating func replaceWithLast(_ page: [EmailSummary], limit: Int, total: Int?, viewport height: Int) {
        rows = page
        atOldest = true
        atNewest = page.count < limit
        firstPosition = atNewest ? 0 : total.map { max(0, $0 - page.count) }
        loaded = true
        loadingOlder = false
        loadingNewer = false
        cursor = max(0, rows.count - 1)
        selectedID = rows.isEmpty ? nil : rows[cursor].id
        top = max(0, rows.count - height)
    }

    /// Appends older rows, then drops rows from the top beyond `maxRows`.
    mutating func appendOlder(_ page: [EmailSummary], limit: Int, maxRows: Int, viewport height: Int) {
        loadingOlder = false
        let known = Set(rows.map(\.id))
        rows.append(contentsOf: page.filter { !known.contains($0.id) })
        if page.count < limit { atOldest = true }
        let excess = rows.count - maxRows
        if excess > 0 {
            let drop = min(excess, top)
            if drop > 0 {
                rows.removeFirst(drop)
                cursor -= drop
                top -= drop
                firstPosition = firstPosition.map { $0 + drop }
                atNewest = false
            }
        }
    }

    /// Prepends newer rows (given newest first), then drops rows from the bottom beyond `maxRows`.
    mutating func prependNewer(_ page: [EmailSummary], limit: Int, maxRows: Int, viewport height: Int) {
        loadingNewer = false
        let known = Set(rows.map(\.id))
        let fresh = page.filter { !known.contains($0.id) }
        rows.insert(contentsOf: fresh, at: 0)
        cursor += fresh.count
        top += fresh.count
        if let first = firstPosition { firstPosition = max(0, first - fresh.count) }
        if page.count < limit {
            atNewest = true
            firstPosition = 0
        }
        let excess = rows.count - maxRows
        if excess > 0 {
            let keep = max(top + height, cursor + 1)
            let drop = min(excess, rows.count - keep)
            if drop > 0 {
                rows.removeLast(drop)
                atOldest = false
            }
        }
    }

    /// Replaces the rows with a reloaded window, holding the selection on the same email.
    mutating func replaceWithReload(_ page: [EmailSummary], fromNewest: Bool, limit: Int, viewport height: Int) {
        let oldOffset = cursor - top
        let wasAtTop = top == 0 && atNewest
        let oldCursor = cursor
        rows = page
        loaded = true
        atOldest = page.count < limit
        if fromNewest {
            atNewest = true
            firstPosition = 0
        }
        guard !rows.isEmpty else {
            cursor = 0
            top = 0
            selectedID = nil
            return
        }
        if let id = selectedID, let index = rows.firstIndex(where: { $0.id == id }) {
            cursor = index
        } else {
            cursor = min(oldCursor, rows.count - 1)
        }
        selectedID = rows[cursor].id
        top = wasAtTop ? 0 : max(0, cursor - oldOffset)
        scrollToCursor(viewport: height)
    }
}
