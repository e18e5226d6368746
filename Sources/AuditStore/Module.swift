// Module AuditStore.
