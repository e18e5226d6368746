import AuditCore
import Foundation

/// The whole state of the terminal front end, as a value.
///
/// ``update(_:_:)`` turns a state and a ``Message`` into the next state plus effects;
/// ``view(_:)`` draws a state into a ``Buffer``. Nothing else changes it.
public struct AppState: Sendable, Hashable {
    // MARK: Set-up
    /// The account the filter is scoped to (nil = all accounts).
    public var accountID: Int64?
    /// The account's name, for headers.
    public var accountName: String
    /// The signed-in user, for the header.
    public var userName: String
    /// Whether the signed-in user is on the support team (`A` chooses an account, `D` removes suppressions).
    public var isSupport: Bool
    /// Whether suppression changes are wired in (`r` and `D` work).
    public var canChangeSuppressions: Bool
    /// Whether resends are wired in (`R` in View works).
    public var canResend: Bool
    /// The zone dates are shown in.
    public var timeZone: TimeZone
    /// The day the app opened on, in ``timeZone`` (where ← → start in an empty custom date box).
    public var today: CalendarDay
    /// Rows per page loaded as the list scrolls.
    public var pageSize: Int
    /// Pages kept in memory around the viewport.
    public var windowPages: Int
    /// The characters the screen is drawn with (ASCII on a non-UTF-8 locale or with `--ascii`).
    public var charset: ScreenCharset
    /// Whether the locale is not UTF-8, so the screen says once that names are transliterated
    /// and how to see them in full.
    public var showsLocaleNote: Bool

    // MARK: Screens
    /// The screen stack; the last is on top.
    public var screens: [Screen]
    /// The terminal size.
    public var size: TerminalSize

    // MARK: Email Audit
    /// The applied filter.
    public var filter: EmailFilter
    /// Where keys go on the audit screen.
    public var focus: Focus
    /// Unapplied edits of the focused field.
    public var draft: FilterDraft
    /// The loaded window of rows, the selection and the scroll position.
    public var list: ListWindow
    /// Counts per status for the filter (nil until loaded).
    public var counts: StatusCounts?
    /// Staff for the Raised by list, by name.
    public var staff: [StaffUser]
    /// Bumped whenever the filter changes; answers for older generations are dropped.
    public var generation: Int
    /// Whether the list shows the Id column (`i` toggles it).
    public var showIDColumn: Bool
    /// Where Esc on the list goes back to: the views left by Unit Search's Enter, newest last.
    public var history: [SavedView]

    // MARK: Live updates and notices
    /// The last change token read (nil before the first read).
    public var changeToken: Int64?
    /// Whether a change-token read is in flight.
    public var checkingChangeToken: Bool
    /// How the hand-over to the provider is going (nil until read; re-read every
    /// ``handOverCheckTicks`` ticks).
    public var handOverHealth: HandOverHealth?
    /// Whether a hand-over health read is in flight.
    public var checkingHandOver: Bool
    /// Ticks since the last hand-over health read.
    public var ticksSinceHandOverCheck: Int
    /// Whether the store holds any email (nil until known).
    public var storeHasEmails: Bool?
    /// A message for the status line.
    public var notice: Notice?

    // MARK: Notifications
    /// Whether notifications are wired in (`w`, the header's count).
    public var hasNotifications: Bool
    /// How the notices for features turned off end ("here", "on a PostgreSQL store yet").
    public var unavailableWhere: String = "here"
    /// The signed-in user's unread notifications (nil until read, or without notifications).
    public var unreadNotifications: Int?

    // MARK: Terminal
    /// Set when the app should exit.
    public var shouldQuit: Bool
    /// Bumped by Ctrl-L: the backend repaints the whole screen.
    public var redrawRequests: Int

    // MARK: Export
    /// Whether an exporter is wired in (`x` and `p` work).
    public var canExport: Bool
    /// The folder exports are suggested in (the current folder or `--export-dir`).
    public var exportFolder: String
    /// The most rows a PDF export may hold.
    public var pdfRowLimit: Int
    /// The id of the last export started.
    public var nextExportJob: Int
    /// Set between `x`/`p` and the pop-up opening (the effect that reads today's date runs on
    /// the background queue, behind any slow read): keys typed meanwhile wait in
    /// ``keysTypedAhead`` and go to the pop-up once it is open, not to the list under it.
    public var preparingExport: Bool
    /// Keys typed while ``preparingExport``, oldest first.
    public var keysTypedAhead: [Key]

    /// The state the app opens with.
    public init(options: TerminalOptions, size: TerminalSize) {
        accountID = options.accountID
        accountName = options.accountName
        userName = options.userName
        isSupport = options.isSupport
        canChangeSuppressions = options.suppressionActions != nil
        canResend = options.resendActions != nil
        timeZone = options.timeZone
        today = CalendarDay(containing: options.now(), in: options.timeZone)
        pageSize = options.pageSize
        windowPages = options.windowPages
        charset = options.localeIsUTF8 ? options.charset : .ascii
        showsLocaleNote = !options.localeIsUTF8
        screens = [.audit]
        self.size = size
        hasNotifications = options.notifications != nil
        unavailableWhere = options.unavailableWhere
        unreadNotifications = nil
        var filter = options.initialFilter
        filter.accountID = options.accountID
        self.filter = filter
        focus = .list
        draft = FilterDraft()
        list = ListWindow()
        counts = nil
        staff = []
        generation = 0
        history = []
        showIDColumn = false
        changeToken = nil
        checkingChangeToken = false
        handOverHealth = nil
        checkingHandOver = false
        ticksSinceHandOverCheck = 0
        storeHasEmails = nil
        notice = nil
        shouldQuit = false
        redrawRequests = 0
        canExport = options.exporter != nil
        exportFolder = options.exportDirectory
        pdfRowLimit = options.pdfRowLimit
        nextExportJob = 0
        preparingExport = false
        keysTypedAhead = []
        if options.opensWorkbench {
            screens.append(.workbench(WorkbenchState(widgetFilter: EmailNotificationWidget.filter(accountID: accountID))))
        }
    }

    /// The screen on top of the stack.
    public var topScreen: Screen { screens.last ?? .audit }

    /// The most rows the list keeps in memory.
    public var maxWindowRows: Int { pageSize * windowPages }

    /// The selected summary, if any.
    public var selectedSummary: EmailSummary? { list.selected }

    /// The email id the list is holding its selection on.
    public var selectedEmailID: Int64? { list.selectedID }
}

/// A view left for another one, kept so Esc can return to exactly it: the screens,
/// the filter, the loaded rows and the selection.
public struct SavedView: Sendable, Hashable {
    public var screens: [Screen]
    public var filter: EmailFilter
    public var list: ListWindow
    public var counts: StatusCounts?

    public init(screens: [Screen], filter: EmailFilter, list: ListWindow, counts: StatusCounts?) {
        self.screens = screens
        self.filter = filter
        self.list = list
        self.counts = counts
    }
}
