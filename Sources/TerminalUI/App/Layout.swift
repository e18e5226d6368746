/// Where things sit on the full screens (Email Audit, Unit Search, empty store).
///
/// Shared by ``view(_:)`` and ``update(_:_:)`` so that mouse clicks land on what is drawn.
public struct ScreenLayout: Sendable, Hashable {
    public var size: TerminalSize

    public init(size: TerminalSize) {
        self.size = size
    }

    /// The header line.
    public var headerRow: Int { 0 }
    /// The filter bar (or the sub-title on other screens).
    public var filterRow: Int { 1 }
    /// The column headings.
    public var columnsRow: Int { 2 }
    /// The rows of the list.
    public var listArea: Rect { Rect(x: 0, y: 3, width: size.width, height: max(1, size.height - 5)) }
    /// The status line.
    public var statusRow: Int { size.height - 2 }
    /// The hint bar.
    public var hintRow: Int { size.height - 1 }

    /// Rows in the list viewport.
    public var listHeight: Int { listArea.height }

    /// The View pop-up, centred over the list, leaving the header and the hint bar visible.
    public var popupRect: Rect {
        let width = overlayWidth(max: 118)
        return Rect(x: (size.width - width) / 2, y: 1, width: width, height: size.height - 2)
    }

    /// The help overlay.
    public var helpRect: Rect {
        let width = overlayWidth(max: 96)
        return Rect(x: (size.width - width) / 2, y: 1, width: width, height: size.height - 2)
    }

    /// Overlays use the full width on narrow terminals and leave a margin on wide ones.
    func overlayWidth(max limit: Int) -> Int {
        size.width <= 100 ? size.width : min(size.width - 4, limit)
    }
}
