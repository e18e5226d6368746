/// Building a ``MailgunEvent`` from a parsed JSON object.
extension MailgunEvent {
    /// Reads an event object, throwing only for the required fields.
    init(members: [JSONMember], lineNumber: Int) throws(MailgunDecodingError) {
        var event: JSONValue?
        var id: JSONValue?
        var timestamp: JSONValue?
        var result = MailgunEvent(event: "", id: "", timestamp: 0)
        for member in members {
            let value = member.value
            switch member.key {
            case "event": event = value
            case "id": id = value
            case "timestamp": timestamp = value
            case "log-level": result.logLevel = value.lenientString
            case "method": result.method = value.lenientString?.lowercased()
            case "recipient": result.recipient = value.lenientString
            case "recipient-domain": result.recipientDomain = value.lenientString
            case "severity": result.severity = value.lenientString
            case "reason": result.reason = value.lenientString
            case "delivery-status": result.deliveryStatus = value.members.map(DeliveryStatus.init(members:))
            case "message": result.message = value.members.map(Message.init(members:))
            case "envelope": result.envelope = value.members.map(Envelope.init(members:))
            case "flags": result.flags = value.members.map(Flags.init(members:))
            case "reject": result.reject = value.members.map(Reject.init(members:))
            case "url": result.url = value.lenientString
            case "ip": result.ip = value.lenientString
            case "geolocation": result.geolocation = value.members.map(Geolocation.init(members:))
            case "client-info": result.clientInfo = value.members.map(ClientInfo.init(members:))
            case "tags": result.tags = value.lenientStringArray ?? []
            case "user-variables": result.userVariables = Self.userVariables(from: value)
            case "storage": result.storage = value.members.map(Storage.init(members:))
            default: break
            }
        }
        result.event = try Self.requiredString(event, field: "event", lineNumber: lineNumber).lowercased()
        result.id = try Self.requiredString(id, field: "id", lineNumber: lineNumber)
        result.timestamp = try Self.requiredTimestamp(timestamp, lineNumber: lineNumber)
        if result.isMessageEvent {
            try Self.checkMessageID(result.message, rawHeaders: members, lineNumber: lineNumber)
        }
        self = result
    }

    private static func requiredString(_ value: JSONValue?, field: String, lineNumber: Int) throws(MailgunDecodingError) -> String {
        guard let value else { throw MailgunDecodingError(line: lineNumber, field: field, problem: "missing") }
        guard case .string(let text) = value else {
            throw MailgunDecodingError(line: lineNumber, field: field, problem: "expected a string, found \(value.snippet)")
        }
        guard !text.trimmed.isEmpty else { throw MailgunDecodingError(line: lineNumber, field: field, problem: "is empty") }
        return text
    }

    private static func requiredTimestamp(_ value: JSONValue?, lineNumber: Int) throws(MailgunDecodingError) -> Double {
        guard let value else { throw MailgunDecodingError(line: lineNumber, field: "timestamp", problem: "missing") }
        // A numeric string is tolerated; anything else is not a time.
        if let seconds = value.lenientDouble, seconds.isFinite, seconds >= 0 {
            return seconds
        }
        throw MailgunDecodingError(line: lineNumber, field: "timestamp", problem: "expected a number, found \(value.snippet)")
    }

    private static func checkMessageID(_ message: Message?, rawHeaders members: [JSONMember], lineNumber: Int) throws(MailgunDecodingError) {
        let field = "message.headers.message-id"
        if let id = message?.headers?.messageID {
            guard !MailgunSendResponse.bareMessageID(id).isEmpty else {
                throw MailgunDecodingError(line: lineNumber, field: field, problem: "is empty")
            }
            return
        }
        // Absent, or present with a type we could not read: say which.
        let raw = members.last(where: { $0.key == "message" })?.value["headers"]?["message-id"]
        if let raw, !(raw.isNull) {
            throw MailgunDecodingError(line: lineNumber, field: field, problem: "expected a string, found \(raw.snippet)")
        }
        throw MailgunDecodingError(line: lineNumber, field: field, problem: "missing")
    }

    /// `user-variables` as strings: `{}` or `[]` when empty; non-string values become compact JSON.
    private static func userVariables(from value: JSONValue) -> [String: String] {
        guard case .object(let members) = value, !members.isEmpty else { return [:] }
        var variables: [String: String] = [:]
        variables.reserveCapacity(members.count)
        for member in members {
            if case .string(let text) = member.value {
                variables[member.key] = text
            } else {
                variables[member.key] = member.value.compactText
            }
        }
        return variables
    }
}

extension JSONValue {
    var isNull: Bool {
        if case .null = self { return true }
        return false
    }
}

extension MailgunEvent.DeliveryStatus {
    init(members: [JSONMember]) {
        self.init()
        for member in members {
            let value = member.value
            switch member.key {
            case "code": code = value.lenientInt
            case "message": message = value.lenientString
            case "description": description = value.lenientString
            case "enhanced-code": enhancedCode = value.lenientString
            case "attempt-no": attemptNo = value.lenientInt
            case "retry-seconds": retrySeconds = value.lenientInt
            case "session-seconds": sessionSeconds = value.lenientDouble
            case "mx-host": mxHost = value.lenientString
            case "bounce-type": bounceType = value.lenientString
            case "tls": tls = value.lenientBool
            case "certificate-verified": certificateVerified = value.lenientBool
            default: break
            }
        }
    }
}

extension MailgunEvent.Message {
    init(members: [JSONMember]) {
        self.init()
        for member in members {
            let value = member.value
            switch member.key {
            case "headers": headers = value.members.map(MailgunEvent.Headers.init(members:))
            case "attachments":
                if case .array(let items) = value {
                    attachments = items.compactMap { $0.members.map(MailgunEvent.Attachment.init(members:)) }
                }
            case "recipients": recipients = value.lenientStringArray
            case "size": size = value.lenientInt
            default: break
            }
        }
    }
}

extension MailgunEvent.Headers {
    init(members: [JSONMember]) {
        self.init()
        for member in members {
            let value = member.value
            switch member.key {
            case "to": to = value.lenientString
            case "from": from = value.lenientString
            case "subject": subject = value.lenientString
            case "message-id": messageID = value.lenientString
            default: break
            }
        }
    }
}

extension MailgunEvent.Attachment {
    init(members: [JSONMember]) {
        self.init(filename: "", contentType: "", size: 0)
        for member in members {
            let value = member.value
            switch member.key {
            case "filename": filename = value.lenientString ?? ""
            case "content-type": contentType = value.lenientString ?? ""
            case "size": size = value.lenientInt ?? 0
            default: break
            }
        }
    }
}

extension MailgunEvent.Envelope {
    init(members: [JSONMember]) {
        self.init()
        for member in members {
            let value = member.value
            switch member.key {
            case "sender": sender = value.lenientString
            case "targets": targets = value.lenientString
            case "transport": transport = value.lenientString
            case "sending-ip": sendingIP = value.lenientString
            default: break
            }
        }
    }
}

extension MailgunEvent.Flags {
    init(members: [JSONMember]) {
        self.init()
        for member in members {
            let value = member.value
            switch member.key {
            case "is-authenticated": isAuthenticated = value.lenientBool
            case "is-routed": isRouted = value.lenientBool
            case "is-system-test": isSystemTest = value.lenientBool
            case "is-test-mode": isTestMode = value.lenientBool
            case "is-delayed-bounce": isDelayedBounce = value.lenientBool
            default: break
            }
        }
    }
}

extension MailgunEvent.Reject {
    init(members: [JSONMember]) {
        self.init()
        for member in members {
            switch member.key {
            case "reason": reason = member.value.lenientString
            case "description": description = member.value.lenientString
            default: break
            }
        }
    }
}

extension MailgunEvent.Geolocation {
    init(members: [JSONMember]) {
        self.init()
        for member in members {
            switch member.key {
            case "country": country = member.value.lenientString
            case "region": region = member.value.lenientString
            case "city": city = member.value.lenientString
            default: break
            }
        }
    }
}

extension MailgunEvent.ClientInfo {
    init(members: [JSONMember]) {
        self.init()
        for member in members {
            let value = member.value
            switch member.key {
            case "client-type": clientType = value.lenientString
            case "client-os": clientOS = value.lenientString
            case "device-type": deviceType = value.lenientString
            case "client-name": clientName = value.lenientString
            case "user-agent": userAgent = value.lenientString
            case "bot": bot = value.lenientString
            default: break
            }
        }
    }
}

extension MailgunEvent.Storage {
    init(members: [JSONMember]) {
        self.init()
        for member in members {
            switch member.key {
            case "url": url = member.value.lenientString
            case "key": key = member.value.lenientString
            default: break
            }
        }
    }
}
