import AuditCore
import AuditStore
import AuditStorePostgres
import Foundation

/// What the commands on both backends (`open`, `query`, `show`, `notifications`, `prefs`, the
/// screen's exports) need of a signed-in reader beyond ``AuditReader`` and ``NotificationReader``;
/// both backends' readers have it.
protocol ReportingReader: AuditReader, NotificationReader {
    /// The signed-in user.
    var user: AppUser { get }
    /// The account the reader answers for.
    var account: Account { get }
    /// The store's zone for days and times.
    var timeZone: TimeZone { get }
    /// The email's raw provider events, oldest first.
    func rawEvents(emailID: Int64) throws -> [String]
    /// The status details of the emails that have one.
    func statusDetails(emailIDs: [Int64]) throws -> [Int64: StatusDetail]
    /// The resend links of the emails that have any.
    func resendLinks(emailIDs: [Int64]) throws -> [Int64: ResendLinks]
    /// The reader's account's emails with this provider Message-ID, ascending.
    func emailIDs(messageID: String) throws -> [Int64]
}

extension AccountScopedReader: ReportingReader {}
extension PostgresAuditReader: ReportingReader {}
