import AuditCore
import Foundation
import Mailgun

/// An in-process stand-in for Mailgun that speaks Mailgun's wire format: ``send(_:at:)``
/// answers like `POST /v3/{domain}/messages`, and ``events(through:)`` hands out event JSON
/// lines exactly as the Events API or a webhook would, so the demo, the tests and a real
/// account share one ingest path.
///
/// ## Determinism
/// The same seed and the same sequence of calls give a byte-identical event stream. All
/// randomness comes from a SplitMix64 generator derived from the seed, the message counter and
/// the recipient's position; per-address behaviour comes from a stable hash of the seed and the
/// address, so one address always behaves the same. The system random generator, `Hasher` and
/// the wall clock are never used: time is whatever the caller passes in.
///
/// ## What happens to a message
/// One chain of events per recipient (`to`, then `cc`; duplicates dropped), all with the same
/// message id. Every event is strictly after the send time; `accepted` comes within a second.
/// - Ordinary address: `accepted` → `delivered` seconds later → perhaps `opened` (minutes to
///   days later, possibly several times, with `client-info` and `geolocation`) → perhaps
///   `clicked` → rarely `unsubscribed` (tags `["*"]`) or `complained` (address goes on that list)
///   → rarely a late bounce (`failed`, permanent, reason `generic`, `flags.is-delayed-bounce`).
///   Servers on generic hosts sometimes greylist first (450 4.2.0, reason `greylisted`, retry
///   after 300 s, then `delivered` on attempt 2). Rates come from ``SimulationRates``.
/// - Domain with no MX (typos such as gmial.com, hotmial.co.uk, outlok.com, yahoo.co,
///   gmail.co, btinternet.con; non-existent top-level domains such as `.con`, `.invalid`;
///   domains starting `nomx.`): `failed` temporary 498 "No MX for [domain]" at attempts 1–6 with
///   `retry-seconds` 600, 900, 1800, 3600, 7200, 14400, then `failed` permanent reason `old`
///   code 602 "Too old" (attempt 7, about 8 hours after sending).
/// - Mailbox that does not exist: `failed` permanent reason `bounce`, `bounce-type` `hard`,
///   550 5.1.1 in the receiving server's words (Gmail, Exchange `RESOLVER.ADR.RecipNotFound`,
///   or Postfix "User unknown in virtual mailbox table"); the address goes on the bounce list.
/// - Full mailbox: 452 4.2.2 over-quota temporary failures on the same schedule; the message is
///   either delivered on a later attempt or expires as `old`/602.
/// - Microsoft 365 Directory-Based Edge Blocking: `failed` permanent 550 5.4.1
///   "Recipient address rejected: Access denied. AS(201806281) [...]", reason `generic` (the
///   reference leaves the reason unconfirmed; this simulator does not put it on the bounce list).
/// - Rule-imposed refusal: `failed` permanent 5.7.1 policy text, reason `espblock`.
/// - Address on a suppression list when the message is accepted: `accepted`, then at once
///   `failed` permanent with reason `suppress-bounce` (605), `suppress-complaint` (607) or
///   `suppress-unsubscribe` (606), Mailgun's description text, `attempt-no` 1,
///   `session-seconds` 0.0.
///
/// ## Forcing an outcome
/// Addresses whose local part starts with one of these prefixes always behave that way
/// (unless their domain has no MX), so tests and the demo can pick outcomes:
///
/// | prefix | outcome |
/// |---|---|
/// | `ok.` | delivered, nothing else |
/// | `open.` | delivered, opened once |
/// | `click.` | delivered, opened, clicked |
/// | `grey.` | greylisted once, then delivered |
/// | `late.` | delivered, then a late (asynchronous) bounce |
/// | `complain.` | delivered, opened, complained (complaint list) |
/// | `unsub.` | delivered, opened, unsubscribed (unsubscribe list) |
/// | `bounce.` | mailbox does not exist (bounce list) |
/// | `full.` | mailbox full |
/// | `blocked.` | Microsoft 365 access denied |
/// | `refused.` | rule-imposed refusal |
///
/// ## Rejected requests
/// A request with a malformed address (`AuditCore.EmailAddress.isValid` of the bare address, so
/// `Name <address>` is fine), a body plus
/// attachments over 25 MB, or sent while ``isDomainDisabled`` is set produces one `rejected`
/// event per recipient instead of `accepted` (no `recipient` field; `message.headers.to` holds
/// that recipient's address so the audit can attribute it). Unlike the real API, which would
/// answer HTTP 400/413 with no id, the simulator still returns a queued id so every audited
/// email gets a message id and a visible rejection. Requests with no `to` address or more than
/// 1000 recipients do throw ``MailgunSendError/requestRejected(status:message:)``.
///
/// ## Suppression lists
/// Entries take effect at the time of the event that caused them. ``isSuppressed(_:)`` and
/// ``removeSuppression(_:)`` act at the simulator's current time: the latest time passed to
/// ``send(_:at:)`` or ``events(through:)``.
///
/// Thread-safe: every member takes an internal lock.
public final class MailgunSimulator: @unchecked Sendable {
    /// The largest message Mailgun accepts (text plus attachments), 25 MB.
    public static let maximumMessageBytes = 25 * 1_024 * 1_024
    /// The most recipients one request may have.
    public static let maximumRecipients = 1_000

    private let seed: UInt64
    private let rates: SimulationRates
    private let lock = NSLock()
    private let sendingIP: String
    private var available = true
    var domainDisabled = false
    var messageCounter: UInt64 = 0
    var nowMicros = Int64.min
    var queue = PendingEventQueue()
    var suppressions: SuppressionLists

    /// The sending domain, e.g. `mg.harbourlets.co.uk`.
    public let domain: String

    /// The sending domain of a simulator made without one (the first demo agency's).
    public static let defaultDomain = "mg.harbourlets.co.uk"

    /// Divides every delay after a send (acceptance, delivery, retries, opens, clicks) while
    /// events keep real timestamps: 1 is Mailgun's own pace; 5,000 makes two days of opens
    /// arrive within about 35 seconds, each stamped with the moment it falls due.
    public let delayDivisor: Double

    /// Creates a simulator.
    /// - Parameters:
    ///   - seed: Decides every random choice; the same seed and calls give the same events.
    ///   - domain: The sending domain used in message ids and storage URLs.
    ///   - rates: How often ordinary addresses meet each outcome.
    ///   - delayDivisor: Divides the delays between a send and its events (above 0; 1 keeps them).
    ///   - suppressionLifetime: How long a suppression entry stays in force, or nil (Mailgun's
    ///     own behaviour) for until it is removed. A lifetime models a support desk that clears
    ///     every entry that long after it was added (the contact was phoned and the address
    ///     confirmed or replaced); the benchmark's years-long histories use it so that the
    ///     suppressed addresses do not pile up until every email fails.
    public init(seed: UInt64, domain: String = MailgunSimulator.defaultDomain, rates: SimulationRates = .default,
                delayDivisor: Double = 1, suppressionLifetime: TimeInterval? = nil) {
        precondition(delayDivisor > 0, "delayDivisor must be above 0")
        precondition((suppressionLifetime ?? 1) > 0, "suppressionLifetime must be above 0")
        self.suppressions = SuppressionLists(lifetime: suppressionLifetime.map { Int64($0 * 1_000_000) })
        self.seed = seed
        self.domain = domain
        self.rates = rates
        self.delayDivisor = delayDivisor
        self.sendingIP = "198.51.100.\(20 + Int(StableHash.mix(seed) % 16))"
    }

    /// Runs `body` holding the simulator's lock (for state snapshots).
    func withLock<T>(_ body: () -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body()
    }

    /// Whether Mailgun is reachable. When false, ``send(_:at:)`` throws
    /// ``MailgunSendError/unavailable(status:message:)`` (503) and queues nothing.
    public var isAvailable: Bool {
        get { lock.withLock { available } }
        set { lock.withLock { available = newValue } }
    }

    /// Whether the sending domain is disabled; requests are then rejected
    /// (`rejected` events, reason "Domain … is disabled …").
    public var isDomainDisabled: Bool {
        get { lock.withLock { domainDisabled } }
        set { lock.withLock { domainDisabled = newValue } }
    }

    /// How many event lines are waiting for their time.
    public var queuedEventCount: Int {
        lock.withLock { queue.count }
    }

    /// Sends a message, like `POST /v3/{domain}/messages`.
    /// - Returns: `{"id": "<YYYYMMDDhhmmss.<16 hex>@domain>", "message": "Queued. Thank you."}`.
    /// - Throws: `.unavailable(503, …)` during an outage; `.requestRejected(400, …)` when there
    ///   is no `to` address or more than 1000 recipients.
    public func send(_ request: MailgunSendRequest, at time: Date) throws(MailgunSendError) -> MailgunSendResponse {
        lock.lock()
        defer { lock.unlock() }
        guard available else {
            throw .unavailable(status: 503, message: "Service Unavailable")
        }
        guard request.to.contains(where: { !AddressText.trimmed($0).isEmpty }) else {
            throw .requestRejected(status: 400, message: "to parameter is missing")
        }
        guard request.recipients.count <= Self.maximumRecipients else {
            throw .requestRejected(status: 400, message: "Too many recipients, max is \(Self.maximumRecipients)")
        }

        messageCounter += 1
        let counter = messageCounter
        let sentAt = Self.micros(time)
        nowMicros = max(nowMicros, sentAt)
        var random = SimulationRandom(seed: seed, counter)
        let messageID = "\(MessageIDFormat.utcStamp(micros: sentAt)).\(random.hex(count: 16))@\(domain)"
        let context = makeContext(request, messageID: messageID, random: &random)
        let rejection = rejectionReason(for: request)

        var seen = Set<String>()
        for (index, raw) in request.recipients.enumerated() {
            let trimmed = AddressText.trimmed(raw)
            let address = AddressText.bare(trimmed)
            guard !address.isEmpty, seen.insert(address).inserted else { continue }
            let recipientRandom = SimulationRandom(seed: seed, counter, UInt64(index + 1))
            let domainOfAddress = AddressText.domain(of: address)
            let host = MailDomainDirectory.host(for: domainOfAddress, seed: seed)
            var builder = EventChainBuilder(context: context, recipient: address, host: host, rates: rates,
                                            random: recipientRandom)
            if let rejection {
                builder.buildRejected(sentAt: sentAt, reason: rejection, toHeader: trimmed)
            } else {
                var acceptRandom = SimulationRandom(seed: seed, counter, UInt64(index + 1), 0xACCE)
                let acceptedAt = sentAt + acceptRandom.micros(seconds: 0.02, 0.9)
                if let kind = suppressions.kind(of: address, at: acceptedAt) {
                    builder.buildSuppressed(acceptedAt: acceptedAt, kind: kind)
                } else {
                    let behaviour = AddressBehaviour.of(address, domain: domainOfAddress, host: host, seed: seed, rates: rates)
                    builder.buildAccepted(acceptedAt: acceptedAt, behaviour: behaviour)
                }
            }
            for scheduled in builder.events {
                let due = compressed(scheduled.micros, after: sentAt)
                var event = scheduled.event
                if due != scheduled.micros { event.timestamp = Double(due) / 1_000_000 }
                queue.insert(MailgunEventEncoder.jsonLine(event), at: due)
            }
            for suppression in builder.suppressions {
                suppressions.add(address, kind: suppression.kind, at: compressed(suppression.micros, after: sentAt))
            }
        }
        return MailgunSendResponse(id: "<\(messageID)>", message: "Queued. Thank you.")
    }

    /// Every event line due at or before `time`, in timestamp order (ties in the order they
    /// were scheduled), removed from the queue.
    public func events(through time: Date) -> [String] {
        lock.withLock {
            let through = Self.micros(time)
            nowMicros = max(nowMicros, through)
            return queue.removeDue(through: through)
        }
    }

    /// The Mailgun-side suppression list `address` is on now, if any (bounce before complaint
    /// before unsubscribe).
    public func isSuppressed(_ address: String) -> SuppressionKind? {
        lock.withLock {
            suppressions.kind(of: AddressText.bare(address), at: nowMicros)
        }
    }

    /// Takes `address` off every suppression list, like `DELETE /v3/{domain}/bounces/{address}`
    /// (and the complaints and unsubscribes equivalents). Delivery resumes until it bounces again.
    public func removeSuppression(_ address: String) {
        lock.withLock {
            suppressions.remove(AddressText.bare(address), at: nowMicros)
        }
    }

    /// Takes `address` off every suppression list at `time` (or the simulator's current time,
    /// when later): the entries in force by then are removed, so later sends go through.
    public func removeSuppression(_ address: String, at time: Date) {
        lock.withLock {
            suppressions.remove(AddressText.bare(address), at: max(nowMicros, Self.micros(time)))
        }
    }

    // MARK: Helpers

    /// `micros` moved towards `sentAt` by ``delayDivisor`` (order is kept; nothing moves before the send).
    private func compressed(_ micros: Int64, after sentAt: Int64) -> Int64 {
        guard delayDivisor != 1, micros > sentAt else { return micros }
        return sentAt + Int64((Double(micros - sentAt) / delayDivisor).rounded())
    }

    private static func micros(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1_000_000).rounded())
    }

    private func makeContext(_ request: MailgunSendRequest, messageID: String,
                             random: inout SimulationRandom) -> MessageContext {
        let storageKey = "BAABAQ" + random.urlSafeString(count: 26)
        let baseDomain = domain.hasPrefix("mg.") ? String(domain.dropFirst(3)) : domain
        return MessageContext(
            domain: domain,
            messageID: messageID,
            headers: .init(to: request.to.joined(separator: ", "), from: request.from, subject: request.subject,
                           messageID: messageID),
            attachments: request.attachments.map {
                .init(filename: $0.filename, contentType: MessageContext.contentType(forFilename: $0.filename), size: $0.size)
            },
            size: MessageContext.messageSize(request: request),
            tags: request.tags,
            variables: request.variables,
            storage: .init(url: "https://storage-europe-west2.api.mailgun.net/v3/domains/\(domain)/messages/\(storageKey)",
                           key: storageKey),
            sender: MailgunEvent.bareAddress(inHeader: request.from),
            sendingIP: sendingIP,
            clickURL: MessageContext.firstLink(in: request.text) ?? "https://\(baseDomain)/")
    }

    /// Why Mailgun refuses the whole request, if it does.
    private func rejectionReason(for request: MailgunSendRequest) -> String? {
        if domainDisabled {
            return "Domain \(domain) is disabled. Please contact support to re-enable sending."
        }
        for (field, addresses) in [("to", request.to), ("cc", request.cc)] {
            for address in addresses where !AddressText.trimmed(address).isEmpty && !AddressText.isValid(AddressText.bare(address)) {
                return "\(field) parameter is not a valid address. please check documentation"
            }
        }
        let bytes = request.text.utf8.count + request.attachments.reduce(0) { $0 + max($1.size, 0) }
        if bytes > Self.maximumMessageBytes {
            return "Message size exceeds the 25 MB limit"
        }
        return nil
    }
}
