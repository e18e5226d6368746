import AuditCore

/// Why a page of the list is being loaded.
public enum PagePurpose: Sendable, Hashable {
    /// The newest rows: opening the screen, a filter change, Home.
    case first
    /// The oldest rows: End.
    case last
    /// Rows older than the window, as the user scrolls down.
    case older
    /// Rows newer than the window, as the user scrolls up.
    case newer
    /// The rows of the window again, after the store changed or F5.
    case reload
}

/// One request for a page of summaries.
public struct PageRequest: Sendable, Hashable {
    public var purpose: PagePurpose
    /// The list generation the request belongs to; answers for an older generation are dropped.
    public var generation: Int
    public var filter: EmailFilter
    public var cursor: EmailCursor?
    public var direction: PageDirection
    public var limit: Int

    public init(purpose: PagePurpose, generation: Int, filter: EmailFilter, cursor: EmailCursor?,
                direction: PageDirection, limit: Int) {
        self.purpose = purpose
        self.generation = generation
        self.filter = filter
        self.cursor = cursor
        self.direction = direction
        self.limit = limit
    }
}

/// Work that `update` asks for. An ``EffectRunner`` performs it off the input loop and
/// answers with a ``Message``.
public enum Effect: Sendable, Hashable {
    /// Loads a page of summaries; answered by ``Message/pageLoaded(_:_:)``.
    case loadPage(PageRequest)
    /// Loads the counts per status; answered by ``Message/countsLoaded(generation:_:)``.
    case loadCounts(generation: Int, filter: EmailFilter)
    /// Loads one email for the View pop-up; answered by ``Message/detailLoaded(emailID:_:)``.
    case loadDetail(emailID: Int64)
    /// Finds the units using an address; answered by ``Message/unitsLoaded(address:_:)``.
    case searchUnits(address: String)
    /// Loads the staff for the Raised by list; answered by ``Message/staffLoaded(_:)``.
    case loadStaff(accountID: Int64?)
    /// Reads the store's change token; answered by ``Message/changeTokenLoaded(_:)``.
    case checkChangeToken
    /// Reads how the hand-over to the provider is going for the account; answered by
    /// ``Message/handOverHealthLoaded(_:)``.
    case checkHandOver(accountID: Int64?)
    /// Finds out whether the store holds any email at all; answered by ``Message/storeProbed(hasEmails:)``.
    case probeStore(accountID: Int64?)
    /// Finds the account's emails with a Message-ID; answered by ``Message/messageFound(messageID:ids:)``.
    case findMessage(messageID: String, accountID: Int64?)
    /// Counts failures per recipient domain; answered by ``Message/domainsLoaded(filter:_:)``.
    case loadDomains(filter: EmailFilter)
    /// Reads today's date for the export file name; answered by ``Message/exportPrepared(_:today:)``.
    case prepareExport(ScreenExportFormat)
    /// Writes an export off the input loop; answered by ``Message/exportProgress(jobID:written:elapsed:)``
    /// as it goes and ``Message/exportFinished(jobID:_:)`` at the end.
    case startExport(ExportJob)
    /// Asks a running export to stop and remove its file.
    case cancelExport(jobID: Int)
    /// Loads the accounts the user may choose; answered by ``Message/accountsLoaded(_:)``.
    case loadAccounts
    /// Makes an account the reader's; answered by ``Message/accountSelected(_:)``.
    case selectAccount(Int64)
    /// Loads the account's suppression list; answered by ``Message/suppressionsLoaded(accountID:_:)``.
    case loadSuppressions(accountID: Int64?)
    /// Loads an entry's trail; answered by ``Message/suppressionHistoryLoaded(address:_:)``.
    case loadSuppressionHistory(address: String)
    /// Requests or makes a suppression change; answered by ``Message/suppressionChanged(_:address:)``.
    case changeSuppression(SuppressionChange, address: String, text: String, accountID: Int64?)
    /// Loads the user's notifications; answered by ``Message/notificationsLoaded(accountID:_:)``.
    case loadNotifications(accountID: Int64?)
    /// Counts the user's unread notifications; answered by ``Message/unreadCountLoaded(accountID:_:)``.
    case loadUnreadCount(accountID: Int64?)
    /// Counts the Email Notification widget; answered by ``Message/widgetLoaded(filter:_:)``.
    case loadWidget(filter: EmailFilter)
    /// Marks notifications read (all when nil); answered by ``Message/notificationsMarked(accountID:)``.
    case markNotificationsRead(ids: [Int64]?, accountID: Int64?)
    /// Loads the user's notification preferences; answered by ``Message/preferencesLoaded(_:)``.
    case loadPreferences(accountID: Int64?)
    /// Saves the user's notification preferences; answered by ``Message/preferencesSaved(_:)``.
    case savePreferences(NotificationPreferences, accountID: Int64?)
    /// Resends an email as a new one; answered by ``Message/resent(_:)`` or ``Message/resendRefused(_:)``.
    case resend(emailID: Int64, to: String, updateContacts: Bool, accountID: Int64?)
}
