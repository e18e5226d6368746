/// What a key does, independent of which key it was.
public enum Command: Sendable, Hashable {
    case moveUp, moveDown, pageUp, pageDown, first, last
    case open, back, quit, quitNow
    case nextField, previousField
    case focusTo, focusSubject, focusStatus, focusRaisedBy, focusDateRange, clearFilters
    /// Empties the text typed in the filter field being edited.
    case clearText
    /// The per-domain breakdown of failures for the filter.
    case domainBreakdown
    /// Breakdown: filter To to the selected domain.
    case showDomain
    case unitSearch, showAddress
    /// Date range: All dates, in one key.
    case allDates
    /// Show or hide the list's Id column.
    case toggleIDColumn
    /// Status: the Problems preset, in one key.
    case problems
    case apply, toggle
    /// Open the focused filter field.
    case openField
    /// Custom dates: step the date in the active box (handled before the table is consulted).
    case adjustDate
    case help, refresh, redraw
    case exportExcel, exportPDF
    /// Support users: choose the account (`A`).
    case chooseAccount
    /// The suppression list (`S`).
    case suppressionList
    /// Suppression list: ask support to remove the entry (`r`), remove it (`D`, support), its trail (`h`).
    case requestRemoval, removeSuppression, showHistory
    /// The Workbench (`w`).
    case workbench
    /// Workbench: mark the selected notification read (`m`), all of them (`M`), the preferences pane (`p`).
    case markRead, markAllRead, editPreferences
    /// Preferences pane: the highlighted setting's next or previous value (← →).
    case adjustValue
    /// View: resend the email as a new one (`R`).
    case resend
    /// View: go to the linked email (the original of a resend, else its latest resend).
    case followResendLink
}

/// Where a key was pressed; each binding applies in some contexts.
public enum KeyContext: Sendable, Hashable, CaseIterable {
    /// The Email Audit list has the focus.
    case list
    /// A filter field is being edited (typed characters go into it).
    case filter
    /// A filter field has the focus but is closed (Tab moved to it).
    case filterBar
    /// The View pop-up is open.
    case popup
    /// Unit Search is open.
    case unitSearch
    /// The per-domain breakdown pop-up is open.
    case domains
    /// Help is open.
    case help
    /// The empty-store screen.
    case emptyStore
    /// The export pop-up (typed characters go into the file name).
    case exportDialog
    /// The account picker (support users).
    case accountPicker
    /// The suppression list.
    case suppressionList
    /// The note or reason for a suppression change (typed characters go into it).
    case suppressionPrompt
    /// The Workbench: the Email Notification widget and the notifications.
    case workbench
    /// The notification preferences pane.
    case preferences
    /// The resend pop-up (typed characters go into the To).
    case resendPrompt
    /// The resend pop-up asking whether to update the contacts that use the old address (y/n).
    case resendQuestion
    /// The resend pop-up showing why nothing was sent (a suppressed address).
    case resendRefused
}

/// The groups of the help screen, in order.
public enum KeyGroup: String, Sendable, Hashable, CaseIterable {
    case moving = "Moving"
    case filters = "Filters"
    case editing = "While editing a filter"
    case viewing = "Viewing"
    case exporting = "Exporting"
    case suppressions = "Accounts and suppressions"
    case notifications = "Workbench and notifications"
    case general = "General"
}

/// One row of the key table: keys, the command, and the words for help and the hint bar.
public struct KeyBinding: Sendable, Hashable {
    public var keys: [Key]
    public var command: Command
    public var contexts: Set<KeyContext>
    public var group: KeyGroup
    /// The keys as help shows them ("↓/j").
    public var keyLabel: String
    /// What the keys do, for help.
    public var help: String
    /// The key as the hint bar shows it ("Enter"), when the binding has a hint.
    public var hintKey: String?
    /// The word after the key in the hint bar ("View").
    public var hintLabel: String?
    /// Lower numbers stay in the hint bar longer on narrow terminals.
    public var hintPriority: Int

    public init(_ keys: [Key], _ command: Command, in contexts: Set<KeyContext>, group: KeyGroup,
                keyLabel: String, help: String, hint: (key: String, label: String)? = nil, priority: Int = 50) {
        self.keys = keys
        self.command = command
        self.contexts = contexts
        self.group = group
        self.keyLabel = keyLabel
        self.help = help
        hintKey = hint?.key
        hintLabel = hint?.label
        hintPriority = priority
    }
}

/// The one key table. It drives key handling, the bottom hint bar and the help screen.
public enum KeyTable {
    static let browsing: Set<KeyContext> = [.list, .popup, .unitSearch, .domains, .help, .suppressionList, .accountPicker,
                                            .workbench, .preferences]
    static let closable: Set<KeyContext> = [.popup, .unitSearch, .domains, .help, .suppressionList, .accountPicker, .workbench]
    static let everywhereButTyping: Set<KeyContext> = [.list, .popup, .unitSearch, .domains, .help, .emptyStore, .filterBar,
                                                        .suppressionList, .accountPicker, .workbench, .preferences]

    /// Every binding, in help order.
    public static let bindings: [KeyBinding] = [
        // Moving
        KeyBinding([.down, .character("j")], .moveDown, in: browsing, group: .moving,
                   keyLabel: "↓ / j", help: "Move down (scroll in View and Help)", hint: ("↑↓", "Move"), priority: 40),
        KeyBinding([.up, .character("k")], .moveUp, in: browsing, group: .moving,
                   keyLabel: "↑ / k", help: "Move up"),
        KeyBinding([.pageDown], .pageDown, in: browsing, group: .moving, keyLabel: "PgDn", help: "Page down"),
        KeyBinding([.pageUp], .pageUp, in: browsing, group: .moving, keyLabel: "PgUp", help: "Page up"),
        KeyBinding([.home, .character("g")], .first, in: browsing, group: .moving,
                   keyLabel: "Home / g", help: "First row (newest email) or top"),
        KeyBinding([.end, .character("G")], .last, in: browsing, group: .moving,
                   keyLabel: "End / G", help: "Last row (oldest email) or bottom"),
        // Filters
        KeyBinding([.tab], .nextField, in: [.list, .filter, .filterBar], group: .filters,
                   keyLabel: "Tab", help: "Next filter field, then the list", hint: ("Tab", "Filters"), priority: 30),
        KeyBinding([.backTab], .previousField, in: [.list, .filter, .filterBar], group: .filters,
                   keyLabel: "Shift-Tab", help: "Previous filter field"),
        KeyBinding([.enter, .character(" "), .down], .openField, in: [.filterBar], group: .filters,
                   keyLabel: "Enter/Space", help: "Open the filter field Tab moved to", hint: ("Enter", "Open"), priority: 10),
        KeyBinding([.escape], .back, in: [.filterBar], group: .filters,
                   keyLabel: "Esc", help: "Leave the filter bar for the list", hint: ("Esc", "List"), priority: 13),
        KeyBinding([.character("r")], .focusRaisedBy, in: [.list, .filterBar], group: .filters,
                   keyLabel: "r", help: "Raised by: pick a person (type to narrow)", hint: ("r", "Raised by"), priority: 24),
        KeyBinding([.character("s")], .focusStatus, in: [.list, .filterBar], group: .filters,
                   keyLabel: "s", help: "Status: tick one or more of the ten", hint: ("s", "Status"), priority: 20),
        KeyBinding([.character("/")], .focusTo, in: [.list, .filterBar], group: .filters,
                   keyLabel: "/", help: "To: an address, smith*, *@domain, *part*, or <message-id> to view that email",
                   hint: ("/", "To"), priority: 22),
        KeyBinding([.character("t")], .focusSubject, in: [.list, .filterBar], group: .filters,
                   keyLabel: "t", help: "Subject: the subject contains this text", hint: ("t", "Subject"), priority: 25),
        KeyBinding([.character("d")], .focusDateRange, in: [.list, .filterBar], group: .filters,
                   keyLabel: "d", help: "Date range (Today, Last 7 days, ... or custom dd/mm/yyyy)", hint: ("d", "Dates"), priority: 23),
        KeyBinding([.character("P")], .problems, in: [.list, .filterBar], group: .filters,
                   keyLabel: "P", help: "Problems: Failed, Complained, Rejected and Unsubscribed (keep the other filters; also in the Status list)"),
        KeyBinding([.character("D")], .domainBreakdown, in: [.list], group: .filters,
                   keyLabel: "D", help: "Failures per recipient domain for the filter (Enter filters To to the domain)"),
        KeyBinding([.character("a")], .allDates, in: [.list], group: .filters,
                   keyLabel: "a", help: "All dates (keep the other filters)"),
        KeyBinding([.character("c")], .clearFilters, in: [.list], group: .filters,
                   keyLabel: "c", help: "Clear the filters (anyone, all statuses, today)", hint: ("c", "Clear"), priority: 26),
        // Editing a filter field
        KeyBinding([.enter], .apply, in: [.filter], group: .editing,
                   keyLabel: "Enter", help: "Apply (Status: only the highlighted one, unless ticked with Space)",
                   hint: ("Enter", "Apply"), priority: 10),
        KeyBinding([.character(" ")], .toggle, in: [.filter], group: .editing,
                   keyLabel: "Space", help: "Status: tick or untick the highlighted status", hint: ("Space", "Tick"), priority: 12),
        KeyBinding([.down], .moveDown, in: [.filter], group: .editing, keyLabel: "↓", help: "Next choice",
                   hint: ("↑↓", "Choose"), priority: 11),
        KeyBinding([.up], .moveUp, in: [.filter], group: .editing, keyLabel: "↑", help: "Previous choice"),
        KeyBinding([.left, .right], .adjustDate, in: [.filter], group: .editing,
                   keyLabel: "← → PgUp/Dn", help: "Custom dates: a day earlier or later, a month earlier or later (↓ ↑ switch From and To)"),
        KeyBinding([.escape], .back, in: [.filter], group: .editing,
                   keyLabel: "Esc", help: "Cancel the edit, back to the list", hint: ("Esc", "Cancel"), priority: 13),
        KeyBinding([.control("u")], .clearText, in: [.filter], group: .editing,
                   keyLabel: "Ctrl-U", help: "Empty what was typed (Raised by, To, Subject, a custom date box)"),
        // Viewing
        KeyBinding([.enter, .character("v")], .open, in: [.list], group: .viewing,
                   keyLabel: "Enter / v", help: "View the selected email", hint: ("Enter", "View"), priority: 10),
        KeyBinding([.character("i")], .toggleIDColumn, in: [.list], group: .viewing,
                   keyLabel: "i", help: "Show or hide the Id column (the number `show` takes)"),
        KeyBinding([.character("u")], .unitSearch, in: [.list, .popup], group: .viewing,
                   keyLabel: "u", help: "Unit Search for the email's address", hint: ("u", "Units"), priority: 15),
        KeyBinding([.character("R")], .resend, in: [.popup], group: .viewing,
                   keyLabel: "R", help: "View: resend the email as a new one (same content; To editable, a changed To offers to update the contacts)",
                   hint: ("R", "Resend"), priority: 16),
        KeyBinding([.enter], .followResendLink, in: [.popup], group: .viewing,
                   keyLabel: "Enter", help: "View: open the linked email (\"Resend of #M\" or \"Resent as #N\")"),
        KeyBinding([.enter], .apply, in: [.resendPrompt], group: .viewing,
                   keyLabel: "Enter", help: "Resend: send to the To shown (a malformed address is refused; nothing is recorded)",
                   hint: ("Enter", "Resend"), priority: 10),
        KeyBinding([.escape], .back, in: [.resendPrompt], group: .viewing,
                   keyLabel: "Esc", help: "Resend: cancel, nothing is sent", hint: ("Esc", "Cancel"), priority: 11),
        KeyBinding([.character("y")], .apply, in: [.resendQuestion], group: .viewing,
                   keyLabel: "y", help: "Resend to a changed To: also update the contacts that used the old address",
                   hint: ("y", "Update contacts"), priority: 10),
        KeyBinding([.character("n")], .apply, in: [.resendQuestion], group: .viewing,
                   keyLabel: "n", help: "Resend to a changed To: leave the contacts as they are",
                   hint: ("n", "Resend only"), priority: 11),
        KeyBinding([.escape], .back, in: [.resendQuestion], group: .viewing,
                   keyLabel: "Esc", help: "Resend: back to the To box", hint: ("Esc", "Back"), priority: 12),
        KeyBinding([.character("S")], .apply, in: [.resendRefused], group: .viewing,
                   keyLabel: "S", help: "Resend refused: open the suppression list at the address",
                   hint: ("S", "Suppression list"), priority: 10),
        KeyBinding([.escape, .enter, .character("q")], .back, in: [.resendRefused], group: .viewing,
                   keyLabel: "Esc / Enter", help: "Resend refused: close (q too), nothing was sent", hint: ("Esc", "Close"), priority: 11),
        KeyBinding([.enter], .showAddress, in: [.unitSearch], group: .viewing,
                   keyLabel: "Enter", help: "Unit Search: show every email to this address", hint: ("Enter", "Emails"), priority: 10),
        KeyBinding([.enter], .showDomain, in: [.domains], group: .viewing,
                   keyLabel: "Enter", help: "Domains: show the filter's emails to this domain (Esc comes back)",
                   hint: ("Enter", "Filter"), priority: 10),
        KeyBinding([.escape, .character("q")], .back, in: closable, group: .viewing,
                   keyLabel: "Esc / q", help: "Close the pop-up, or go back", hint: ("Esc", "Back"), priority: 5),
        KeyBinding([.escape], .back, in: [.list], group: .viewing,
                   keyLabel: "Esc", help: "List: back to where you were before Unit Search's Enter (filters and selection)"),
        // Exporting
        KeyBinding([.character("x")], .exportExcel, in: [.list], group: .exporting,
                   keyLabel: "x", help: "Export the list (every row of the filter) to Excel", hint: ("x/p", "Export"), priority: 41),
        KeyBinding([.character("p")], .exportPDF, in: [.list], group: .exporting,
                   keyLabel: "p", help: "Export the list to PDF (at most 50,000 rows)"),
        KeyBinding([.enter], .apply, in: [.exportDialog], group: .exporting,
                   keyLabel: "Enter", help: "Export: write the file (again to replace one that exists); close when done",
                   hint: ("Enter", "Export"), priority: 10),
        KeyBinding([.escape], .back, in: [.exportDialog], group: .exporting,
                   keyLabel: "Esc", help: "Export: cancel (a part-written file is removed) or close",
                   hint: ("Esc", "Cancel"), priority: 11),
        // Accounts and suppressions
        KeyBinding([.character("A")], .chooseAccount, in: [.list, .emptyStore], group: .suppressions,
                   keyLabel: "A", help: "Support users: choose the account to work in"),
        KeyBinding([.enter], .apply, in: [.accountPicker], group: .suppressions,
                   keyLabel: "Enter", help: "Account picker: work in the highlighted account", hint: ("Enter", "Choose"), priority: 10),
        KeyBinding([.character("S")], .suppressionList, in: [.list, .popup], group: .suppressions,
                   keyLabel: "S", help: "The account's suppression list (from View: at the email's address)", hint: ("S", "Suppressed"), priority: 42),
        KeyBinding([.enter, .character("v")], .open, in: [.suppressionList], group: .suppressions,
                   keyLabel: "Enter / v", help: "Suppression list: view the email that put the address there", hint: ("Enter", "Email"), priority: 10),
        KeyBinding([.character("h")], .showHistory, in: [.suppressionList], group: .suppressions,
                   keyLabel: "h", help: "Suppression list: who added, asked to remove and removed it, when and why", hint: ("h", "History"), priority: 14),
        KeyBinding([.character("r")], .requestRemoval, in: [.suppressionList], group: .suppressions,
                   keyLabel: "r", help: "Suppression list: ask support to remove the entry, with a note", hint: ("r", "Request"), priority: 12),
        KeyBinding([.character("D")], .removeSuppression, in: [.suppressionList], group: .suppressions,
                   keyLabel: "D", help: "Suppression list: remove the entry with a reason (support; Enter twice)", hint: ("D", "Remove"), priority: 13),
        KeyBinding([.enter], .apply, in: [.suppressionPrompt], group: .suppressions,
                   keyLabel: "Enter", help: "Note or reason: send it (a removal asks for a second Enter)", hint: ("Enter", "Send"), priority: 10),
        KeyBinding([.escape], .back, in: [.suppressionPrompt], group: .suppressions,
                   keyLabel: "Esc", help: "Note or reason: cancel, nothing changes", hint: ("Esc", "Cancel"), priority: 11),
        // Workbench and notifications
        KeyBinding([.character("w")], .workbench, in: everywhereButTyping, group: .notifications,
                   keyLabel: "w", help: "The Workbench: your notifications and the Email Notification widget (from any screen)"),
        KeyBinding([.enter, .character("v")], .open, in: [.workbench], group: .notifications,
                   keyLabel: "Enter / v", help: "Workbench: on the widget, the Email Audit of yesterday's four problem statuses; on a notification, its email's View",
                   hint: ("Enter", "Open"), priority: 10),
        KeyBinding([.character("m")], .markRead, in: [.workbench], group: .notifications,
                   keyLabel: "m", help: "Workbench: mark the selected notification read", hint: ("m", "Read"), priority: 12),
        KeyBinding([.character("M")], .markAllRead, in: [.workbench], group: .notifications,
                   keyLabel: "M", help: "Workbench: mark every notification read", hint: ("M", "All read"), priority: 13),
        KeyBinding([.character("p")], .editPreferences, in: [.workbench], group: .notifications,
                   keyLabel: "p", help: "Workbench: your notification preferences (statuses, whose emails, delivery, digest hour)",
                   hint: ("p", "Preferences"), priority: 14),
        KeyBinding([.character(" ")], .toggle, in: [.preferences], group: .notifications,
                   keyLabel: "Space", help: "Preferences: tick a status, or the next choice", hint: ("Space", "Change"), priority: 11),
        KeyBinding([.left, .right], .adjustValue, in: [.preferences], group: .notifications,
                   keyLabel: "← →", help: "Preferences: the previous or next choice (the digest hour by an hour)"),
        KeyBinding([.enter], .apply, in: [.preferences], group: .notifications,
                   keyLabel: "Enter", help: "Preferences: save", hint: ("Enter", "Save"), priority: 10),
        KeyBinding([.escape, .character("q")], .back, in: [.preferences], group: .notifications,
                   keyLabel: "Esc / q", help: "Preferences: close without saving", hint: ("Esc", "Cancel"), priority: 5),
        // General
        KeyBinding([.character("?"), .function(1)], .help, in: everywhereButTyping, group: .general,
                   keyLabel: "? / F1", help: "This help", hint: ("?", "Help"), priority: 2),
        KeyBinding([.function(1)], .help, in: [.filter], group: .general, keyLabel: "F1", help: "Help while editing"),
        KeyBinding([.function(5)], .refresh, in: [.list, .popup, .unitSearch, .domains, .emptyStore, .workbench], group: .general,
                   keyLabel: "F5", help: "Refresh now (the screen also updates by itself)", hint: ("F5", "Refresh"), priority: 60),
        KeyBinding([.control("l")], .redraw, in: Set(KeyContext.allCases), group: .general,
                   keyLabel: "Ctrl-L", help: "Redraw the screen"),
        KeyBinding([.character("q")], .quit, in: [.list, .emptyStore], group: .general,
                   keyLabel: "q", help: "Quit (from the list; closes a pop-up elsewhere)", hint: ("q", "Quit"), priority: 1),
        KeyBinding([.character("Q"), .control("c")], .quitNow, in: everywhereButTyping, group: .general,
                   keyLabel: "Q / Ctrl-C", help: "Quit at once, from anywhere"),
        KeyBinding([.control("c")], .quitNow, in: [.filter, .exportDialog, .suppressionPrompt, .resendPrompt, .resendQuestion, .resendRefused], group: .general,
                   keyLabel: "Ctrl-C", help: "Quit at once while editing"),
    ]

    /// The binding for a key in a context, if any.
    public static func binding(for key: Key, in context: KeyContext) -> KeyBinding? {
        bindings.first { $0.contexts.contains(context) && $0.keys.contains(key) }
    }

    /// The bindings shown in the hint bar for a context, most important first.
    public static func hints(in context: KeyContext) -> [KeyBinding] {
        var seen = Set<String>()
        return bindings
            .filter { $0.contexts.contains(context) && $0.hintKey != nil }
            .sorted { $0.hintPriority < $1.hintPriority }
            .filter { seen.insert($0.hintKey! + ($0.hintLabel ?? "")).inserted }
    }

    /// Help lines per group: (keys, what they do), without repeats.
    public static func helpGroups() -> [(group: KeyGroup, entries: [(keys: String, help: String)])] {
        KeyGroup.allCases.compactMap { group in
            var seen = Set<String>()
            let entries = bindings.filter { $0.group == group }
                .filter { seen.insert($0.keyLabel + "|" + $0.help).inserted }
                .map { (keys: $0.keyLabel, help: $0.help) }
            return entries.isEmpty ? nil : (group, entries)
        }
    }
}

extension KeyTable {
    /// The key reference as Markdown (docs/keys.md is generated from this and checked by a test).
    public static func markdown() -> String {
        var text = "# Keys of the terminal screen\n\nGenerated from `KeyTable` (Sources/TerminalUI/App/KeyTable.swift), the same table that\ndrives the keys, the bottom hint bar and the help screen (`?` or F1).\n"
        for (group, entries) in helpGroups() {
            text += "\n## \(group.rawValue)\n\n| Keys | What they do |\n| --- | --- |\n"
            for entry in entries {
                let keys = entry.keys.replacingOccurrences(of: "|", with: "\\|")
                text += "| `\(keys)` | \(entry.help.replacingOccurrences(of: "|", with: "\\|")) |\n"
            }
        }
        text += """

            ## Mouse

            Click a row to select it, double-click to view it; the wheel scrolls; click a key in the
            bottom bar to press it. Mouse reporting can be turned off (then the terminal's own text
            selection works as usual).

            ## Terminal notes

            - Esc acts within 50 ms (`set_escdelay(25)`); inside tmux, also lower tmux's own
              `escape-time` (default 500 ms), e.g. `set -sg escape-time 10`.
            - Below 60×15 the screen shows "Terminal too small" until the window is enlarged.
            - `NO_COLOR` is honoured; statuses always show their word, so monochrome stays readable.

            """
        return text
    }
}
