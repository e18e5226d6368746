/// One position of the screen grid.
///
/// A wide (two-column) grapheme occupies its cell with `width == 2`; the cell to its
/// right is a continuation cell with an empty grapheme and `width == 0`.
public struct Cell: Sendable, Hashable {
    /// One grapheme cluster, already neutralised; "" for a continuation cell.
    public var grapheme: String
    /// Display columns: 1, 2 for a wide glyph, 0 for a continuation cell.
    public var width: Int
    public var style: Style

    public init(grapheme: String = " ", width: Int = 1, style: Style = .plain) {
        self.grapheme = grapheme
        self.width = width
        self.style = style
    }

    /// An empty cell.
    public static let blank = Cell()

    /// Whether this cell is the right half of a wide glyph.
    public var isContinuation: Bool { width == 0 }
}
