/// One column of a table: how narrow it may get, how wide it likes to be, and how
/// soon it is dropped when the terminal is narrow.
public struct ColumnSpec: Sendable, Hashable {
    public var title: String
    public var minWidth: Int
    public var idealWidth: Int
    /// 0 = never dropped; higher numbers are dropped first.
    public var dropOrder: Int
    /// Share of spare columns this column takes (0 = fixed width).
    public var flex: Int

    public init(_ title: String, min: Int, ideal: Int? = nil, dropOrder: Int = 0, flex: Int = 0) {
        self.title = title
        minWidth = min
        idealWidth = ideal ?? min
        self.dropOrder = dropOrder
        self.flex = flex
    }
}

/// Fits columns into a width: drops low-priority columns first, then shares spare
/// columns among the flexible ones.
public enum ColumnLayout {
    /// The width of each column, or nil where the column was dropped.
    public static func fit(_ columns: [ColumnSpec], width: Int, gap: Int = 1) -> [Int?] {
        var active = Set(columns.indices)
        func needed() -> Int {
            active.reduce(0) { $0 + columns[$1].minWidth } + gap * max(0, active.count - 1)
        }
        while needed() > width {
            let droppable = active.filter { columns[$0].dropOrder > 0 }
            guard let victim = droppable.max(by: { columns[$0].dropOrder < columns[$1].dropOrder }) else { break }
            active.remove(victim)
        }
        var widths = columns.indices.map { active.contains($0) ? columns[$0].minWidth : 0 }
        var spare = width - needed()
        // Share spare columns by flex weight, up to each column's ideal width.
        while spare > 0 {
            let growing = columns.indices.filter { active.contains($0) && columns[$0].flex > 0 && widths[$0] < columns[$0].idealWidth }
            guard !growing.isEmpty else { break }
            let weight = growing.reduce(0) { $0 + columns[$1].flex }
            var given = 0
            for index in growing {
                let share = max(1, spare * columns[index].flex / weight)
                let grant = min(share, columns[index].idealWidth - widths[index], spare - given)
                widths[index] += grant
                given += grant
                if given >= spare { break }
            }
            guard given > 0 else { break }
            spare -= given
        }
        // Shrink if even the minimums do not fit (only never-dropped columns remain).
        var overflow = -spare
        for index in columns.indices.reversed() where overflow > 0 && active.contains(index) {
            let cut = min(overflow, max(0, widths[index] - 1))
            widths[index] -= cut
            overflow -= cut
        }
        return columns.indices.map { active.contains($0) ? widths[$0] : nil }
    }
}
