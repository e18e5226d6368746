extension PostgresSchema {
    /// Version 7, notification notices: version 2's statement trigger (`email_audit_changed()`,
    /// which since version 5 also sends a notice on ``PostgresChangeWatch/channel``) on
    /// `notifications` and `notification_preferences` too, so a notification raised, read or
    /// moved, or a preference saved, on one machine advances the change token and reaches the
    /// notification view and the Workbench of screens elsewhere when it commits, as SQLite's
    /// change counter does for both tables.
    static let v7NotificationNotices: [String] = ["notifications", "notification_preferences"].map { table in
        """
        CREATE TRIGGER \(table)_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON \(table)
            FOR EACH STATEMENT EXECUTE FUNCTION email_audit_changed()
        """
    }
}
