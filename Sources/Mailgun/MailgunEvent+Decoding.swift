/// Reading a ``MailgunEvent`` straight from JSON bytes, member by member, without building a
/// tree: only the fields kept become values; everything else is skipped (but syntax-checked).
///
/// Required fields are collected while reading and checked afterwards, so a line that is not
/// valid JSON is always reported as such before any missing field.
struct MailgunEventFields {
    /// A required member as found.
    enum Found<Value> {
        case missing
        case value(Value)
        case wrong(JSONValue)
    }

    var event = MailgunEvent(event: "", id: "", timestamp: 0)
    var name: Found<String> = .missing
    var id: Found<String> = .missing
    var timestamp: Found<Double> = .missing
    /// `message.headers.message-id` when it was present with an unusable type.
    var unusableMessageID: JSONValue?

    /// The event, or the first problem with its required fields.
    func validated(lineNumber: Int) throws(MailgunDecodingError) -> MailgunEvent {
        var result = event
        result.event = try Self.requiredString(name, field: "event", lineNumber: lineNumber).lowercased()
        result.id = try Self.requiredString(id, field: "id", lineNumber: lineNumber)
        switch timestamp {
        case .missing:
            throw MailgunDecodingError(line: lineNumber, field: "timestamp", problem: "missing")
        case .wrong(let value):
            throw MailgunDecodingError(line: lineNumber, field: "timestamp", problem: "expected a number, found \(value.snippet)")
        case .value(let seconds):
            result.timestamp = seconds
        }
        if result.isMessageEvent {
            let field = "message.headers.message-id"
            if let raw = result.message?.headers?.messageID {
                guard !MailgunSendResponse.bareMessageID(raw).isEmpty else {
                    throw MailgunDecodingError(line: lineNumber, field: field, problem: "is empty")
                }
            } else if let unusableMessageID {
                throw MailgunDecodingError(line: lineNumber, field: field, problem: "expected a string, found \(unusableMessageID.snippet)")
            } else {
                throw MailgunDecodingError(line: lineNumber, field: field, problem: "missing")
            }
        }
        return result
    }

    private static func requiredString(_ found: Found<String>, field: String, lineNumber: Int) throws(MailgunDecodingError) -> String {
        switch found {
        case .missing:
            throw MailgunDecodingError(line: lineNumber, field: field, problem: "missing")
        case .wrong(let value):
            throw MailgunDecodingError(line: lineNumber, field: field, problem: "expected a string, found \(value.snippet)")
        case .value(let text):
            guard !text.trimmed.isEmpty else { throw MailgunDecodingError(line: lineNumber, field: field, problem: "is empty") }
            return text
        }
    }
}

extension JSONParser {
    /// Reads an event object (the next value must be an object).
    mutating func readEvent(into fields: inout MailgunEventFields) throws(SyntaxError) {
        try readObject { parser, key throws(SyntaxError) in
            try parser.readEventMember(key, into: &fields)
        }
    }

    /// Reads the value of one member of an event object.
    mutating func readEventMember(_ key: Key, into fields: inout MailgunEventFields) throws(SyntaxError) {
        if keepsIngestFieldsOnly, Self.isNotIngestField(key) {
            try skipValue()
        } else if key.is("event") {
            fields.name = peek() == UInt8(ascii: "\"") ? .value(try parseString()) : .wrong(try parseValue())
        } else if key.is("id") {
            fields.id = peek() == UInt8(ascii: "\"") ? .value(try parseString()) : .wrong(try parseValue())
        } else if key.is("timestamp") {
            fields.timestamp = try readTimestamp()
        } else if key.is("log-level") {
            fields.event.logLevel = try readLenientString()
        } else if key.is("recipient") {
            fields.event.recipient = try readLenientString()
        } else if key.is("recipient-domain") {
            fields.event.recipientDomain = try readLenientString()
        } else if key.is("message") {
            fields.event.message = try readMessage(unusableMessageID: &fields.unusableMessageID)
        } else if key.is("tags") {
            fields.event.tags = try readLenientStringArray() ?? []
        } else if key.is("user-variables") {
            fields.event.userVariables = try readUserVariables()
        } else if key.is("delivery-status") {
            fields.event.deliveryStatus = try readDeliveryStatus()
        } else if key.is("envelope") {
            fields.event.envelope = try readEnvelope()
        } else if key.is("flags") {
            fields.event.flags = try readFlags()
        } else if key.is("storage") {
            fields.event.storage = try readStorage()
        } else if key.is("severity") {
            fields.event.severity = try readLenientString()
        } else if key.is("reason") {
            fields.event.reason = try readLenientString()
        } else if key.is("method") {
            fields.event.method = try readLenientString()?.lowercased()
        } else if key.is("url") {
            fields.event.url = try readLenientString()
        } else if key.is("ip") {
            fields.event.ip = try readLenientString()
        } else if key.is("geolocation") {
            fields.event.geolocation = try readGeolocation()
        } else if key.is("client-info") {
            fields.event.clientInfo = try readClientInfo()
        } else if key.is("reject") {
            fields.event.reject = try readReject()
        } else {
            try skipValue()
        }
    }

    /// The members of an event object that the ingest (``MailgunEventDecoder/Fields/ingest``) never reads.
    private static func isNotIngestField(_ key: Key) -> Bool {
        key.is("log-level") || key.is("recipient-domain") || key.is("tags") || key.is("envelope") || key.is("storage")
            || key.is("method") || key.is("ip") || key.is("geolocation") || key.is("client-info")
    }

    /// A number, or a numeric string; anything else is kept for the error message.
    private mutating func readTimestamp() throws(SyntaxError) -> MailgunEventFields.Found<Double> {
        let value: JSONValue
        switch peek() ?? 0 {
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): value = .number(try parseNumber())
        case UInt8(ascii: "\""): value = .string(try parseString())
        default: value = try parseValue()
        }
        if let seconds = value.lenientDouble, seconds >= 0 { return .value(seconds) }
        return .wrong(value)
    }

    /// `user-variables` as strings: `{}` or `[]` when empty; non-string values become compact JSON.
    private mutating func readUserVariables() throws(SyntaxError) -> [String: String] {
        guard try nextIsObject() else { return [:] }
        var variables: [String: String] = [:]
        try readObject { parser, key throws(SyntaxError) in
            if parser.peek() == UInt8(ascii: "\"") {
                variables[key.string] = try parser.parseString()
            } else {
                variables[key.string] = try parser.parseValue().compactText
            }
        }
        return variables
    }

    private mutating func readMessage(unusableMessageID: inout JSONValue?) throws(SyntaxError) -> MailgunEvent.Message? {
        guard try nextIsObject() else { return nil }
        var message = MailgunEvent.Message()
        try readObject { parser, key throws(SyntaxError) in
            if key.is("headers") {
                message.headers = try parser.readHeaders(unusableMessageID: &unusableMessageID)
            } else if key.is("attachments") {
                message.attachments = try parser.readAttachments()
            } else if key.is("recipients"), !parser.keepsIngestFieldsOnly {
                message.recipients = try parser.readLenientStringArray()
            } else if key.is("size"), !parser.keepsIngestFieldsOnly {
                message.size = try parser.readLenientInt()
            } else {
                try parser.skipValue()
            }
        }
        return message
    }

    private mutating func readHeaders(unusableMessageID: inout JSONValue?) throws(SyntaxError) -> MailgunEvent.Headers? {
        guard try nextIsObject() else { return nil }
        var headers = MailgunEvent.Headers()
        try readObject { parser, key throws(SyntaxError) in
            if key.is("message-id") {
                switch parser.peek() ?? 0 {
                case UInt8(ascii: "\""):
                    headers.messageID = try parser.parseString()
                    unusableMessageID = nil
                default:
                    let value = try parser.parseValue()
                    headers.messageID = value.lenientString
                    unusableMessageID = value.isNull || headers.messageID != nil ? nil : value
                }
            } else if key.is("to") {
                headers.to = try parser.readLenientString()
            } else if key.is("from") {
                headers.from = try parser.readLenientString()
            } else if key.is("subject") {
                headers.subject = try parser.readLenientString()
            } else {
                try parser.skipValue()
            }
        }
        return headers
    }

    private mutating func readAttachments() throws(SyntaxError) -> [MailgunEvent.Attachment]? {
        guard peek() == UInt8(ascii: "[") else {
            try skipValue()
            return nil
        }
        var attachments: [MailgunEvent.Attachment] = []
        try readArray { parser throws(SyntaxError) in
            guard try parser.nextIsObject() else { return }
            var attachment = MailgunEvent.Attachment(filename: "", contentType: "", size: 0)
            try parser.readObject { parser, key throws(SyntaxError) in
                if key.is("filename") {
                    attachment.filename = try parser.readLenientString() ?? ""
                } else if key.is("content-type"), !parser.keepsIngestFieldsOnly {
                    attachment.contentType = try parser.readLenientString() ?? ""
                } else if key.is("size"), !parser.keepsIngestFieldsOnly {
                    attachment.size = try parser.readLenientInt() ?? 0
                } else {
                    try parser.skipValue()
                }
            }
            attachments.append(attachment)
        }
        return attachments
    }

    private mutating func readDeliveryStatus() throws(SyntaxError) -> MailgunEvent.DeliveryStatus? {
        guard try nextIsObject() else { return nil }
        var status = MailgunEvent.DeliveryStatus()
        try readObject { parser, key throws(SyntaxError) in
            if key.is("code") {
                status.code = try parser.readLenientInt()
            } else if key.is("message") {
                status.message = try parser.readLenientString()
            } else if key.is("description") {
                status.description = try parser.readLenientString()
            } else if key.is("enhanced-code") {
                status.enhancedCode = try parser.readLenientString()
            } else if key.is("attempt-no") {
                status.attemptNo = try parser.readLenientInt()
            } else if key.is("retry-seconds") {
                status.retrySeconds = try parser.readLenientInt()
            } else if parser.keepsIngestFieldsOnly, key.is("session-seconds") || key.is("bounce-type") || key.is("tls")
                        || key.is("certificate-verified") {
                try parser.skipValue()
            } else if key.is("session-seconds") {
                status.sessionSeconds = try parser.readLenientDouble()
            } else if key.is("mx-host") {
                status.mxHost = try parser.readLenientString()
            } else if key.is("bounce-type") {
                status.bounceType = try parser.readLenientString()
            } else if key.is("tls") {
                status.tls = try parser.readLenientBool()
            } else if key.is("certificate-verified") {
                status.certificateVerified = try parser.readLenientBool()
            } else {
                try parser.skipValue()
            }
        }
        return status
    }

    private mutating func readEnvelope() throws(SyntaxError) -> MailgunEvent.Envelope? {
        guard try nextIsObject() else { return nil }
        var envelope = MailgunEvent.Envelope()
        try readObject { parser, key throws(SyntaxError) in
            if key.is("sender") {
                envelope.sender = try parser.readLenientString()
            } else if key.is("targets") {
                envelope.targets = try parser.readLenientString()
            } else if key.is("transport") {
                envelope.transport = try parser.readLenientString()
            } else if key.is("sending-ip") {
                envelope.sendingIP = try parser.readLenientString()
            } else {
                try parser.skipValue()
            }
        }
        return envelope
    }

    private mutating func readFlags() throws(SyntaxError) -> MailgunEvent.Flags? {
        guard try nextIsObject() else { return nil }
        var flags = MailgunEvent.Flags()
        try readObject { parser, key throws(SyntaxError) in
            if parser.keepsIngestFieldsOnly, !key.is("is-delayed-bounce") {
                try parser.skipValue()
            } else if key.is("is-authenticated") {
                flags.isAuthenticated = try parser.readLenientBool()
            } else if key.is("is-routed") {
                flags.isRouted = try parser.readLenientBool()
            } else if key.is("is-system-test") {
                flags.isSystemTest = try parser.readLenientBool()
            } else if key.is("is-test-mode") {
                flags.isTestMode = try parser.readLenientBool()
            } else if key.is("is-delayed-bounce") {
                flags.isDelayedBounce = try parser.readLenientBool()
            } else {
                try parser.skipValue()
            }
        }
        return flags
    }

    private mutating func readStorage() throws(SyntaxError) -> MailgunEvent.Storage? {
        guard try nextIsObject() else { return nil }
        var storage = MailgunEvent.Storage()
        try readObject { parser, key throws(SyntaxError) in
            if key.is("url") {
                storage.url = try parser.readLenientString()
            } else if key.is("key") {
                storage.key = try parser.readLenientString()
            } else {
                try parser.skipValue()
            }
        }
        return storage
    }

    private mutating func readReject() throws(SyntaxError) -> MailgunEvent.Reject? {
        guard try nextIsObject() else { return nil }
        var reject = MailgunEvent.Reject()
        try readObject { parser, key throws(SyntaxError) in
            if key.is("reason") {
                reject.reason = try parser.readLenientString()
            } else if key.is("description") {
                reject.description = try parser.readLenientString()
            } else {
                try parser.skipValue()
            }
        }
        return reject
    }

    private mutating func readGeolocation() throws(SyntaxError) -> MailgunEvent.Geolocation? {
        guard try nextIsObject() else { return nil }
        var location = MailgunEvent.Geolocation()
        try readObject { parser, key throws(SyntaxError) in
            if key.is("country") {
                location.country = try parser.readLenientString()
            } else if key.is("region") {
                location.region = try parser.readLenientString()
            } else if key.is("city") {
                location.city = try parser.readLenientString()
            } else {
                try parser.skipValue()
            }
        }
        return location
    }

    private mutating func readClientInfo() throws(SyntaxError) -> MailgunEvent.ClientInfo? {
        guard try nextIsObject() else { return nil }
        var info = MailgunEvent.ClientInfo()
        try readObject { parser, key throws(SyntaxError) in
            if key.is("client-type") {
                info.clientType = try parser.readLenientString()
            } else if key.is("client-os") {
                info.clientOS = try parser.readLenientString()
            } else if key.is("device-type") {
                info.deviceType = try parser.readLenientString()
            } else if key.is("client-name") {
                info.clientName = try parser.readLenientString()
            } else if key.is("user-agent") {
                info.userAgent = try parser.readLenientString()
            } else if key.is("bot") {
                info.bot = try parser.readLenientString()
            } else {
                try parser.skipValue()
            }
        }
        return info
    }
}

extension JSONValue {
    var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}
