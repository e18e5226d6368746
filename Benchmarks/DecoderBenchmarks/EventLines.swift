import Foundation
import Mailgun
import ProviderSimulator

/// A thousand Mailgun event lines as the provider simulator writes them, taken evenly from the
/// events of a few thousand sends, so every kind of event is represented in its usual share.
struct EventLines: Sendable {
    /// The lines as text.
    var lines: [String]
    /// The same lines as UTF-8 data, for Foundation's parsers.
    var datas: [Data]
    /// The same lines decoded, for the encoder.
    var events: [MailgunEvent]

    /// The corpus: 1,000 lines (one benchmark iteration each) from about 20,000 simulated events.
    static func corpus(count: Int = 1_000, from eventTarget: Int = 20_000) -> EventLines {
        let simulator = MailgunSimulator(seed: 2026)
        let domains = ["gmail.com", "outlook.com", "hotmail.co.uk", "yahoo.co.uk", "icloud.com", "btinternet.com",
                       "harbourlets-tenants.co.uk", "example.com", "gmial.com"]
        var all: [String] = []
        var sent = 0
        var time = Date(timeIntervalSince1970: 1_796_033_702)
        while all.count < eventTarget {
            let to = "tenant\(sent)@\(domains[sent % domains.count])"
            _ = try? simulator.send(MailgunSendRequest(
                from: "Harbour Lets <accounts@mg.harbourlets.co.uk>", to: [to], subject: "Rent demand for flat \(sent)",
                text: "Please pay at https://harbourlets.co.uk/pay/\(sent)",
                attachments: [.init(filename: "Demand.pdf", size: 48_000)],
                tags: ["demand"], variables: ["audit-id": "E-\(sent)"]), at: time)
            sent += 1
            time = time.addingTimeInterval(5)
            if sent % 1_000 == 0 { all += simulator.events(through: time) }
        }
        all += simulator.events(through: time.addingTimeInterval(86_400 * 30))
        let step = max(1, all.count / count)
        let lines = (0..<count).map { all[($0 * step) % all.count] }
        let events = lines.compactMap { try? MailgunEventDecoder.decode(line: $0, lineNumber: 1).event }
        precondition(events.count == lines.count, "the simulator wrote a line the decoder refuses")
        return EventLines(lines: lines, datas: lines.map { Data($0.utf8) }, events: events)
    }
}
