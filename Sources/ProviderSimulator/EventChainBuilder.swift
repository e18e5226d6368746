import AuditCore
import Mailgun

/// An event and the microsecond it happens at.
struct ScheduledEvent: Sendable {
    var micros: Int64
    var event: MailgunEvent
}

/// A suppression-list entry that an event creates when it happens.
struct ScheduledSuppression: Sendable {
    var kind: SuppressionKind
    var micros: Int64
}

/// Builds the chain of events Mailgun would emit for one recipient of one message.
struct EventChainBuilder {
    /// Mailgun's retry delays after successive temporary failures (help centre: 10 min,
    /// 15 min, 30 min, 1 h, 2 h, 4 h, about 8 hours in all). The attempt after the last
    /// delay is not made: the message expires as "Too old".
    static let retrySchedule = [600, 900, 1_800, 3_600, 7_200, 14_400]
    /// Postgrey's usual delay before a retry is let through.
    static let greylistRetrySeconds = 300

    let context: MessageContext
    let recipient: String
    let recipientDomain: String
    let host: MailHost
    let mxHost: String
    let rates: SimulationRates
    private(set) var random: SimulationRandom
    private(set) var events: [ScheduledEvent] = []
    private(set) var suppressions: [ScheduledSuppression] = []

    init(context: MessageContext, recipient: String, host: MailHost, rates: SimulationRates, random: SimulationRandom) {
        self.context = context
        self.recipient = recipient
        self.recipientDomain = AddressText.domain(of: recipient)
        self.host = host
        self.mxHost = MailDomainDirectory.mxHost(for: recipientDomain, host: host)
        self.rates = rates
        self.random = random
    }

    // MARK: Chains

    /// The request was refused: a single `rejected` event (no `recipient` field; the address
    /// is in `message.headers.to`).
    mutating func buildRejected(sentAt send: Int64, reason: String, toHeader: String) {
        let at = send + random.micros(seconds: 0.01, 0.4)
        var headers = context.headers
        headers.to = toHeader
        add(at, MailgunEvent(
            event: "rejected", id: eventID(), timestamp: 0, logLevel: "warn",
            message: .init(headers: headers, attachments: context.attachments, size: context.size),
            flags: .init(isTestMode: false), reject: .init(reason: reason, description: ""),
            tags: context.tags, userVariables: context.variables))
    }

    /// The message was accepted, then dropped because the address is suppressed.
    mutating func buildSuppressed(acceptedAt accepted: Int64, kind: SuppressionKind) {
        addAccepted(at: accepted)
        let (reason, reply) = SMTPReplies.suppressed(kind)
        let at = accepted + random.micros(seconds: 0.01, 0.5)
        add(at, MailgunEvent(
            event: "failed", id: eventID(), timestamp: 0, logLevel: "error",
            recipient: recipient, recipientDomain: recipientDomain, severity: "permanent", reason: reason,
            deliveryStatus: .init(code: reply.code, message: reply.message, description: reply.description,
                                  attemptNo: 1, sessionSeconds: 0.0),
            message: fullMessage(),
            envelope: .init(sender: context.sender, targets: recipient, transport: "smtp"),
            flags: deliveryFlags(), tags: context.tags, userVariables: context.variables,
            storage: context.storage))
    }

    /// The message was accepted; what follows depends on the address's behaviour.
    mutating func buildAccepted(acceptedAt accepted: Int64, behaviour: AddressBehaviour) {
        addAccepted(at: accepted)
        let firstAttempt = accepted + random.micros(seconds: 0.4, 4.0)
        switch behaviour {
        case .ordinary:
            if host == .postfix, random.chance(rates.greylisting) {
                let delivered = greylistThenDeliver(firstAttempt: firstAttempt)
                engageByRates(deliveredAt: delivered)
            } else {
                addDelivered(at: firstAttempt, attempt: 1)
                engageByRates(deliveredAt: firstAttempt)
            }
        case .alwaysDelivered:
            addDelivered(at: firstAttempt, attempt: 1)
        case .opens:
            addDelivered(at: firstAttempt, attempt: 1)
            _ = addOpens(after: firstAttempt, count: 1)
        case .clicks:
            addDelivered(at: firstAttempt, attempt: 1)
            let opened = addOpens(after: firstAttempt, count: 1)
            addEngagement("clicked", at: opened + random.micros(seconds: 3, 300))
        case .greylisted:
            _ = greylistThenDeliver(firstAttempt: firstAttempt)
        case .lateBounce:
            addDelivered(at: firstAttempt, attempt: 1)
            addLateBounce(at: firstAttempt + seconds(random.logUniform(60, 21_600)))
        case .complains:
            addDelivered(at: firstAttempt, attempt: 1)
            let opened = addOpens(after: firstAttempt, count: 1)
            addComplaint(at: opened + seconds(random.logUniform(60, 7_200)))
        case .unsubscribes:
            addDelivered(at: firstAttempt, attempt: 1)
            let opened = addOpens(after: firstAttempt, count: 1)
            addUnsubscribe(at: opened + seconds(random.logUniform(10, 600)))
        case .noMX:
            retryUntilExpiry(firstAttempt: firstAttempt, reply: SMTPReplies.noMX(domain: recipientDomain),
                             reason: "generic", mxHost: nil, recoversOnAttempt: nil)
        case .mailboxMissing:
            addPermanentFailure(at: firstAttempt, reason: "bounce",
                                reply: SMTPReplies.mailboxMissing(recipient, host: host), bounceType: "hard")
            suppressions.append(ScheduledSuppression(kind: .bounce, micros: firstAttempt))
        case .mailboxFull:
            let recovers = random.chance(rates.mailboxFullRecovery)
            let attempt = random.int(in: 2...Self.retrySchedule.count)
            retryUntilExpiry(firstAttempt: firstAttempt, reply: SMTPReplies.mailboxFull(recipient, host: host),
                             reason: "generic", mxHost: mxHost, recoversOnAttempt: recovers ? attempt : nil)
        case .accessDenied:
            let region = random.pick(["eurprd04", "eurprd05", "eurprd07", "gbrp265", "gbrp123"])
            let server = "\(random.pick(["AM4PEPF", "DB1PEPF", "LO2P265", "CWLP123"]))\(random.hex(count: 8).uppercased()).\(region).prod.protection.outlook.com"
            addPermanentFailure(at: firstAttempt, reason: "generic", reply: SMTPReplies.accessDenied(serverName: server),
                                bounceType: nil, mx: MailDomainDirectory.mxHost(for: recipientDomain, host: .microsoft365))
        case .refused:
            addPermanentFailure(at: firstAttempt, reason: "espblock",
                                reply: SMTPReplies.refused(recipient, host: host), bounceType: nil)
        }
    }

    // MARK: Pieces

    private mutating func greylistThenDeliver(firstAttempt: Int64) -> Int64 {
        addTemporaryFailure(at: firstAttempt, reason: "greylisted",
                            reply: SMTPReplies.greylisted(recipient, domain: recipientDomain), attempt: 1,
                            retrySeconds: Self.greylistRetrySeconds, mxHost: mxHost)
        let delivered = firstAttempt + seconds(Double(Self.greylistRetrySeconds)) + random.micros(seconds: 0.2, 2.0)
        addDelivered(at: delivered, attempt: 2)
        return delivered
    }

    /// Temporary failures on Mailgun's schedule, then either delivery on attempt
    /// `recoversOnAttempt` or expiry ("Too old", 602) when the schedule runs out.
    private mutating func retryUntilExpiry(firstAttempt: Int64, reply: SMTPReply, reason: String, mxHost: String?,
                                           recoversOnAttempt: Int?) {
        var at = firstAttempt
        for (index, delay) in Self.retrySchedule.enumerated() {
            let attempt = index + 1
            if attempt == recoversOnAttempt {
                addDelivered(at: at, attempt: attempt)
                engageByRates(deliveredAt: at)
                return
            }
            addTemporaryFailure(at: at, reason: reason, reply: reply, attempt: attempt, retrySeconds: delay, mxHost: mxHost)
            at += seconds(Double(delay)) + random.micros(seconds: 0.1, 3.0)
        }
        let tooOld = SMTPReplies.tooOld
        add(at, MailgunEvent(
            event: "failed", id: eventID(), timestamp: 0, logLevel: "error",
            recipient: recipient, recipientDomain: recipientDomain, severity: "permanent", reason: "old",
            deliveryStatus: .init(code: tooOld.code, message: tooOld.message, description: tooOld.description,
                                  attemptNo: Self.retrySchedule.count + 1, sessionSeconds: 0.0),
            message: fullMessage(), tags: context.tags, userVariables: context.variables))
    }

    /// Opens, clicks, complaints, unsubscribes and late bounces for an ordinary address.
    private mutating func engageByRates(deliveredAt delivered: Int64) {
        if random.chance(rates.lateBounce) {
            addLateBounce(at: delivered + seconds(random.logUniform(60, 21_600)))
            return
        }
        var firstOpen: Int64?
        if random.chance(rates.open) {
            var count = 1
            while count < 5, random.chance(0.35) { count += 1 }
            let opened = addOpens(after: delivered, count: count)
            firstOpen = opened
            if random.chance(rates.click) {
                addEngagement("clicked", at: opened + seconds(random.logUniform(3, 900)))
            }
        }
        if random.chance(rates.unsubscribe) {
            let base = firstOpen ?? delivered + seconds(random.logUniform(300, 86_400))
            addUnsubscribe(at: base + seconds(random.logUniform(10, 600)))
        }
        if random.chance(rates.complaint) {
            addComplaint(at: delivered + seconds(random.logUniform(600, 172_800)))
        }
    }

    /// Adds `count` opens after `delivered`; returns the time of the first.
    private mutating func addOpens(after delivered: Int64, count: Int) -> Int64 {
        let first = delivered + seconds(random.logUniform(60, 172_800))
        addEngagement("opened", at: first)
        var at = first
        for _ in 1..<max(count, 1) {
            at += seconds(random.logUniform(60, 259_200))
            addEngagement("opened", at: at)
        }
        return first
    }

    private mutating func addAccepted(at accepted: Int64) {
        var message = fullMessage()
        message.recipients = [recipient]
        add(accepted, MailgunEvent(
            event: "accepted", id: eventID(), timestamp: 0, logLevel: "info", method: "http",
            recipient: recipient, recipientDomain: recipientDomain, message: message,
            envelope: .init(sender: context.sender, targets: recipient, transport: "smtp"),
            flags: .init(isAuthenticated: true, isTestMode: false),
            tags: context.tags, userVariables: context.variables, storage: context.storage))
    }

    private mutating func addDelivered(at time: Int64, attempt: Int) {
        let reply = SMTPReplies.delivered
        add(time, MailgunEvent(
            event: "delivered", id: eventID(), timestamp: 0, logLevel: "info",
            recipient: recipient, recipientDomain: recipientDomain,
            deliveryStatus: .init(code: reply.code, message: reply.message, description: reply.description,
                                  attemptNo: attempt, sessionSeconds: sessionSeconds(), mxHost: mxHost,
                                  tls: true, certificateVerified: true),
            message: fullMessage(), envelope: sendingEnvelope(), flags: deliveryFlags(),
            tags: context.tags, userVariables: context.variables, storage: context.storage))
    }

    private mutating func addTemporaryFailure(at time: Int64, reason: String, reply: SMTPReply, attempt: Int,
                                              retrySeconds: Int, mxHost: String?) {
        let hasSession = mxHost != nil
        add(time, MailgunEvent(
            event: "failed", id: eventID(), timestamp: 0, logLevel: "warn",
            recipient: recipient, recipientDomain: recipientDomain, severity: "temporary", reason: reason,
            deliveryStatus: .init(code: reply.code, message: reply.message, description: reply.description,
                                  enhancedCode: reply.enhancedCode, attemptNo: attempt, retrySeconds: retrySeconds,
                                  sessionSeconds: hasSession ? sessionSeconds() : 0.0, mxHost: mxHost,
                                  tls: hasSession ? true : nil, certificateVerified: hasSession ? true : nil),
            message: fullMessage(), envelope: sendingEnvelope(), flags: deliveryFlags(),
            tags: context.tags, userVariables: context.variables, storage: context.storage))
    }

    private mutating func addPermanentFailure(at time: Int64, reason: String, reply: SMTPReply, bounceType: String?,
                                              mx: String? = nil) {
        add(time, MailgunEvent(
            event: "failed", id: eventID(), timestamp: 0, logLevel: "error",
            recipient: recipient, recipientDomain: recipientDomain, severity: "permanent", reason: reason,
            deliveryStatus: .init(code: reply.code, message: reply.message, description: reply.description,
                                  enhancedCode: reply.enhancedCode, attemptNo: 1, sessionSeconds: sessionSeconds(),
                                  mxHost: mx ?? mxHost, bounceType: bounceType, tls: true, certificateVerified: true),
            message: fullMessage(), envelope: sendingEnvelope(), flags: deliveryFlags(),
            tags: context.tags, userVariables: context.variables, storage: context.storage))
    }

    private mutating func addLateBounce(at time: Int64) {
        let reply = SMTPReplies.lateBounce(recipient, host: host)
        var flags = deliveryFlags()
        flags.isDelayedBounce = true
        add(time, MailgunEvent(
            event: "failed", id: eventID(), timestamp: 0, logLevel: "error",
            recipient: recipient, recipientDomain: recipientDomain, severity: "permanent", reason: "generic",
            deliveryStatus: .init(code: reply.code, message: reply.message, description: reply.description,
                                  enhancedCode: reply.enhancedCode, attemptNo: 1, mxHost: mxHost),
            message: fullMessage(), envelope: sendingEnvelope(), flags: flags,
            tags: context.tags, userVariables: context.variables, storage: context.storage))
    }

    /// An opened, clicked or unsubscribed event.
    private mutating func addEngagement(_ kind: String, at time: Int64, tags: [String]? = nil) {
        let reader = EngagementProfiles.reader(for: host, random: &random)
        add(time, MailgunEvent(
            event: kind, id: eventID(), timestamp: 0, logLevel: "info",
            recipient: recipient, recipientDomain: recipientDomain,
            message: .init(headers: .init(messageID: context.messageID)),
            url: kind == "clicked" ? context.clickURL : nil,
            ip: reader.ip, geolocation: reader.location, clientInfo: reader.client,
            tags: tags ?? context.tags, userVariables: context.variables))
    }

    private mutating func addUnsubscribe(at time: Int64) {
        addEngagement("unsubscribed", at: time, tags: ["*"])
        suppressions.append(ScheduledSuppression(kind: .unsubscribe, micros: time))
    }

    private mutating func addComplaint(at time: Int64) {
        add(time, MailgunEvent(
            event: "complained", id: eventID(), timestamp: 0, logLevel: "warn", recipient: recipient,
            message: fullMessage(), envelope: .init(sendingIP: context.sendingIP), flags: .init(isTestMode: false),
            tags: context.tags, userVariables: context.variables))
        suppressions.append(ScheduledSuppression(kind: .complaint, micros: time))
    }

    // MARK: Helpers

    private mutating func add(_ micros: Int64, _ event: MailgunEvent) {
        var event = event
        event.timestamp = Double(micros) / 1_000_000
        events.append(ScheduledEvent(micros: micros, event: event))
    }

    private mutating func eventID() -> String {
        random.urlSafeString(count: 22)
    }

    /// An SMTP session length such as 0.842 seconds.
    private mutating func sessionSeconds() -> Double {
        Double(random.int(in: 180...3_400)) / 1_000
    }

    private func seconds(_ value: Double) -> Int64 {
        Int64((value * 1_000_000).rounded())
    }

    private func fullMessage() -> MailgunEvent.Message {
        MailgunEvent.Message(headers: context.headers, attachments: context.attachments, size: context.size)
    }

    private func sendingEnvelope() -> MailgunEvent.Envelope {
        .init(sender: context.sender, targets: recipient, transport: "smtp", sendingIP: context.sendingIP)
    }

    private func deliveryFlags() -> MailgunEvent.Flags {
        .init(isAuthenticated: true, isRouted: false, isSystemTest: false, isTestMode: false)
    }
}
