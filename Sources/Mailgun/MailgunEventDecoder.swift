/// Decodes one line of input into a ``MailgunEvent``.
///
/// A line is either a bare event object (an Events API item, one per line in a JSONL file)
/// or a webhook body `{"signature": {...}, "event-data": {...}}`.
///
/// The decoder is stateless: call it from any number of threads at once. It uses the
/// module's own byte-level JSON parser, measured against `JSONDecoder` and `JSONSerialization`
/// on the same lines by `make bench` (Benchmarks/DecoderBenchmarks; figures in docs/benchmark.txt).
public enum MailgunEventDecoder {
    /// Which members of the event a decode keeps.
    public enum Fields: Sendable {
        /// Every member ``MailgunEvent`` models.
        case all
        /// Only those the ingest maps into a provider event (event, id, timestamp, recipient,
        /// severity, reason, url, reject, user variables, the delivery status's code, texts,
        /// attempt and retry, `flags.is-delayed-bounce`, the message's headers and attachment
        /// file names). The others (envelope, storage, tags, geolocation, client info, log
        /// level, method, ip, recipient domain, the message's recipients and size, ...) are
        /// skipped but still syntax-checked, so a line decodes, or fails, exactly as with
        /// ``all``: only fewer strings are made.
        case ingest
    }

    /// Whether `line` holds nothing but whitespace; callers skip such lines.
    public static func isBlank(_ line: some StringProtocol) -> Bool {
        line.utf8.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D }
    }

    /// Decodes one line.
    /// - Parameters:
    ///   - line: The JSON text of an event object or webhook body.
    ///   - lineNumber: The 1-based line number, reported in errors.
    /// - Throws: ``MailgunDecodingError`` naming the line and the field when the line is not
    ///   JSON (`(json)`), not an object (`(root)`), or lacks a required field: `event`, `id`,
    ///   `timestamp`, and for message events `message.headers.message-id`.
    ///   - fields: The members to keep (``Fields/all`` unless given).
    public static func decode(line: String, lineNumber: Int, fields: Fields = .all) throws(MailgunDecodingError) -> DecodedMailgunEvent {
        let original = line
        var contiguous = line
        let result: Result<DecodedMailgunEvent, MailgunDecodingError> = contiguous.withUTF8 { bytes in
            Result { () throws(MailgunDecodingError) in
                try decode(utf8: bytes, lineNumber: lineNumber, original: original, fields: fields)
            }
        }
        return try result.get()
    }

    /// Decodes one line given as UTF-8 bytes (for callers that read files without making a
    /// `String` per line). Behaves exactly like ``decode(line:lineNumber:)``.
    public static func decode(utf8 bytes: UnsafeBufferPointer<UInt8>, lineNumber: Int) throws(MailgunDecodingError) -> DecodedMailgunEvent {
        try decode(utf8: bytes, lineNumber: lineNumber, original: nil, fields: .all)
    }

    private static func decode(utf8 bytes: UnsafeBufferPointer<UInt8>, lineNumber: Int,
                               original: String?, fields: Fields) throws(MailgunDecodingError) -> DecodedMailgunEvent {
        var parser = JSONParser(bytes: bytes)
        parser.keepsIngestFieldsOnly = fields == .ingest
        var bare = MailgunEventFields()
        var webhook: (fields: MailgunEventFields, range: Range<Int>)?
        var unusableEventData: JSONValue?
        var signature: MailgunWebhookSignature?
        var nonObjectRoot: JSONValue?
        do throws(JSONParser.SyntaxError) {
            if parser.peek() != UInt8(ascii: "{") {
                nonObjectRoot = try parser.parseDocument()
            } else {
                try parser.readObject { parser, key throws(JSONParser.SyntaxError) in
                    if key.is("event-data") {
                        // A webhook body: {"signature": {...}, "event-data": {...}}.
                        if parser.peek() == UInt8(ascii: "{") {
                            let start = parser.position
                            var fields = MailgunEventFields()
                            try parser.readEvent(into: &fields)
                            webhook = (fields, start..<parser.position)
                            unusableEventData = nil
                        } else {
                            unusableEventData = try parser.parseValue()
                            webhook = nil
                        }
                    } else if key.is("signature") {
                        signature = try parser.parseValue().members.flatMap(Self.signature(from:))
                    } else {
                        try parser.readEventMember(key, into: &bare)
                    }
                }
                try parser.expectEnd()
            }
        } catch {
            throw MailgunDecodingError(line: lineNumber, field: "(json)",
                                       problem: "not valid JSON: \(error.problem) at column \(error.column)")
        }
        if let nonObjectRoot {
            throw MailgunDecodingError(line: lineNumber, field: "(root)", problem: "expected an object, found \(nonObjectRoot.typeName)")
        }
        if let unusableEventData {
            throw MailgunDecodingError(line: lineNumber, field: "event-data",
                                       problem: "expected an object, found \(unusableEventData.typeName)")
        }
        if let webhook {
            let event = try webhook.fields.validated(lineNumber: lineNumber)
            let raw = String(decoding: UnsafeBufferPointer(rebasing: bytes[webhook.range]), as: UTF8.self)
            return DecodedMailgunEvent(event: event, rawJSON: raw, signature: signature)
        }
        let event = try bare.validated(lineNumber: lineNumber)
        return DecodedMailgunEvent(event: event, rawJSON: rawText(of: bytes, original: original))
    }

    /// The input without surrounding whitespace, reusing `original` when nothing needs trimming.
    private static func rawText(of bytes: UnsafeBufferPointer<UInt8>, original: String?) -> String {
        func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }
        var start = 0
        var end = bytes.count
        while start < end, isSpace(bytes[start]) { start += 1 }
        while end > start, isSpace(bytes[end - 1]) { end -= 1 }
        if let original, start == 0, end == bytes.count { return original }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    private static func signature(from members: [JSONMember]) -> MailgunWebhookSignature? {
        var timestamp: String?
        var token: String?
        var signature: String?
        for member in members {
            switch member.key {
            case "timestamp": timestamp = member.value.lenientString
            case "token": token = member.value.lenientString
            case "signature": signature = member.value.lenientString
            default: break
            }
        }
        guard let timestamp, let token, let signature else { return nil }
        return MailgunWebhookSignature(timestamp: timestamp, token: token, signature: signature)
    }
}
