/// Who runs a domain's mail, in the simulator's model of DNS.
enum MailHost: Sendable, Hashable {
    /// Gmail (consumer) or Google Workspace.
    case google
    /// Outlook.com / Hotmail (consumer).
    case outlookConsumer
    /// A business domain on Microsoft 365 (Exchange Online Protection).
    case microsoft365
    /// Yahoo, AOL.
    case yahoo
    /// iCloud.
    case apple
    /// Any other server: Postfix with Dovecot.
    case postfix

    /// Whether replies read like Exchange's (RESOLVER.ADR..., TRANSPORT.RULES...).
    var isMicrosoft: Bool { self == .outlookConsumer || self == .microsoft365 }
}

/// The simulator's model of DNS: which domains have no MX record (typos), and which
/// mail host answers for the rest.
enum MailDomainDirectory {
    /// Misspellings of popular domains that have no MX record. Mailgun reports these as
    /// 498 "No MX for [domain]", retried until "Too old".
    static let domainsWithoutMX: Set<String> = [
        "gmial.com", "gmai.com", "gmal.com", "gamil.com", "gnail.com", "gmaill.com", "gmail.co", "gmail.cm",
        "gmail.om", "gmali.com", "gemail.com", "gmail.con", "googlemail.con",
        "hotmial.com", "hotmial.co.uk", "hotmal.com", "hotmai.com", "hotmail.co", "hotmil.com", "hotamil.com",
        "hotmail.cok", "hotmail.co.ukk", "homail.com", "hotmaill.com",
        "outlok.com", "outloo.com", "outlook.co", "outllok.com", "outlookk.com", "oulook.com",
        "yahoo.co", "yaho.com", "yahooo.com", "yhoo.com", "yahoo.cm", "yahoo.co.ik",
        "icloud.co", "icoud.com", "iclod.com", "icluod.com",
        "btinternet.con", "btinternet.co", "btinternt.com", "btinterent.com", "btinernet.com",
        "sky.con", "skyy.com", "virginmedia.co", "virginmeda.com", "virgin.met",
        "live.co", "live.co.ukk", "aol.co", "talktalk.nett", "tiscali.co",
    ]

    /// Top-level domains that do not exist (common slips of the keyboard); any domain under
    /// them has no MX.
    static let nonexistentTopLevelDomains: Set<String> = [
        "con", "cmo", "ocm", "vom", "xom", "comm", "coom", "cpm", "clm", "nte", "nett", "ukk", "couk",
        "invalid", "test", "localhost",
    ]

    /// Whether mail for `domain` cannot be delivered because it has no MX record.
    static func hasNoMX(_ domain: String) -> Bool {
        if domainsWithoutMX.contains(domain) { return true }
        if domain.hasPrefix("nomx.") || domain.contains(".nomx.") { return true }
        return nonexistentTopLevelDomains.contains(String(AddressText.topLevelDomain(of: domain)))
    }

    private static let knownHosts: [String: MailHost] = [
        "gmail.com": .google, "googlemail.com": .google,
        "outlook.com": .outlookConsumer, "outlook.co.uk": .outlookConsumer, "hotmail.com": .outlookConsumer,
        "hotmail.co.uk": .outlookConsumer, "live.com": .outlookConsumer, "live.co.uk": .outlookConsumer,
        "msn.com": .outlookConsumer,
        "yahoo.com": .yahoo, "yahoo.co.uk": .yahoo, "ymail.com": .yahoo, "aol.com": .yahoo, "aol.co.uk": .yahoo,
        "rocketmail.com": .yahoo,
        "icloud.com": .apple, "me.com": .apple, "mac.com": .apple,
        "btinternet.com": .postfix, "sky.com": .postfix, "virginmedia.com": .postfix, "talktalk.net": .postfix,
    ]

    /// Who answers for `domain`. Consumer domains are fixed; other domains are spread
    /// over Microsoft 365 (45%), Google Workspace (25%) and Postfix (30%) by a stable hash.
    static func host(for domain: String, seed: UInt64) -> MailHost {
        if let host = knownHosts[domain] { return host }
        let draw = StableHash.unit("host|" + domain, seed: seed)
        if draw < 0.45 { return .microsoft365 }
        if draw < 0.70 { return .google }
        return .postfix
    }

    /// The MX host name that answers for `domain`.
    static func mxHost(for domain: String, host: MailHost) -> String {
        let dashed = domain.replacingDots(with: UInt8(ascii: "-"))
        switch host {
        case .google: return domain == "gmail.com" || domain == "googlemail.com" ? "gmail-smtp-in.l.google.com" : "aspmx.l.google.com"
        case .outlookConsumer: return "\(dashed).olc.protection.outlook.com"
        case .microsoft365: return "\(dashed).mail.protection.outlook.com"
        case .yahoo: return "mta7.am0.yahoodns.net"
        case .apple: return "mx01.mail.icloud.com"
        case .postfix: return "mx1.\(domain)"
        }
    }
}

extension String {
    /// The text with every "." replaced by an ASCII character.
    func replacingDots(with replacement: UInt8) -> String {
        String(decoding: utf8.map { $0 == UInt8(ascii: ".") ? replacement : $0 }, as: UTF8.self)
    }
}
