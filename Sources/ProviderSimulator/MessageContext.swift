import Mailgun

/// What every event of one sent message shares.
struct MessageContext: Sendable {
    /// The sending domain.
    var domain: String
    /// The message id without angle brackets.
    var messageID: String
    /// The full headers (to, from, subject, message-id).
    var headers: MailgunEvent.Headers
    var attachments: [MailgunEvent.Attachment]
    /// The message size in bytes as Mailgun would report it.
    var size: Int
    var tags: [String]
    var variables: [String: String]
    var storage: MailgunEvent.Storage
    /// The envelope sender (the bare From address).
    var sender: String
    /// The Mailgun IP address the message leaves from.
    var sendingIP: String
    /// The link a reader follows when clicking.
    var clickURL: String

    /// The MIME type Mailgun would report for a file name.
    static func contentType(forFilename name: String) -> String {
        let fileExtension = name.split(separator: ".").last.map { $0.lowercased() } ?? ""
        switch fileExtension {
        case "pdf": return "application/pdf"
        case "csv": return "text/csv"
        case "txt": return "text/plain"
        case "htm", "html": return "text/html"
        case "jpg", "jpeg": return "image/jpeg"
        case "png": return "image/png"
        case "doc": return "application/msword"
        case "docx": return "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        case "xls": return "application/vnd.ms-excel"
        case "xlsx": return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        case "zip": return "application/zip"
        default: return "application/octet-stream"
        }
    }

    /// Size on the wire: headers, the text part, and base64-encoded attachments.
    static func messageSize(request: MailgunSendRequest) -> Int {
        let headerBytes = 620 + request.from.utf8.count + request.subject.utf8.count
            + request.recipients.reduce(0) { $0 + $1.utf8.count + 2 }
            + request.variables.reduce(0) { $0 + $1.key.utf8.count + $1.value.utf8.count + 24 }
        let attachmentBytes = request.attachments.reduce(0) { total, attachment in
            total + (max(attachment.size, 0) + 2) / 3 * 4 + 180 + attachment.filename.utf8.count * 2
        }
        return headerBytes + request.text.utf8.count + attachmentBytes
    }

    /// The first http(s) link in `text`, if any.
    static func firstLink(in text: String) -> String? {
        let utf8 = Array(text.utf8)
        let https = Array("https://".utf8), http = Array("http://".utf8)
        var index = 0
        while index < utf8.count {
            if utf8[index] == UInt8(ascii: "h"),
               utf8[index...].starts(with: https) || utf8[index...].starts(with: http) {
                var end = index
                let stops: Set<UInt8> = [0x20, 0x0A, 0x0D, 0x09, UInt8(ascii: ">"), UInt8(ascii: "\""), UInt8(ascii: ")")]
                while end < utf8.count, !stops.contains(utf8[end]) { end += 1 }
                return String(decoding: utf8[index..<end], as: UTF8.self)
            }
            index += 1
        }
        return nil
    }
}
