// Module Mailgun.
