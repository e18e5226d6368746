import AuditCore

/// The SQLite backend of the ingest contract: ``AuditDatabase/apply(_:defaultAccountID:)`` and
/// ``AuditDatabase/apply(batches:defaultAccountID:)`` (EventIngest.swift) as they are.
extension AuditDatabase: BatchGroupingIngestStore {}
