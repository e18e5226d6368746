import AuditCore

/// Everything that can happen to the app: input, and the answers to effects.
public enum Message: Sendable, Hashable {
    /// The app has just started: load what the first screen needs.
    case started
    /// A key was pressed (a ``Key/mouse(_:)`` key is handled like ``mouse(_:)``).
    case key(Key)
    /// A mouse click or wheel step.
    case mouse(MouseEvent)
    /// The terminal changed size.
    case resize(TerminalSize)
    /// About every 500 ms: time to check whether the store changed.
    case tick
    /// A page of summaries arrived.
    case pageLoaded(PageRequest, [EmailSummary])
    /// Counts per status arrived.
    case countsLoaded(generation: Int, StatusCounts)
    /// The email for the View pop-up arrived (nil when it no longer exists).
    case detailLoaded(emailID: Int64, EmailDetail?)
    /// Unit Search rows arrived.
    case unitsLoaded(address: String, [UnitContactRow])
    /// The staff list arrived.
    case staffLoaded([StaffUser])
    /// The store's change token was read.
    case changeTokenLoaded(Int64)
    /// The emails with a Message-ID typed into To (empty when there is none).
    case messageFound(messageID: String, ids: [Int64])
    /// The per-domain breakdown for a filter arrived.
    case domainsLoaded(filter: EmailFilter, [DomainFailures])
    /// How the hand-over to the provider is going (for the Pending warning on the status line).
    case handOverHealthLoaded(HandOverHealth)
    /// Whether the store holds any email.
    case storeProbed(hasEmails: Bool)
    /// An effect failed; the text is shown as a notice.
    case effectFailed(Effect, String)
    /// The export pop-up can open: today's date names the file.
    case exportPrepared(ScreenExportFormat, today: CalendarDay)
    /// An export has written this many rows in this many seconds.
    case exportProgress(jobID: Int, written: Int, elapsed: Double)
    /// An export ended.
    case exportFinished(jobID: Int, ExportJobResult)
    /// The accounts the user may choose arrived.
    case accountsLoaded([Account])
    /// The reader now answers for this account.
    case accountSelected(Account)
    /// The suppression list of an account arrived.
    case suppressionsLoaded(accountID: Int64?, [SuppressionEntry])
    /// An entry's trail arrived.
    case suppressionHistoryLoaded(address: String, [SuppressionHistoryItem])
    /// A suppression change was recorded.
    case suppressionChanged(SuppressionChange, address: String)
    /// The user's notifications arrived.
    case notificationsLoaded(accountID: Int64?, [StaffNotification])
    /// The number of unread notifications arrived.
    case unreadCountLoaded(accountID: Int64?, Int)
    /// The Email Notification widget's counts arrived.
    case widgetLoaded(filter: EmailFilter, StatusCounts)
    /// Notifications were marked read.
    case notificationsMarked(accountID: Int64?)
    /// The user's notification preferences arrived.
    case preferencesLoaded(NotificationPreferences)
    /// The user's notification preferences were saved.
    case preferencesSaved(NotificationPreferences)
    /// A resend was recorded.
    case resent(ResendOutcome)
    /// A resend was refused (nothing recorded).
    case resendRefused(ResendRefusal)
}
