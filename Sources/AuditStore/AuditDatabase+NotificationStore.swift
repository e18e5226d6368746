import AuditCore

/// The SQLite backend of ``NotificationStore`` (its operations are in `NotificationQueries.swift`
/// and `NotificationDigests.swift`; raising is `NotificationRaising.swift`, in the ingest
/// transaction). ``DigestRecordingStore`` comes with it (the digests recorded, counted).
extension AuditDatabase: NotificationStore {}

/// The signed-in user's notifications through the SQLite reader.
extension AccountScopedReader: NotificationReader {}
