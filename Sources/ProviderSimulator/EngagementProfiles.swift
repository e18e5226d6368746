import Mailgun

/// Who opens and clicks: readers' locations, clients and addresses, picked by the seeded generator.
enum EngagementProfiles {
    /// Where readers are (invented, UK-weighted, as a letting agent's tenants and landlords would be).
    static let locations: [MailgunEvent.Geolocation] = [
        .init(country: "GB", region: "England", city: "London"),
        .init(country: "GB", region: "England", city: "London"),
        .init(country: "GB", region: "England", city: "Bristol"),
        .init(country: "GB", region: "England", city: "Manchester"),
        .init(country: "GB", region: "England", city: "Brighton"),
        .init(country: "GB", region: "England", city: "Leeds"),
        .init(country: "GB", region: "Scotland", city: "Edinburgh"),
        .init(country: "GB", region: "Wales", city: "Cardiff"),
        .init(country: "GB", region: "Unknown", city: "Unknown"),
        .init(country: "ES", region: "Andalusia", city: "Malaga"),
    ]

    /// People reading mail.
    static let people: [MailgunEvent.ClientInfo] = [
        .init(clientType: "email client", clientOS: "iOS", deviceType: "mobile", clientName: "Apple Mail",
              userAgent: "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148", bot: ""),
        .init(clientType: "browser", clientOS: "Windows", deviceType: "desktop", clientName: "Chrome",
              userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36", bot: ""),
        .init(clientType: "email client", clientOS: "Windows", deviceType: "desktop", clientName: "Outlook 2019",
              userAgent: "Microsoft Office/16.0 (Windows NT 10.0; Microsoft Outlook 16.0.17928; Pro)", bot: ""),
        .init(clientType: "mobile browser", clientOS: "Android", deviceType: "mobile", clientName: "Chrome Mobile",
              userAgent: "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", bot: ""),
        .init(clientType: "email client", clientOS: "macOS", deviceType: "desktop", clientName: "Apple Mail",
              userAgent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)", bot: ""),
    ]

    /// Apple Mail Privacy Protection prefetching the tracking pixel.
    static let applePrivacyProxy = MailgunEvent.ClientInfo(
        clientType: "email client", clientOS: "macOS", deviceType: "desktop", clientName: "Apple Mail",
        userAgent: "Mozilla/5.0", bot: "apple")

    /// Gmail's image proxy fetching the tracking pixel on the reader's behalf.
    static let gmailImageProxy = MailgunEvent.ClientInfo(
        clientType: "browser", clientOS: "Windows", deviceType: "desktop", clientName: "Firefox",
        userAgent: "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)", bot: "gmail")

    /// A reader for one open of a message to a domain hosted by `host`.
    static func reader(for host: MailHost, random: inout SimulationRandom) -> (ip: String, location: MailgunEvent.Geolocation, client: MailgunEvent.ClientInfo) {
        switch host {
        case .apple where random.chance(0.6):
            return ("17.58.\(random.int(in: 0...63)).\(random.int(in: 1...254))",
                    .init(country: "Unknown", region: "Unknown", city: "Unknown"), applePrivacyProxy)
        case .google where random.chance(0.5):
            return ("66.249.\(random.int(in: 80...95)).\(random.int(in: 1...254))",
                    .init(country: "US", region: "CA", city: "Mountain View"), gmailImageProxy)
        default:
            // Documentation address ranges (RFC 5737): invented readers, no real IPs.
            let network = random.pick(["203.0.113", "192.0.2"])
            return ("\(network).\(random.int(in: 1...254))", random.pick(locations), random.pick(people))
        }
    }
}
