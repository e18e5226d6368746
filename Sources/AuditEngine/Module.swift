// Module AuditEngine.
