import AuditCore

/// The Workbench (`w`): the Email Notification widget and the user's notifications.
public struct WorkbenchState: Sendable, Hashable {
    /// The notifications once loaded, newest first.
    public var notifications: [StaffNotification]?
    /// The widget's counts (yesterday's Failed, Complained, Rejected and Unsubscribed), once loaded.
    public var widget: StatusCounts?
    /// The filter the widget counted (its Enter opens the Email Audit on it).
    public var widgetFilter: EmailFilter
    /// 0: the widget; n ≥ 1: notification n − 1.
    public var selected: Int
    /// First notification row shown.
    public var top: Int

    public init(widgetFilter: EmailFilter, notifications: [StaffNotification]? = nil, widget: StatusCounts? = nil,
                selected: Int = 0, top: Int = 0) {
        self.widgetFilter = widgetFilter
        self.notifications = notifications
        self.widget = widget
        self.selected = selected
        self.top = top
    }

    /// The selected notification, when the selection is not on the widget.
    public var selectedNotification: StaffNotification? {
        guard let notifications, selected >= 1, notifications.indices.contains(selected - 1) else { return nil }
        return notifications[selected - 1]
    }

    /// How many notifications are unread.
    public var unread: Int { notifications?.filter(\.isUnread).count ?? 0 }
}

/// The preferences pane (`p` on the Workbench): the user's notification settings being edited.
public struct PreferencesState: Sendable, Hashable {
    /// The settings as edited (nil until loaded).
    public var draft: NotificationPreferences?
    /// The highlighted row (see ``rows``).
    public var row: Int
    /// Whether Enter sent the settings and the answer is awaited.
    public var saving: Bool

    public init(draft: NotificationPreferences? = nil, row: Int = 0, saving: Bool = false) {
        self.draft = draft
        self.row = row
        self.saving = saving
    }

    /// One editable row of the pane.
    public enum Row: Sendable, Hashable {
        case status(EmailStatus)
        case scope, delivery, digestHour
    }

    /// The rows, top to bottom: the four statuses, then scope, delivery and the digest hour.
    public static let rows: [Row] = NotificationPreferences.notifiable.map(Row.status) + [.scope, .delivery, .digestHour]

    /// `draft` with the highlighted row changed one step (`forward` or back): a status ticked or
    /// unticked, the scope or delivery moved to the next choice, the hour moved by one.
    public static func step(_ draft: NotificationPreferences, row: Row, forward: Bool) -> NotificationPreferences {
        var next = draft
        func cycle<T: CaseIterable & Equatable>(_ value: T) -> T {
            let all = Array(T.allCases)
            let index = all.firstIndex(of: value) ?? 0
            return all[(index + (forward ? 1 : all.count - 1)) % all.count]
        }
        switch row {
        case .status(let status):
            if next.statuses.contains(status) { next.statuses.remove(status) } else { next.statuses.insert(status) }
        case .scope: next.scope = cycle(draft.scope)
        case .delivery: next.delivery = cycle(draft.delivery)
        case .digestHour: next.digestHour = (draft.digestHour + (forward ? 1 : 23)) % 24
        }
        return next
    }
}
