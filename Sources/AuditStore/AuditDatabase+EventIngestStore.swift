import AuditCore

/// The SQLite backend of the ingest contract: ``AuditDatabase/apply(_:defaultAccountID:)``
/// (EventIngest.swift) as it is.
extension AuditDatabase: EventIngestStore {}
