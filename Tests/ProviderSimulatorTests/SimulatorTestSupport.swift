import AuditCore
import Foundation
import Mailgun
import ProviderSimulator

/// 2026-11-30 10:15:02 UTC.
let sendTime = Date(timeIntervalSince1970: 1_796_033_702)

extension Date {
    func adding(hours: Double) -> Date { addingTimeInterval(hours * 3_600) }
}

func request(to: [String], cc: [String] = [], subject: String = "Rent demand", auditID: String = "E-1",
             text: String = "Please pay at https://harbourlets.co.uk/pay/123 today.",
             attachments: [MailgunAttachment] = []) -> MailgunSendRequest {
    MailgunSendRequest(from: "Harbour Lets <accounts@mg.harbourlets.co.uk>", to: to, cc: cc, subject: subject,
                       text: text, attachments: attachments, tags: ["demand"], variables: ["audit-id": auditID])
}

/// Decodes simulator output, failing loudly on anything that does not decode.
func decodeAll(_ lines: [String]) throws -> [MailgunEvent] {
    try lines.enumerated().map { try MailgunEventDecoder.decode(line: $1, lineNumber: $0 + 1).event }
}

/// Sends one message and returns its events up to `hours` after sending.
func sendAndCollect(_ simulator: MailgunSimulator, _ request: MailgunSendRequest, at time: Date = sendTime,
                    hours: Double = 24 * 7) throws -> (response: MailgunSendResponse, events: [MailgunEvent]) {
    let response = try simulator.send(request, at: time)
    let events = try decodeAll(simulator.events(through: time.adding(hours: hours)))
    return (response, events)
}
