import Foundation

/// What staff should do about an email's outcome.
public enum RecommendedAction {
    /// Advice for a status and the provider's reason for it; for an email known only from the
    /// provider's events (`notRecordedHere`) the advice says so first.
    public static func advice(for status: EmailStatus, detail: StatusDetail?, notRecordedHere: Bool) -> String {
        let advice = advice(for: status, detail: detail)
        guard notRecordedHere else { return advice }
        let note = "Not recorded by this system: the provider reported this message, but it was not raised here "
            + "(another system sent it, or it predates these records), so there is no copy and no one who raised it."
        if EmailStatus.problems.contains(status) { return note + " " + advice }
        return note + " Nothing to do here; ask whoever sent it if the recipient has a question."
    }

    /// Advice for a status and the provider's reason for it.
    public static func advice(for status: EmailStatus, detail: StatusDetail?) -> String {
        let reason = detail?.reason ?? ""
        let code = detail?.code ?? 0
        let text = [detail?.message, detail?.description, detail?.rejectReason]
            .compactMap { $0?.lowercased() }.joined(separator: " ")
        switch status {
        case .pending:
            return "No action: the email goes to the provider in the next batch (within 10 minutes). If it is still Pending after 15 minutes, tell support."
        case .accepted:
            return "No action yet: the provider has queued it. Check again in a few minutes."
        case .delivered:
            return "No action: the recipient's server accepted it. If they say it has not arrived, ask them to check their junk folder and to allow our sending domain."
        case .opened, .clicked:
            return "No action: the recipient has seen the email."
        case .temporaryFailure:
            if text.contains("quota") || text.contains("full") {
                return "The mailbox is full. The provider keeps retrying for about 8 hours; phone the recipient to clear space, or send the document another way if it is urgent."
            }
            if code == 498 || text.contains("no mx") || text.contains("unable to connect") {
                return "The address's domain does not receive mail. Check the spelling of the domain against the contact record and test from an outside mailbox; phone the recipient for a correct address."
            }
            return "No action yet: the provider retries for about 8 hours. If it ends as Failed, follow the advice then."
        case .failed:
            if reason == "suppress-bounce" || code == 605 {
                return "The address bounced before, so the provider no longer sends to it. Confirm the address with the recipient by phone, then contact support to lift the suppression."
            }
            if reason == "suppress-complaint" || code == 607 {
                return "The recipient once marked our email as spam, so the provider no longer sends to them. Phone them; only support can lift the suppression, and only at their request."
            }
            if reason == "suppress-unsubscribe" || code == 606 {
                return "The recipient unsubscribed. Phone them to agree how they want to be contacted; contact support to lift the suppression if they ask."
            }
            if text.contains("access denied") || text.contains("mailbox access") || text.contains("policy") || text.contains("block") || reason == "espblock" || reason == "blacklisted" {
                return "The recipient's mail server refused our email by its own rules. Phone the recipient and ask them (or their IT) to allow our sending domain, then resend."
            }
            if text.contains("disabled") || text.contains("inactive") || text.contains("no longer") {
                return "The mailbox has been closed or disabled. Phone the recipient for their current address, correct the contact record and resend."
            }
            if reason == "old" || code == 602 || code == 498 {
                return "The provider gave up after retrying (the domain could not be reached). Check the spelling of the domain, test from an outside mailbox, and phone the recipient for a correct address."
            }
            if text.contains("does not exist") || text.contains("unknown") || text.contains("not found") || text.contains("invalid") || reason == "bounce" {
                return "The mailbox does not exist. Check the spelling of the address and test it from an outside mailbox; phone the recipient to confirm it, correct the contact record and resend."
            }
            return "Delivery failed. Read the Status Details, check the address, and phone the recipient; notify support if the reason is unclear."
        case .complained:
            return "The recipient marked our email as spam; the address is suppressed. Phone them to agree how they want to be contacted. Only support can lift the suppression."
        case .unsubscribed:
            return "The recipient unsubscribed; later emails will not be sent. Phone them if they must receive statutory documents such as demands, and post those instead."
        case .rejected:
            if text.contains("not a valid address") || text.contains("malformed") || text.contains("address") {
                return "The provider refused the request because the address is malformed. Correct the contact record and resend; notify support of the rejection."
            }
            return "The provider refused the request, so nothing was sent. Notify support of the rejection (it usually needs a configuration fix)."
        }
    }
}
