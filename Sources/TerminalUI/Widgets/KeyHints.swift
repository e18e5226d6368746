/// The bottom hint bar: the most useful keys of the current context, generated from
/// ``KeyTable``, shortened on narrow terminals. Clicking a hint presses its key.
public struct KeyHints: Widget {
    public var context: KeyContext

    public init(context: KeyContext) {
        self.context = context
    }

    /// A hint and the columns it occupies.
    public struct Placed: Sendable, Hashable {
        public var binding: KeyBinding
        public var columns: Range<Int>
    }

    /// Picks the hints that fit in `width` (most important first) and places them in table order.
    public static func place(_ hints: [KeyBinding], width: Int) -> [Placed] {
        var chosen: [KeyBinding] = []
        var used = 1
        for hint in hints {
            let w = itemWidth(hint) + (chosen.isEmpty ? 0 : 2)
            if used + w <= width {
                chosen.append(hint)
                used += w
            }
        }
        let order = KeyTable.bindings
        chosen.sort { (order.firstIndex(of: $0) ?? 0) < (order.firstIndex(of: $1) ?? 0) }
        if chosen.count < hints.count, let help = chosen.firstIndex(where: { $0.command == .help }) {
            // Some keys did not fit: Help lists them all.
            chosen[help].hintLabel = "more"
        }
        var placed: [Placed] = []
        var x = 1
        for hint in chosen {
            let w = itemWidth(hint)
            placed.append(Placed(binding: hint, columns: x..<(x + w)))
            x += w + 2
        }
        return placed
    }

    static func itemWidth(_ hint: KeyBinding) -> Int {
        DisplayWidth.of(hint.hintKey ?? "") + 1 + DisplayWidth.of(hint.hintLabel ?? "")
    }

    public func render(into buffer: inout Buffer, area: Rect) {
        buffer.fill(area.row(0), style: Style(.hintLabel))
        for item in KeyHints.place(KeyTable.hints(in: context), width: area.width) {
            let x = area.x + item.columns.lowerBound
            let keyWidth = buffer.put(item.binding.hintKey ?? "", x: x, y: area.y, style: Style(.hintKey, bold: true))
            buffer.put(" " + (item.binding.hintLabel ?? ""), x: x + keyWidth, y: area.y,
                       width: item.columns.count - keyWidth, style: Style(.hintLabel))
        }
    }
}
