import AuditCore

/// One screen on the stack. The bottom one is the Email Audit list (or the empty-store
/// screen); the others are pushed over it.
public enum Screen: Sendable, Hashable {
    /// The Email Audit list with its filter bar.
    case audit
    /// Shown instead of the list while the store holds no email at all.
    case emptyStore
    /// The View pop-up for one email.
    case detail(DetailState)
    /// Units whose contacts use an address.
    case unitSearch(UnitSearchState)
    /// Every key, grouped.
    case help(HelpState)
    /// The export pop-up (`x` Excel, `p` PDF).
    case export(ExportDialogState)
    /// The account picker (`A`, support users).
    case accountPicker(AccountPickerState)
    /// The account's suppression list (`S`).
    case suppressions(SuppressionListState)
    /// The note or reason for a suppression change (`r`, `D` on the list).
    case suppressionPrompt(SuppressionPromptState)
    /// Failures per recipient domain for the filter (`D`).
    case domains(DomainBreakdownState)
    /// The Workbench (`w`): the Email Notification widget and the notifications.
    case workbench(WorkbenchState)
    /// The notification preferences pane (`p` on the Workbench).
    case preferences(PreferencesState)
    /// The resend pop-up (`R` in View).
    case resend(ResendState)
}

/// The per-domain breakdown pop-up: Failed, Complained and Rejected per recipient domain.
public struct DomainBreakdownState: Sendable, Hashable {
    /// The filter the breakdown counts (the list's when `D` was pressed).
    public var filter: EmailFilter
    /// The rows once loaded, most failures first.
    public var rows: [DomainFailures]?
    /// Index of the selected row.
    public var selected: Int
    /// First row shown.
    public var top: Int

    public init(filter: EmailFilter, rows: [DomainFailures]? = nil, selected: Int = 0, top: Int = 0) {
        self.filter = filter
        self.rows = rows
        self.selected = selected
        self.top = top
    }

    /// Failed + Complained + Rejected over every row.
    public var total: Int { rows?.reduce(0) { $0 + $1.total } ?? 0 }
}

/// The View pop-up.
public struct DetailState: Sendable, Hashable {
    public var emailID: Int64
    /// The email once loaded.
    public var detail: EmailDetail?
    /// Whether the load finished (with or without an email).
    public var loaded: Bool
    /// First content row shown.
    public var scroll: Int

    public init(emailID: Int64, detail: EmailDetail? = nil, loaded: Bool = false, scroll: Int = 0) {
        self.emailID = emailID
        self.detail = detail
        self.loaded = loaded
        self.scroll = scroll
    }
}

/// The Unit Search screen.
public struct UnitSearchState: Sendable, Hashable {
    /// The address searched for.
    public var address: String
    /// The rows once loaded.
    public var rows: [UnitContactRow]?
    /// Index of the selected row.
    public var selected: Int
    /// First row shown.
    public var top: Int

    public init(address: String, rows: [UnitContactRow]? = nil, selected: Int = 0, top: Int = 0) {
        self.address = address
        self.rows = rows
        self.selected = selected
        self.top = top
    }
}

/// The help screen.
public struct HelpState: Sendable, Hashable {
    /// First line shown.
    public var scroll: Int
    public init(scroll: Int = 0) {
        self.scroll = scroll
    }
}

/// A one-line message in the status line.
public struct Notice: Sendable, Hashable {
    public enum Level: Sendable, Hashable { case info, error }
    public var text: String
    public var level: Level
    public init(_ text: String, level: Level = .info) {
        self.text = text
        self.level = level
    }
}

/// The five filter fields, in Tab order.
public enum FilterField: Int, Sendable, Hashable, CaseIterable {
    case raisedBy, status, to, subject, dateRange

    /// The label in the filter bar.
    public var label: String {
        switch self {
        case .raisedBy: "Raised by"
        case .status: "Status"
        case .to: "To"
        case .subject: "Subject"
        case .dateRange: "Date"
        }
    }
}

/// Where keys go on the Email Audit screen.
public enum Focus: Sendable, Hashable {
    case list
    /// A field of the filter bar has the focus, closed: Enter, Space or ↓ opens it, Tab moves on.
    case bar(FilterField)
    /// A filter field is open for editing.
    case field(FilterField)
}

/// Which custom date box is being typed into.
public enum CustomDateBox: Sendable, Hashable { case from, through }

/// Edits to a filter field that are not applied yet.
public struct FilterDraft: Sendable, Hashable {
    /// Raised by: the text typed to narrow the pick list.
    public var raisedByQuery: String = ""
    /// Raised by: highlighted row of the narrowed list (0 = Anyone).
    public var raisedByHighlight: Int = 0
    /// Status: ticked statuses (empty = All).
    public var statuses: Set<EmailStatus> = []
    /// Status: highlighted row (0 = All, then the ten statuses).
    public var statusHighlight: Int = 0
    /// Status: letters typed to jump to a status ("re" → Rejected).
    public var statusQuery: String = ""
    /// Status: whether Space was used (Enter then applies the ticks, otherwise picks the highlighted row).
    public var statusTicked: Bool = false
    /// To: the text typed.
    public var toText: String = ""
    /// Subject: the text typed.
    public var subjectText: String = ""
    /// Date range: highlighted row (the named ranges, then Custom).
    public var dateHighlight: Int = 0
    /// Date range: custom "from" text (dd/mm/yyyy).
    public var customFrom: String = ""
    /// Date range: custom "to" text (dd/mm/yyyy).
    public var customThrough: String = ""
    /// Date range: which custom box has the cursor.
    public var customBox: CustomDateBox = .from

    public init() {}
}
