import AuditCore

/// Writes a ``MailgunEvent`` as one line of JSON in Mailgun's own field names.
///
/// The output is deterministic: keys sorted (byte order) at every level, nil fields omitted,
/// `timestamp` with exactly six decimals, other floats in their shortest round-tripping form,
/// no whitespace, `/` and non-ASCII characters unescaped. `tags` and `user-variables` are
/// always written (Mailgun always sends them).
///
/// Round trip: `MailgunEventDecoder.decode(line: MailgunEventEncoder.jsonLine(e), ...).event == e`
/// for every event whose timestamp has at most microsecond precision (all of Mailgun's do),
/// whose `event` and `method` are lower-case, and whose required fields are present.
public enum MailgunEventEncoder {
    /// The event as one line of JSON (no trailing newline).
    public static func jsonLine(_ event: MailgunEvent) -> String {
        var writer = JSONWriter(capacity: 1_536)
        write(event, into: &writer)
        return writer.text
    }

    /// The event as UTF-8 bytes of one line of JSON (no trailing newline).
    public static func jsonBytes(_ event: MailgunEvent) -> [UInt8] {
        var writer = JSONWriter(capacity: 1_536)
        write(event, into: &writer)
        return writer.bytes
    }

    static func write(_ event: MailgunEvent, into writer: inout JSONWriter) {
        writer.beginObject()
        if let clientInfo = event.clientInfo {
            writer.key("client-info")
            write(clientInfo, into: &writer)
        }
        if let status = event.deliveryStatus {
            writer.key("delivery-status")
            write(status, into: &writer)
        }
        if let envelope = event.envelope {
            writer.key("envelope")
            write(envelope, into: &writer)
        }
        writer.key("event")
        writer.writeString(event.event)
        if let flags = event.flags {
            writer.key("flags")
            write(flags, into: &writer)
        }
        if let geolocation = event.geolocation {
            writer.key("geolocation")
            writer.beginObject()
            optional("city", geolocation.city, &writer)
            optional("country", geolocation.country, &writer)
            optional("region", geolocation.region, &writer)
            writer.endObject()
        }
        writer.key("id")
        writer.writeString(event.id)
        optional("ip", event.ip, &writer)
        optional("log-level", event.logLevel, &writer)
        if let message = event.message {
            writer.key("message")
            write(message, into: &writer)
        }
        optional("method", event.method, &writer)
        optional("reason", event.reason, &writer)
        optional("recipient", event.recipient, &writer)
        optional("recipient-domain", event.recipientDomain, &writer)
        if let reject = event.reject {
            writer.key("reject")
            writer.beginObject()
            optional("description", reject.description, &writer)
            optional("reason", reject.reason, &writer)
            writer.endObject()
        }
        optional("severity", event.severity, &writer)
        if let storage = event.storage {
            writer.key("storage")
            writer.beginObject()
            optional("key", storage.key, &writer)
            optional("url", storage.url, &writer)
            writer.endObject()
        }
        writer.key("tags")
        writeStrings(event.tags, into: &writer)
        writer.key("timestamp")
        writer.writeTimestamp(event.timestamp)
        optional("url", event.url, &writer)
        writer.key("user-variables")
        writer.beginObject()
        for key in event.userVariables.keys.sorted(by: isOrderedBefore) {
            writer.key(key)
            writer.writeString(event.userVariables[key]!)
        }
        writer.endObject()
        writer.endObject()
    }

    private static func write(_ info: MailgunEvent.ClientInfo, into writer: inout JSONWriter) {
        writer.beginObject()
        optional("bot", info.bot, &writer)
        optional("client-name", info.clientName, &writer)
        optional("client-os", info.clientOS, &writer)
        optional("client-type", info.clientType, &writer)
        optional("device-type", info.deviceType, &writer)
        optional("user-agent", info.userAgent, &writer)
        writer.endObject()
    }

    private static func write(_ status: MailgunEvent.DeliveryStatus, into writer: inout JSONWriter) {
        writer.beginObject()
        if let attemptNo = status.attemptNo {
            writer.key("attempt-no")
            writer.writeInt(attemptNo)
        }
        optional("bounce-type", status.bounceType, &writer)
        optional("certificate-verified", status.certificateVerified, &writer)
        if let code = status.code {
            writer.key("code")
            writer.writeInt(code)
        }
        optional("description", status.description, &writer)
        optional("enhanced-code", status.enhancedCode, &writer)
        optional("message", status.message, &writer)
        optional("mx-host", status.mxHost, &writer)
        if let retrySeconds = status.retrySeconds {
            writer.key("retry-seconds")
            writer.writeInt(retrySeconds)
        }
        if let sessionSeconds = status.sessionSeconds {
            writer.key("session-seconds")
            writer.writeDouble(sessionSeconds)
        }
        optional("tls", status.tls, &writer)
        writer.endObject()
    }

    private static func write(_ envelope: MailgunEvent.Envelope, into writer: inout JSONWriter) {
        writer.beginObject()
        optional("sender", envelope.sender, &writer)
        optional("sending-ip", envelope.sendingIP, &writer)
        optional("targets", envelope.targets, &writer)
        optional("transport", envelope.transport, &writer)
        writer.endObject()
    }

    private static func write(_ flags: MailgunEvent.Flags, into writer: inout JSONWriter) {
        writer.beginObject()
        optional("is-authenticated", flags.isAuthenticated, &writer)
        optional("is-delayed-bounce", flags.isDelayedBounce, &writer)
        optional("is-routed", flags.isRouted, &writer)
        optional("is-system-test", flags.isSystemTest, &writer)
        optional("is-test-mode", flags.isTestMode, &writer)
        writer.endObject()
    }

    private static func write(_ message: MailgunEvent.Message, into writer: inout JSONWriter) {
        writer.beginObject()
        if let attachments = message.attachments {
            writer.key("attachments")
            writer.beginArray()
            for attachment in attachments {
                writer.element()
                writer.beginObject()
                writer.key("content-type")
                writer.writeString(attachment.contentType)
                writer.key("filename")
                writer.writeString(attachment.filename)
                writer.key("size")
                writer.writeInt(attachment.size)
                writer.endObject()
            }
            writer.endArray()
        }
        if let headers = message.headers {
            writer.key("headers")
            writer.beginObject()
            optional("from", headers.from, &writer)
            optional("message-id", headers.messageID, &writer)
            optional("subject", headers.subject, &writer)
            optional("to", headers.to, &writer)
            writer.endObject()
        }
        if let recipients = message.recipients {
            writer.key("recipients")
            writeStrings(recipients, into: &writer)
        }
        if let size = message.size {
            writer.key("size")
            writer.writeInt(size)
        }
        writer.endObject()
    }

    private static func writeStrings(_ strings: [String], into writer: inout JSONWriter) {
        writer.beginArray()
        for string in strings {
            writer.element()
            writer.writeString(string)
        }
        writer.endArray()
    }

    private static func optional(_ key: StaticString, _ value: String?, _ writer: inout JSONWriter) {
        guard let value else { return }
        writer.key(key)
        writer.writeString(value)
    }

    private static func optional(_ key: StaticString, _ value: Bool?, _ writer: inout JSONWriter) {
        guard let value else { return }
        writer.key(key)
        writer.writeBool(value)
    }

    /// Byte-wise (UTF-8) ordering, the order `JSONEncoder.OutputFormatting.sortedKeys` documents.
    private static func isOrderedBefore(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
    }
}

extension MailgunEvent {
    /// This event as one line of deterministic JSON in Mailgun's field names
    /// (see ``MailgunEventEncoder``).
    public func jsonLine() -> String {
        MailgunEventEncoder.jsonLine(self)
    }
}
