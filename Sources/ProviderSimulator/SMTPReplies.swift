import AuditCore

/// One reply as Mailgun reports it in `delivery-status`.
struct SMTPReply: Sendable, Hashable {
    var code: Int
    var enhancedCode: String?
    var message: String
    var description: String = ""
}

/// The reply texts the simulated servers give, modelled on real ones
/// (reference: /work/shared/reference/mailgun.md §5–§7).
enum SMTPReplies {
    /// 250: accepted by the receiving server.
    static let delivered = SMTPReply(code: 250, enhancedCode: nil, message: "OK")

    /// 550 5.1.1 (Gmail, Exchange) or Postfix's virtual-mailbox rejection: the mailbox does not exist.
    static func mailboxMissing(_ address: String, host: MailHost) -> SMTPReply {
        switch host {
        case .google:
            return SMTPReply(code: 550, enhancedCode: "5.1.1", message: """
                5.1.1 The email account that you tried to reach does not exist. Please try
                5.1.1 double-checking the recipient's email address for typos or
                5.1.1 unnecessary spaces. For more information, go to
                5.1.1  https://support.google.com/mail/?p=NoSuchUser - gsmtp
                """)
        case .outlookConsumer, .microsoft365:
            return SMTPReply(code: 550, enhancedCode: "5.1.1", message: "5.1.1 RESOLVER.ADR.RecipNotFound; not found")
        case .yahoo, .apple, .postfix:
            return SMTPReply(code: 550, enhancedCode: "5.1.1",
                             message: "5.1.1 <\(address)>: Recipient address rejected: User unknown in virtual mailbox table")
        }
    }

    /// 452 4.2.2: the mailbox is over quota (temporary).
    static func mailboxFull(_ address: String, host: MailHost) -> SMTPReply {
        switch host {
        case .google:
            return SMTPReply(code: 452, enhancedCode: "4.2.2", message: """
                4.2.2 The email account that you tried to reach is over quota. Please direct
                4.2.2 the recipient to https://support.google.com/mail/?p=OverQuotaTemp - gsmtp
                """)
        case .outlookConsumer, .microsoft365:
            return SMTPReply(code: 452, enhancedCode: "4.2.2",
                             message: "4.2.2 The recipient's mailbox is full and can't accept messages now. Please try resending this message later, or contact the recipient directly.")
        case .yahoo, .apple, .postfix:
            return SMTPReply(code: 452, enhancedCode: "4.2.2",
                             message: "4.2.2 <\(address)>: Quota exceeded (mailbox for user is full)")
        }
    }

    /// 550 5.4.1: Microsoft 365 Directory-Based Edge Blocking.
    static func accessDenied(serverName: String) -> SMTPReply {
        SMTPReply(code: 550, enhancedCode: "5.4.1",
                  message: "5.4.1 Recipient address rejected: Access denied. AS(201806281) [\(serverName)]")
    }

    /// 5.7.1: the receiving server refuses by local rule or policy (reason `espblock`).
    static func refused(_ address: String, host: MailHost) -> SMTPReply {
        switch host {
        case .google:
            return SMTPReply(code: 550, enhancedCode: "5.7.1",
                             message: "5.7.1 Message rejected by the recipient domain's administrator policy. Please contact the domain administrator. - gsmtp")
        case .outlookConsumer, .microsoft365:
            return SMTPReply(code: 550, enhancedCode: "5.7.1",
                             message: "5.7.1 TRANSPORT.RULES.RejectMessage; the message was rejected by organization policy")
        case .apple:
            return SMTPReply(code: 554, enhancedCode: "5.7.1", message: "5.7.1 [CS01] Message rejected due to local policy.")
        case .yahoo, .postfix:
            return SMTPReply(code: 550, enhancedCode: "5.7.1",
                             message: "5.7.1 <\(address)>: Recipient address rejected: Mailbox access refused by local policy")
        }
    }

    /// 450 4.2.0: Postgrey greylisting.
    static func greylisted(_ address: String, domain: String) -> SMTPReply {
        SMTPReply(code: 450, enhancedCode: "4.2.0",
                  message: "4.2.0 <\(address)>: Recipient address rejected: Greylisted, see http://postgrey.schweikert.ch/help/\(domain).html")
    }

    /// 550 5.2.1 arriving as an asynchronous bounce after the message was accepted.
    static func lateBounce(_ address: String, host: MailHost) -> SMTPReply {
        switch host {
        case .google:
            return SMTPReply(code: 550, enhancedCode: "5.2.1", message: "5.2.1 The email account that you tried to reach is disabled. - gsmtp")
        case .outlookConsumer, .microsoft365:
            return SMTPReply(code: 550, enhancedCode: "5.2.1", message: "5.2.1 STOREDRV.Deliver; mailbox disabled")
        case .yahoo, .apple, .postfix:
            return SMTPReply(code: 550, enhancedCode: "5.2.1", message: "5.2.1 <\(address)>: mailbox disabled, not accepting messages")
        }
    }

    /// Mailgun 498: the domain has no MX record (temporary, retried).
    static func noMX(domain: String) -> SMTPReply {
        SMTPReply(code: 498, enhancedCode: nil, message: "No MX for [\(domain)]", description: "No MX for [\(domain)]")
    }

    /// Mailgun 602: the retry window expired.
    static let tooOld = SMTPReply(code: 602, enhancedCode: nil, message: "Too old")

    /// Mailgun 605/606/607: the address is on a suppression list (exact texts from Mailgun).
    static func suppressed(_ kind: SuppressionKind) -> (reason: String, reply: SMTPReply) {
        switch kind {
        case .bounce:
            ("suppress-bounce", SMTPReply(code: 605, enhancedCode: nil, message: "",
                                          description: "Not delivering to previously bounced address"))
        case .unsubscribe:
            ("suppress-unsubscribe", SMTPReply(code: 606, enhancedCode: nil, message: "",
                                               description: "Not delivering to unsubscribed address"))
        case .complaint:
            ("suppress-complaint", SMTPReply(code: 607, enhancedCode: nil, message: "",
                                             description: "Not delivering to a user who marked your messages as spam"))
        }
    }
}
