import AuditCore

extension AppState {
    // MARK: From View

    /// `R` in View: the resend pop-up with the To prefilled.
    mutating func openResend(_ popup: DetailState) -> [Effect] {
        guard let detail = popup.detail else { return [] }
        guard canResend else {
            notice = Notice("Resending is not available \(unavailableWhere).", level: .error)
            return []
        }
        guard !detail.email.isNotRecordedHere else {
            notice = Notice("This email was not recorded by this system: there is no content to resend.", level: .error)
            return []
        }
        let contacts = Set(detail.units.map { [$0.contactName, $0.contactRole.rawValue, $0.phone] }).count
        screens.append(.resend(ResendState(emailID: detail.email.id, originalTo: detail.email.to, contactsUsingOriginal: contacts)))
        return []
    }

    /// Enter in View: the linked email (the original of a resend, else its latest resend).
    mutating func followResendLink(_ popup: DetailState) -> [Effect] {
        guard let target = popup.detail?.links.jumpTarget else { return [] }
        screens.append(.detail(DetailState(emailID: target)))
        return [.loadDetail(emailID: target)]
    }

    // MARK: The pop-up

    mutating func handleResendKey(_ key: Key) -> [Effect] {
        guard case .resend(var prompt) = topScreen else { return [] }
        defer { if case .resend = topScreen { screens[screens.count - 1] = .resend(prompt) } }
        switch key {
        case .control("c"):
            shouldQuit = true
            return []
        case .control("l"):
            redrawRequests += 1
            return []
        default:
            break
        }
        switch prompt.step {
        case .sending:
            return []
        case .refused(let refusal):
            switch key {
            case .escape, .enter, .character("q"):
                screens.removeLast()
                notice = Notice("Nothing was sent.")
            case .character("S"):
                screens.removeLast()
                if case .suppressed(let entry) = refusal { return openSuppressionList(at: entry.address) }
            default:
                break
            }
            return []
        case .askContacts(let address):
            switch key {
            case .character("y"), .character("Y"):
                prompt.step = .sending
                return [.resend(emailID: prompt.emailID, to: address, updateContacts: true, accountID: accountID)]
            case .character("n"), .character("N"):
                prompt.step = .sending
                return [.resend(emailID: prompt.emailID, to: address, updateContacts: false, accountID: accountID)]
            case .escape:
                prompt.step = .editing
            default:
                break
            }
            return []
        case .editing:
            switch key {
            case .escape:
                screens.removeLast()
                notice = Notice("Nothing was sent.")
            case .enter:
                guard let address = EmailAddress.typed(prompt.text) else {
                    prompt.error = ResendRefusal.invalidAddress(prompt.text).description
                    return []
                }
                prompt.error = nil
                if address != EmailAddress.bare(prompt.originalTo), prompt.contactsUsingOriginal > 0 {
                    prompt.step = .askContacts(address: address)
                    return []
                }
                prompt.step = .sending
                return [.resend(emailID: prompt.emailID, to: address, updateContacts: false, accountID: accountID)]
            default:
                if LineEditing.apply(key, to: &prompt.text, limit: 254) { prompt.error = nil }
            }
            return []
        }
    }

    // MARK: Answers

    /// The resend was recorded: the pop-up closes and the new email's View opens over the
    /// original's, which now says "Resent as #N".
    mutating func resent(_ outcome: ResendOutcome) -> [Effect] {
        if case .resend = topScreen { screens.removeLast() }
        var words = "Resent #\(outcome.originalID) as #\(outcome.newEmailID) to \(TerminalText.singleLine(outcome.to)): Pending, handed to the provider with the next batch"
        if outcome.addressChanged, outcome.contactsUpdated > 0 {
            words += "; \(outcome.contactsUpdated) contact record\(outcome.contactsUpdated == 1 ? "" : "s") updated"
        }
        notice = Notice(words)
        screens.append(.detail(DetailState(emailID: outcome.newEmailID)))
        return refresh()
    }

    /// The store refused: the pop-up shows why (a suppression with its entry), or closes with
    /// the reason as a notice.
    mutating func resendRefused(_ refusal: ResendRefusal) {
        guard case .resend(var prompt) = topScreen else { return }
        switch refusal {
        case .suppressed:
            prompt.step = .refused(refusal)
        case .invalidAddress, .contactsNeedNewAddress:
            prompt.step = .editing
            prompt.error = refusal.description
        case .notFound, .notRecordedHere:
            screens.removeLast()
            notice = Notice(TerminalText.singleLine(refusal.description), level: .error)
            return
        }
        screens[screens.count - 1] = .resend(prompt)
    }

    /// The resend failed for another reason (the store could not be written).
    mutating func resendFailed(_ text: String) {
        if case .resend = topScreen { screens.removeLast() }
        notice = Notice("Not resent: " + TerminalText.singleLine(text), level: .error)
    }
}
