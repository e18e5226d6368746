import AuditCore
import Foundation

/// An agency (an account and one staff member) and Pending receipts to hand over: what the
/// feeder-queue and batch-feeder contract suites record before they claim.
protocol QueueFixtures {}

extension QueueFixtures {
    /// A new account named `name` with one staff member, Priya Shah.
    func agency(_ store: any PortfolioStore, _ name: String) throws -> (account: Account, staff: StaffUser) {
        let account = try store.insertAccount(name: name)
        return (account, try store.insertStaff(accountID: account.id, name: "Priya Shah", role: .staff))
    }

    /// A rent receipt to `to` raised by the agency's staff member at `at`.
    func newEmail(_ agency: (account: Account, staff: StaffUser), to: String, at: Date) -> NewEmail {
        NewEmail(accountID: agency.account.id, raisedByID: agency.staff.id, activity: .receiptRecorded, to: to, cc: [],
                 from: "Harbour Lets <notices@mg.harbourlets.co.uk>", subject: "Rent receipt", textBody: "Dear tenant,\nthank you.",
                 attachmentNames: [], createdAt: at, unitIDs: [])
    }
}
