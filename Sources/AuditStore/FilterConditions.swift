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

    /// The keyset conditions of a later page: rows past `cursor` in the direction of paging
    /// (`older`: towards older emails), on (created_at, id). The first condition bounds the
    /// index range; the second skips the cursor's own row and its earlier ties.
    static func keysetConditions(older: Bool) -> [String] {
        older ? ["created_at <= ?", "(created_at < ? OR id < ?)"] : ["created_at >= ?", "(created_at > ? OR id > ?)"]
    }

    /// Adds ``keysetConditions(older:)`` and their arguments for `cursor` (nothing when nil).
    static func keyset(_ cursor: EmailCursor?, older: Bool, _ conditions: inout [String], _ arguments: inout StatementArguments) {
        guard let cursor else { return }
        let at = StorageEncoding.milliseconds(cursor.createdAt)
        conditions += keysetConditions(older: older)
        arguments += [at, at, cursor.id]
    }
}

extension FilterConditions {
    /// Every condition a row of a Subject search's page meets, the id range aside: the filter's
    /// (To, account, statuses, staff, subject text, dates) and, on a later page, the keyset
    /// cursor's place in the direction of paging (`older`: towards older emails).
    static func subjectPageRow(filter: EmailFilter, accountID: Int64, span: TimeSpan, cursor: EmailCursor?,
                               older: Bool) -> (conditions: [String], arguments: StatementArguments) {
        var conditions: [String] = [], arguments: StatementArguments = []
        if let to = filter.to { conditions += EmailQueryPlanner.dateIndexAddressConditions(to, arguments: &arguments) }
        conditions.append("account_id = ?"); arguments += [accountID]
        FilterConditions.statuses(filter.statuses, &conditions, &arguments)
        FilterConditions.raisedBy(filter.raisedBy, &conditions, &arguments)
        conditions.append(EmailQueryPlanner.subjectCondition(filter.subject ?? "", arguments: &arguments))
        FilterConditions.createdAt(span, &conditions, &arguments)
        keyset(cursor, older: older, &conditions, &arguments)
        return (conditions, arguments)
    }
}
