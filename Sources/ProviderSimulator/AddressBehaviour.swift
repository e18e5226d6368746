/// What an address does with mail, decided once per address (see ``MailgunSimulator``).
enum AddressBehaviour: Sendable, Hashable {
    /// Delivered; opens, clicks, complaints, unsubscribes, late bounces and greylisting
    /// follow the message-level rates.
    case ordinary
    /// `ok.`: delivered and nothing else, ever.
    case alwaysDelivered
    /// `open.`: delivered, then opened once.
    case opens
    /// `click.`: delivered, opened, then clicked.
    case clicks
    /// `grey.`: greylisted once (450 4.2.0), then delivered.
    case greylisted
    /// `late.`: delivered, then an asynchronous bounce.
    case lateBounce
    /// `complain.`: delivered, opened, then reported as spam.
    case complains
    /// `unsub.`: delivered, opened, then unsubscribed.
    case unsubscribes
    /// The domain has no MX: 498 retried on Mailgun's schedule, then 602 Too old.
    case noMX
    /// `bounce.`: the mailbox does not exist.
    case mailboxMissing
    /// `full.`: the mailbox is over quota.
    case mailboxFull
    /// `blocked.`: Microsoft 365 Directory-Based Edge Blocking (550 5.4.1 Access denied).
    case accessDenied
    /// `refused.`: the server refuses by its own rules (5.7.1, reason `espblock`).
    case refused

    /// Local-part prefixes that force a behaviour, checked in order.
    static let forcingPrefixes: [(prefix: String, behaviour: AddressBehaviour)] = [
        ("ok.", .alwaysDelivered), ("open.", .opens), ("click.", .clicks), ("grey.", .greylisted),
        ("late.", .lateBounce), ("complain.", .complains), ("unsub.", .unsubscribes),
        ("bounce.", .mailboxMissing), ("full.", .mailboxFull), ("blocked.", .accessDenied),
        ("refused.", .refused),
    ]

    /// The behaviour of `address` (lower-cased, valid): a no-MX domain first, then a forcing
    /// prefix, then the address-level rates drawn from a hash of the address and `seed`.
    static func of(_ address: String, domain: String, host: MailHost, seed: UInt64,
                   rates: SimulationRates) -> AddressBehaviour {
        if MailDomainDirectory.hasNoMX(domain) { return .noMX }
        for (prefix, behaviour) in forcingPrefixes where address.hasPrefix(prefix) {
            return behaviour
        }
        var draw = StableHash.unit("address|" + address, seed: seed)
        if draw < rates.nonexistentMailbox { return .mailboxMissing }
        draw -= rates.nonexistentMailbox
        if draw < rates.mailboxFull { return .mailboxFull }
        draw -= rates.mailboxFull
        if draw < rates.ruleRefusal { return .refused }
        draw -= rates.ruleRefusal
        if host == .microsoft365, draw < rates.accessDenied { return .accessDenied }
        return .ordinary
    }
}
