import AuditCore

/// Draws the whole screen for a state: the top full screen of the stack, pop-ups over
/// it, and the hint bar. Pure: the same state always gives the same buffer. Text is drawn
/// in the state's ``AppState/charset``.
public func view(_ state: AppState) -> Buffer {
    // The support team belongs to no account and gets no notifications: no count to show.
    let badge = state.hasNotifications && !state.isSupport ? HeaderLine.unreadBadge(state.unreadNotifications) : ""
    return ScreenCharset.$current.withValue(state.charset) {
        HeaderLine.$badge.withValue(badge) {
            HeaderLine.$accountFact.withValue(TerminalText.singleLine(state.accountName)) { drawScreens(state) }
        }
    }
}

private func drawScreens(_ state: AppState) -> Buffer {
    let size = state.size
    var buffer = Buffer(width: size.width, height: size.height)
    guard size.isLargeEnough else {
        TooSmallScreen(size: size).render(into: &buffer, area: buffer.area)
        return buffer
    }
    let layout = ScreenLayout(size: size)
    let screens = state.screens
    let base = screens.lastIndex { screen in
        switch screen {
        case .audit, .emptyStore, .unitSearch, .suppressions, .workbench: true
        case .detail, .help, .export, .domains, .accountPicker, .suppressionPrompt, .preferences, .resend: false
        }
    } ?? 0
    let area = buffer.area
    for (index, screen) in screens.enumerated() where index >= base {
        switch screen {
        case .audit:
            MainScreen(state: state).render(into: &buffer, area: area)
        case .emptyStore:
            EmptyStoreScreen(accountName: state.accountName, userName: state.userName).render(into: &buffer, area: area)
        case .unitSearch(let search):
            UnitSearchScreen(search: search, accountName: state.accountName).render(into: &buffer, area: area)
        case .detail(let popup):
            dimBackdrop(&buffer, layout: layout)
            DetailPopup(state: popup, timeZone: state.timeZone).render(into: &buffer, area: layout.popupRect)
        case .help(let help):
            dimBackdrop(&buffer, layout: layout)
            HelpOverlay(scroll: help.scroll, localeNote: state.showsLocaleNote).render(into: &buffer, area: layout.helpRect)
        case .domains(let breakdown):
            dimBackdrop(&buffer, layout: layout)
            DomainBreakdownView(state: breakdown).render(into: &buffer, area: layout.popupRect)
        case .export(let dialog):
            dimBackdrop(&buffer, layout: layout)
            ExportDialogView(dialog: dialog).render(into: &buffer, area: ExportDialogView.rect(in: layout.size))
        case .suppressions(let list):
            SuppressionListScreen(list: list, accountName: state.accountName, timeZone: state.timeZone, isSupport: state.isSupport,
                                  notice: state.notice)
                .render(into: &buffer, area: area)
        case .accountPicker(let picker):
            dimBackdrop(&buffer, layout: layout)
            AccountPickerView(picker: picker, currentAccountID: state.accountID)
                .render(into: &buffer, area: AccountPickerView.rect(in: layout.size, count: picker.accounts.count))
        case .workbench(let bench):
            WorkbenchScreen(bench: bench, accountName: state.accountName, userName: state.userName,
                            yesterday: state.today.adding(days: -1), timeZone: state.timeZone,
                            hasNotifications: state.hasNotifications, unavailableWhere: state.unavailableWhere, notice: state.notice)
                .render(into: &buffer, area: area)
        case .preferences(let pane):
            dimBackdrop(&buffer, layout: layout)
            PreferencesView(pane: pane).render(into: &buffer, area: PreferencesView.rect(in: layout.size))
        case .suppressionPrompt(let prompt):
            dimBackdrop(&buffer, layout: layout)
            SuppressionPromptView(prompt: prompt).render(into: &buffer, area: SuppressionPromptView.rect(in: layout.size))
        case .resend(let prompt):
            dimBackdrop(&buffer, layout: layout)
            ResendPromptView(prompt: prompt, timeZone: state.timeZone).render(into: &buffer, area: ResendPromptView.rect(in: layout.size))
        }
    }
    if case .detail = screens.last, let notice = state.notice, notice.level == .error {
        // The View pop-up covers the status line, so its refusals (R where resending is off, a
        // failed load) take the hint bar until the next key.
        buffer.put(TerminalText.singleLine(notice.text), x: 1, y: layout.hintRow, width: size.width - 2,
                   style: Style(.error, bold: true))
    } else {
        KeyHints(context: state.keyContext).render(into: &buffer, area: area.row(layout.hintRow))
    }
    return buffer
}

/// Mutes what lies under a pop-up so the pop-up stands out (the header and hint bar stay).
private func dimBackdrop(_ buffer: inout Buffer, layout: ScreenLayout) {
    let area = Rect(x: 0, y: 1, width: layout.size.width, height: layout.size.height - 2)
    buffer.restyle(area) { $0 = Style(.muted) }
}
