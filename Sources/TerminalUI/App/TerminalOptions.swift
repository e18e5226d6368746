import AuditCore
import Foundation

/// How the terminal front end is set up by the executable.
public struct TerminalOptions: Sendable {
    /// Scope of the filter (nil = all accounts).
    public var accountID: Int64?
    /// The account's name, shown in the header.
    public var accountName: String
    /// The signed-in user shown in the header.
    public var userName: String
    /// Whether the signed-in user is on the support team (the header says so).
    public var isSupport: Bool = false
    /// The zone dates and times are shown in, and "Today" is computed in.
    public var timeZone: TimeZone
    /// The filter the screen opens with (its account is replaced by ``accountID``).
    public var initialFilter: EmailFilter
    /// False when `NO_COLOR` is set: styles are drawn with attributes only.
    public var colorEnabled: Bool
    /// Whether mouse clicks and the wheel are reported.
    public var mouseEnabled: Bool
    /// Rows loaded per page as the list scrolls.
    public var pageSize: Int
    /// How many pages the list keeps in memory around the viewport.
    public var windowPages: Int
    /// The characters to draw with; `.ascii` for `--ascii` or `EMAIL_AUDIT_ASCII=1`.
    public var charset: ScreenCharset = .unicode
    /// Whether the terminal's locale is UTF-8 (read at start, see ``TerminalLocale``); when it
    /// is not, the screen draws in ASCII whatever ``charset`` says, and says so once.
    public var localeIsUTF8: Bool = true
    /// Where "now" comes from (the wall clock; pinned for screenshots and tests).
    public var now: @Sendable () -> Date = { Date() }
    /// Writes `x` (Excel) and `p` (PDF) exports; nil turns those keys off.
    public var exporter: (any ScreenExporter)?
    /// Requests and removals of suppressions (`r`, `D` on the suppression list); nil turns them off.
    public var suppressionActions: (any SuppressionActions)?
    /// The signed-in user's notifications and preferences (`w`, the header's unread count);
    /// nil turns them off.
    public var notifications: (any NotificationSource)?
    /// Whether the screen opens on the Workbench (`--workbench`).
    public var opensWorkbench: Bool = false
    /// Resends from View (`R`); nil turns it off.
    public var resendActions: (any ResendActions)?
    /// How the notices for the features turned off above end: "here" (the default), or
    /// "on a PostgreSQL store yet" where the store cannot do them yet.
    public var unavailableWhere: String = "here"
    /// The folder export file names are suggested in.
    public var exportDirectory: String = FileManager.default.currentDirectoryPath
    /// The most rows a PDF export may hold (the same limit the exporter enforces).
    public var pdfRowLimit: Int = 50_000

    /// Creates options; every parameter has a sensible default.
    public init(accountID: Int64? = nil, accountName: String = "All accounts", userName: String = "",
                timeZone: TimeZone = UKDateFormat.defaultTimeZone, initialFilter: EmailFilter = .default,
                colorEnabled: Bool = true, mouseEnabled: Bool = true, pageSize: Int = 200, windowPages: Int = 5) {
        self.accountID = accountID
        self.accountName = accountName
        self.userName = userName
        self.timeZone = timeZone
        self.initialFilter = initialFilter
        self.colorEnabled = colorEnabled
        self.mouseEnabled = mouseEnabled
        self.pageSize = max(1, pageSize)
        self.windowPages = max(3, windowPages)
    }
}
