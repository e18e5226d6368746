import AuditCore
import Foundation

/// Performs effects against a reader and answers with messages.
///
/// The terminal runs it on a background queue so the input loop never waits for the
/// store; ``HeadlessSession`` runs it inline.
public struct EffectRunner: Sendable {
    public let reader: any AuditReader
    /// The clock passed to the reader as `now:` ("Today" is computed from it).
    public let now: @Sendable () -> Date

    /// Writes exports (nil: `x` and `p` are off).
    public let exporter: (any ScreenExporter)?
    /// The zone "today" is taken in for export file names.
    public let timeZone: TimeZone
    /// Running exports, so they can be cancelled.
    public let exports = ExportRegistry()
    /// Requests and removals of suppressions (nil: `r` and `D` are off).
    public let suppressionActions: (any SuppressionActions)?
    /// The user's notifications and preferences (nil: `w` shows that they are off).
    public let notifications: (any NotificationSource)?
    /// Resends from View (nil: `R` is off).
    public let resendActions: (any ResendActions)?

    public init(reader: any AuditReader, now: @escaping @Sendable () -> Date,
                timeZone: TimeZone = UKDateFormat.defaultTimeZone, exporter: (any ScreenExporter)? = nil,
                suppressionActions: (any SuppressionActions)? = nil, notifications: (any NotificationSource)? = nil,
                resendActions: (any ResendActions)? = nil) {
        self.notifications = notifications
        self.reader = reader
        self.now = now
        self.timeZone = timeZone
        self.exporter = exporter
        self.suppressionActions = suppressionActions
        self.resendActions = resendActions
    }

    /// Runs one effect to completion and returns its answer (nil for a cancel, which is
    /// answered by the export it stops). An export reports progress through `post` first.
    public func run(_ effect: Effect, post: @escaping @Sendable (Message) -> Void = { _ in }) -> Message? {
        do {
            switch effect {
            case .prepareExport(let format):
                return .exportPrepared(format, today: CalendarDay(containing: now(), in: timeZone))
            case .startExport(let job):
                return .exportFinished(jobID: job.id, runExport(job, post: post))
            case .cancelExport(let jobID):
                exports.cancel(jobID)
                return nil
            case .loadPage(let request):
                let rows = try reader.summaries(matching: request.filter, from: request.cursor,
                                                direction: request.direction, limit: request.limit, now: now())
                return .pageLoaded(request, rows)
            case .loadCounts(let generation, let filter):
                return .countsLoaded(generation: generation, try reader.statusCounts(matching: filter, now: now()))
            case .loadDetail(let emailID):
                return .detailLoaded(emailID: emailID, try reader.detail(emailID: emailID))
            case .searchUnits(let address):
                return .unitsLoaded(address: address, try reader.unitSearch(address: address))
            case .findMessage(let messageID, let accountID):
                return .messageFound(messageID: messageID, ids: try reader.emailIDs(messageID: messageID, accountID: accountID))
            case .loadDomains(let filter):
                return .domainsLoaded(filter: filter, try reader.domainBreakdown(matching: filter, now: now()))
            case .loadStaff(let accountID):
                return .staffLoaded(try reader.staff(accountID: accountID))
            case .checkChangeToken:
                return .changeTokenLoaded(try reader.changeToken())
            case .loadAccounts:
                return .accountsLoaded(try reader.accounts())
            case .selectAccount(let accountID):
                return .accountSelected(try reader.selectAccount(accountID))
            case .loadSuppressions(let accountID):
                return .suppressionsLoaded(accountID: accountID, try reader.suppressions())
            case .loadSuppressionHistory(let address):
                return .suppressionHistoryLoaded(address: address, try reader.suppressionHistory(address: address))
            case .changeSuppression(let change, let address, let text, let accountID):
                guard let actions = suppressionActions, let accountID else {
                    return .effectFailed(effect, "changing the suppression list is not available here")
                }
                switch change {
                case .request: try actions.requestRemoval(address: address, note: text, accountID: accountID)
                case .remove: try actions.remove(address: address, reason: text, accountID: accountID)
                }
                return .suppressionChanged(change, address: address)
            case .loadNotifications, .loadUnreadCount, .markNotificationsRead, .loadPreferences, .savePreferences:
                return try runNotificationEffect(effect)
            case .loadWidget(let filter):
                return .widgetLoaded(filter: filter, try reader.statusCounts(matching: filter, now: now()))
            case .resend(let emailID, let to, let updateContacts, let accountID):
                guard let actions = resendActions, let accountID else { return .effectFailed(effect, "resending is not available here") }
                do {
                    return .resent(try actions.resend(emailID: emailID, to: to, updateContacts: updateContacts, accountID: accountID))
                } catch let refusal as ResendRefusal {
                    return .resendRefused(refusal)
                }
            case .checkHandOver(let accountID):
                return .handOverHealthLoaded(try reader.handOverHealth(accountID: accountID, now: now()))
            case .probeStore(let accountID):
                let any = EmailFilter(accountID: accountID, dateRange: .all)
                let rows = try reader.summaries(matching: any, from: nil, direction: .older, limit: 1, now: now())
                return .storeProbed(hasEmails: !rows.isEmpty)
            }
        } catch {
            return .effectFailed(effect, String(describing: error))
        }
    }

    /// Runs an export, posting progress at most ten times a second.
    func runExport(_ job: ExportJob, post: @escaping @Sendable (Message) -> Void) -> ExportJobResult {
        guard let exporter else { return .failed("exporting is not available") }
        exports.begin(job.id)
        defer { exports.end(job.id) }
        let started = Date()
        var lastPost = Date.distantPast
        let registry = exports
        return exporter.export(job, now: now()) { written in
            let moment = Date()
            if moment.timeIntervalSince(lastPost) >= 0.1 {
                lastPost = moment
                post(.exportProgress(jobID: job.id, written: written, elapsed: moment.timeIntervalSince(started)))
            }
            return !registry.isCancelled(job.id)
        }
    }
}

/// The exports running now, and which of them were asked to stop.
public final class ExportRegistry: @unchecked Sendable {
    private let lock = NSLock()
    private var running: Set<Int> = []
    private var cancelled: Set<Int> = []
    private let group = DispatchGroup()

    func begin(_ id: Int) {
        lock.lock(); defer { lock.unlock() }
        running.insert(id)
        group.enter()
    }

    func end(_ id: Int) {
        lock.lock(); defer { lock.unlock() }
        if running.remove(id) != nil { group.leave() }
        cancelled.remove(id)
    }

    func cancel(_ id: Int) {
        lock.lock(); defer { lock.unlock() }
        if running.contains(id) { cancelled.insert(id) }
    }

    func isCancelled(_ id: Int) -> Bool {
        lock.lock(); defer { lock.unlock() }
        return cancelled.contains(id)
    }

    /// Cancels every running export and waits (up to `timeout` seconds) for them to remove
    /// their files; used when the app quits.
    public func cancelAllAndWait(timeout: Double) {
        lock.lock()
        cancelled.formUnion(running)
        lock.unlock()
        _ = group.wait(timeout: .now() + timeout)
    }
}

extension EffectRunner {
    /// The effects that read or change the user's notifications and preferences.
    func runNotificationEffect(_ effect: Effect) throws -> Message? {
        guard let source = notifications else {
            return .effectFailed(effect, "notifications are not available here")
        }
        switch effect {
        case .loadNotifications(let accountID):
            return .notificationsLoaded(accountID: accountID, try accountID.map { try source.notifications(accountID: $0) } ?? [])
        case .loadUnreadCount(let accountID):
            return .unreadCountLoaded(accountID: accountID, try accountID.map { try source.unreadCount(accountID: $0) } ?? 0)
        case .markNotificationsRead(let ids, let accountID):
            if let accountID { try source.markRead(ids: ids, accountID: accountID) }
            return .notificationsMarked(accountID: accountID)
        case .loadPreferences(let accountID):
            return .preferencesLoaded(try accountID.map { try source.preferences(accountID: $0) } ?? .standard)
        case .savePreferences(let preferences, let accountID):
            guard let accountID else { return .effectFailed(effect, "no account to save preferences in") }
            try source.savePreferences(preferences, accountID: accountID)
            return .preferencesSaved(preferences)
        default:
            return nil
        }
    }
}
