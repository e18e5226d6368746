/// The JSON examples of /work/shared/reference/mailgun.md, copied verbatim
/// (§2.3 events, §3.2 webhook body shape, §4.2 Events API page).
enum ReferenceExamples {
    static let accepted = #"""
{"event": "accepted", "id": "Zq8sJ0cWTtOqz3cFq1mB2w", "timestamp": 1741947302.417863,
 "log-level": "info", "method": "http",
 "envelope": {"sender": "billing@mg.example.com", "targets": "alice@example.net", "transport": "smtp"},
 "flags": {"is-authenticated": true, "is-test-mode": false},
 "message": {"headers": {"to": "Alice <alice@example.net>", "from": "Billing <billing@mg.example.com>",
   "subject": "Invoice 1042", "message-id": "20250314101502.5f3c9a1b7d2e4c60@mg.example.com"},
   "attachments": [], "recipients": ["alice@example.net"], "size": 4213},
 "recipient": "alice@example.net", "recipient-domain": "example.net",
 "storage": {"url": "https://storage-us-east4.api.mailgun.net/v3/domains/mg.example.com/messages/BAABAQc1x", "key": "BAABAQc1x"},
 "tags": ["invoice"], "campaigns": [], "user-variables": {"audit-id": "A-77"}}
"""#

    static let rejected = #"""
{"event": "rejected", "id": "n0QmJdRkQ1y2eVz7Wc8Hqg", "timestamp": 1741947302.51, "log-level": "warn",
 "flags": {"is-test-mode": false},
 "reject": {"reason": "Sandbox subdomains are for test purposes only. Please add your own domain or add the address to authorized recipients in Account Settings.", "description": ""},
 "message": {"headers": {"to": "bob@example.org", "from": "app@sandbox0f3c.mailgun.org", "subject": "Hi",
   "message-id": "20250314101502.9a8b7c6d5e4f3a21@sandbox0f3c.mailgun.org"}, "attachments": [], "size": 867},
 "tags": [], "campaigns": [], "user-variables": {}}
"""#

    static let delivered = #"""
{"event": "delivered", "id": "hB3rX9mPQk2o1TzYy7aLwA", "timestamp": 1741947305.112004, "log-level": "info",
 "envelope": {"sender": "billing@mg.example.com", "targets": "alice@example.net", "transport": "smtp", "sending-ip": "198.51.100.23"},
 "flags": {"is-authenticated": true, "is-routed": false, "is-system-test": false, "is-test-mode": false},
 "delivery-status": {"attempt-no": 1, "code": 250, "message": "OK", "description": "", "session-seconds": 0.84,
   "mx-host": "mx1.example.net", "tls": true, "certificate-verified": true, "utf8": true},
 "message": {"headers": {"to": "Alice <alice@example.net>", "from": "Billing <billing@mg.example.com>",
   "subject": "Invoice 1042", "message-id": "20250314101502.5f3c9a1b7d2e4c60@mg.example.com"}, "attachments": [], "size": 4213},
 "recipient": "alice@example.net", "recipient-domain": "example.net", "recipient-provider": "Other",
 "storage": {"url": "https://storage-us-east4.api.mailgun.net/v3/domains/mg.example.com/messages/BAABAQc1x", "key": "BAABAQc1x"},
 "tags": ["invoice"], "campaigns": [], "user-variables": {"audit-id": "A-77"}}
"""#

    static let failedTemporary = #"""
{"event": "failed", "severity": "temporary", "reason": "generic", "id": "t1Gm2cU0RmWm5qKx8pZ4Ew",
 "timestamp": 1741947905.30071, "log-level": "warn",
 "delivery-status": {"attempt-no": 1, "code": 452, "enhanced-code": "4.2.2", "description": "",
   "message": "4.2.2 The email account that you tried to reach is over quota. Please direct\n4.2.2 the recipient to https://support.google.com/mail/?p=OverQuotaTemp",
   "mx-host": "gmail-smtp-in.l.google.com", "retry-seconds": 600, "session-seconds": 0.31,
   "tls": true, "certificate-verified": true, "utf8": true},
 "envelope": {"sender": "billing@mg.example.com", "targets": "carol@gmail.com", "transport": "smtp", "sending-ip": "198.51.100.23"},
 "flags": {"is-authenticated": true, "is-routed": false, "is-system-test": false, "is-test-mode": false},
 "message": {"headers": {"to": "carol@gmail.com", "from": "billing@mg.example.com", "subject": "Invoice 1043",
   "message-id": "20250314101502.77aa01bc9e3d2f10@mg.example.com"}, "attachments": [], "size": 4190},
 "recipient": "carol@gmail.com", "recipient-domain": "gmail.com", "tags": [], "campaigns": [], "user-variables": {}}
"""#

    static let failedBounce = #"""
{"event": "failed", "severity": "permanent", "reason": "bounce", "id": "k7YwP0aHTfGd3sLq2vN9Rw",
 "timestamp": 1741947303.90215, "log-level": "error",
 "delivery-status": {"attempt-no": 1, "code": 550, "enhanced-code": "5.1.1", "bounce-type": "hard", "description": "",
   "message": "5.1.1 The email account that you tried to reach does not exist. Please try\n5.1.1 double-checking the recipient's email address for typos or\n5.1.1 unnecessary spaces.",
   "mx-host": "gmail-smtp-in.l.google.com", "session-seconds": 0.42, "tls": true, "certificate-verified": true, "utf8": true},
 "envelope": {"sender": "billing@mg.example.com", "targets": "no.such.user@gmail.com", "transport": "smtp", "sending-ip": "198.51.100.23"},
 "flags": {"is-authenticated": true, "is-routed": false, "is-system-test": false, "is-test-mode": false},
 "message": {"headers": {"to": "no.such.user@gmail.com", "from": "billing@mg.example.com", "subject": "Invoice 1044",
   "message-id": "20250314101502.c0ffee11aa22bb33@mg.example.com"}, "attachments": [], "size": 4188},
 "recipient": "no.such.user@gmail.com", "recipient-domain": "gmail.com", "tags": [], "campaigns": [], "user-variables": {}}
"""#

    static let failedSuppressed = #"""
{"event": "failed", "severity": "permanent", "reason": "suppress-bounce", "id": "Vd2eQ7nLSgK0mRt5yB1cZa",
 "timestamp": 1741947302.98, "log-level": "error",
 "delivery-status": {"attempt-no": 1, "code": 605, "message": "", "session-seconds": 0.0,
   "description": "Not delivering to previously bounced address"},
 "envelope": {"sender": "billing@mg.example.com", "targets": "no.such.user@gmail.com", "transport": "smtp"},
 "flags": {"is-routed": false, "is-authenticated": true, "is-system-test": false, "is-test-mode": false},
 "message": {"headers": {"to": "no.such.user@gmail.com", "from": "billing@mg.example.com", "subject": "Invoice 1045",
   "message-id": "20250314101502.d00d12ab34cd56ef@mg.example.com"}, "attachments": [], "size": 4188},
 "recipient": "no.such.user@gmail.com", "recipient-domain": "gmail.com", "tags": [], "campaigns": [], "user-variables": {}}
"""#

    static let failedTooOld = #"""
{"event": "failed", "severity": "permanent", "reason": "old", "id": "R5sTq1wXUe8iOp3aSd6fGh",
 "timestamp": 1741976102.01, "log-level": "error",
 "delivery-status": {"attempt-no": 8, "code": 602, "message": "Too old", "description": "", "session-seconds": 0.0},
 "message": {"headers": {"to": "dave@nomx.example", "from": "billing@mg.example.com", "subject": "Invoice 1046",
   "message-id": "20250314101502.0badc0de0badc0de@mg.example.com"}, "attachments": [], "size": 4188},
 "recipient": "dave@nomx.example", "recipient-domain": "nomx.example", "tags": [], "campaigns": [], "user-variables": {}}
"""#

    static let opened = #"""
{"event": "opened", "id": "o9Lk3JhGf5dS2aPq8wEr1t", "timestamp": 1741950610.55, "log-level": "info",
 "recipient": "alice@example.net", "recipient-domain": "example.net",
 "message": {"headers": {"message-id": "20250314101502.5f3c9a1b7d2e4c60@mg.example.com"}},
 "ip": "203.0.113.45", "geolocation": {"country": "DE", "region": "BE", "city": "Berlin"},
 "client-info": {"client-type": "email client", "client-os": "iOS", "device-type": "mobile",
   "client-name": "Apple Mail", "user-agent": "Mozilla/5.0", "bot": "apple"},
 "tags": ["invoice"], "campaigns": [], "user-variables": {"audit-id": "A-77"}}
"""#

    static let complained = #"""
{"event": "complained", "id": "c4Vb7Nm1Qw3Er5Ty8Ui0Op", "timestamp": 1741975200.0, "log-level": "warn",
 "recipient": "erin@example.com", "envelope": {"sending-ip": "198.51.100.23"}, "flags": {"is-test-mode": false},
 "message": {"headers": {"to": "erin@example.com", "from": "news@mg.example.com", "subject": "March news",
   "message-id": "20250314101502.abcdef0123456789@mg.example.com"}, "attachments": [], "size": 18230},
 "tags": ["newsletter"], "campaigns": [], "user-variables": {}}
"""#

    static let stored = #"""
{"event": "stored", "id": "s2Df4Gh6Jk8Lz0Xc1Vb3Nm", "timestamp": 1741947400.2, "log-level": "info",
 "flags": {"is-test-mode": false},
 "message": {"headers": {"to": "support@mg.example.com", "from": "frank@example.org", "subject": "Help",
   "message-id": "CAF3x9@mail.example.org"}, "attachments": [], "recipients": ["support@mg.example.com"], "size": 2210},
 "storage": {"url": "https://storage-us-east4.api.mailgun.net/v3/domains/mg.example.com/messages/AgEFx", "key": "AgEFx"},
 "tags": [], "campaigns": [], "user-variables": {}}
"""#

    static let webhookBody = #"""
{"signature": {"timestamp": "1741947310",
               "token": "3f9c1e0b7a5d4c2e8f6a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d",
               "signature": "0bc43bd965377db8ff3d5e39b6519a3d9b85e190f12c780afacd435c74a67fe4"},
 "event-data": { "...": "one event object exactly as in the Events API (section 2)" }}
"""#

    static let eventsPage = #"""
{"items": [ {"event": "accepted", "...": "..."} ],
 "paging": {"next": "https://api.mailgun.net/v3/mg.example.com/events/W3siYiI6...",
            "previous": "https://api.mailgun.net/v3/mg.example.com/events/Lkawm...",
            "first": "...", "last": "..."}}
"""#

    /// The §2.3 event examples, in document order.
    static let events: [(name: String, json: String)] = [
        ("accepted", accepted),
        ("rejected", rejected),
        ("delivered", delivered),
        ("failedTemporary", failedTemporary),
        ("failedBounce", failedBounce),
        ("failedSuppressed", failedSuppressed),
        ("failedTooOld", failedTooOld),
        ("opened", opened),
        ("complained", complained),
        ("stored", stored),
    ]
}
