/// A key press (or mouse event) decoded by the backend.
public enum Key: Sendable, Hashable {
    /// A printable character, including space.
    case character(Character)
    /// A control chord such as Ctrl-C (`.control("c")`) or Ctrl-L.
    case control(Character)
    case up, down, left, right
    case pageUp, pageDown, home, end
    case enter, escape, tab
    /// Shift-Tab.
    case backTab
    case backspace, delete
    /// A function key, F1 to F12.
    case function(Int)
    /// A mouse event.
    case mouse(MouseEvent)

    /// A short human name, as shown in help ("Enter", "PgDn", "Ctrl-C", "F5").
    public var name: String {
        switch self {
        case .character(" "): "Space"
        case .character(let c): String(c)
        case .control(let c): "Ctrl-" + String(c).uppercased()
        case .up: "↑"
        case .down: "↓"
        case .left: "←"
        case .right: "→"
        case .pageUp: "PgUp"
        case .pageDown: "PgDn"
        case .home: "Home"
        case .end: "End"
        case .enter: "Enter"
        case .escape: "Esc"
        case .tab: "Tab"
        case .backTab: "Shift-Tab"
        case .backspace: "Backspace"
        case .delete: "Del"
        case .function(let n): "F\(n)"
        case .mouse: "Mouse"
        }
    }
}

/// A mouse event at a cell.
public struct MouseEvent: Sendable, Hashable {
    /// What the mouse did.
    public enum Kind: Sendable, Hashable {
        case click, doubleClick, wheelUp, wheelDown
    }

    public var kind: Kind
    /// Column, from 0 at the left.
    public var x: Int
    /// Row, from 0 at the top.
    public var y: Int

    public init(kind: Kind, x: Int, y: Int) {
        self.kind = kind
        self.x = x
        self.y = y
    }
}
