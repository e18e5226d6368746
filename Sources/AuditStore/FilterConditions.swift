import AuditCore
import GRDB

/// The filter-to-SQL conditions shared by the list's page queries (``EmailQueryPlanner``) and
/// the counts (status counts from the emails or the roll-ups, Failures by domain): one place
/// says how an account, a set of statuses, a set of raisers and a date span become SQL.
/// Each appends its conditions (joined with AND by the caller) and binds their values.
enum FilterConditions {
    /// `account_id = ?` when there is an account.
    static func account(_ accountID: Int64?, _ conditions: inout [String], _ arguments: inout StatementArguments) {
        guard let accountID else { return }
        conditions.append("account_id = ?")
        arguments += [accountID]
    }

    /// `status IN (…)` when some statuses are chosen (none chosen: every status).
    static func statuses(_ statuses: Set<EmailStatus>, _ conditions: inout [String], _ arguments: inout StatementArguments) {
        guard !statuses.isEmpty else { return }
        conditions.append("status IN (SELECT value FROM json_each(?))")
        arguments += [StorageEncoding.jsonArray(statuses.map { Int64($0.code) }.sorted())]
    }

    /// `raised_by_id IN (…)` when some raisers are chosen (none chosen: anyone).
    static func raisedBy(_ ids: Set<Int64>, _ conditions: inout [String], _ arguments: inout StatementArguments) {
        guard !ids.isEmpty else { return }
        conditions.append("raised_by_id IN (SELECT value FROM json_each(?))")
        arguments += [StorageEncoding.jsonArray(ids.sorted())]
    }

    /// `created_at` within the span (start included, end excluded; an open end adds nothing).
    static func createdAt(_ span: TimeSpan, _ conditions: inout [String], _ arguments: inout StatementArguments) {
        if let start = span.start { conditions.append("created_at >= ?"); arguments += [StorageEncoding.milliseconds(start)] }
        if let end = span.end { conditions.append("created_at < ?"); arguments += [StorageEncoding.milliseconds(end)] }
    }
}
