import Foundation

/// The provider's reason for the status an email shows.
public struct StatusDetail: Sendable, Hashable, Codable {
    public var status: EmailStatus
    public var severity: FailureSeverity?
    public var reason: String?
    public var code: Int?
    public var enhancedCode: String?
    public var message: String?
    public var description: String?
    public var mxHost: String?
    public var attemptNumber: Int?
    public var retrySeconds: Int?
    public var rejectReason: String?
    public var occurredAt: Date?

    public init(status: EmailStatus, severity: FailureSeverity? = nil, reason: String? = nil, code: Int? = nil,
                enhancedCode: String? = nil, message: String? = nil, description: String? = nil,
                mxHost: String? = nil, attemptNumber: Int? = nil, retrySeconds: Int? = nil,
                rejectReason: String? = nil, occurredAt: Date? = nil) {
        self.status = status
        self.severity = severity
        self.reason = reason
        self.code = code
        self.enhancedCode = enhancedCode
        self.message = message
        self.description = description
        self.mxHost = mxHost
        self.attemptNumber = attemptNumber
        self.retrySeconds = retrySeconds
        self.rejectReason = rejectReason
        self.occurredAt = occurredAt
    }

    /// One line summarising the reason, e.g. "550 5.1.1 The email account ... (mx: gmail-smtp-in.l.google.com, attempt 1)".
    public var summary: String {
        var parts: [String] = []
        if let rejectReason, !rejectReason.isEmpty { parts.append(rejectReason) }
        var codeText = ""
        if let code { codeText = String(code) }
        if let enhancedCode, !enhancedCode.isEmpty { codeText += codeText.isEmpty ? enhancedCode : " \(enhancedCode)" }
        if !codeText.isEmpty { parts.append(codeText) }
        if let text = [message, description].compactMap({ $0 }).first(where: { !$0.isEmpty }) {
            parts.append(text.replacingOccurrences(of: "\n", with: " "))
        }
        return parts.joined(separator: " ")
    }
}

/// The result of deriving an email's status from its events.
public struct DerivedStatus: Sendable, Hashable {
    public var status: EmailStatus
    /// The reason behind `status`, taken from the event that decided it (nil for Pending).
    public var detail: StatusDetail?
    /// The time of the newest event, if any.
    public var lastEventAt: Date?

    public init(status: EmailStatus, detail: StatusDetail?, lastEventAt: Date?) {
        self.status = status
        self.detail = detail
        self.lastEventAt = lastEventAt
    }

    /// An email with no events yet.
    public static let pending = DerivedStatus(status: .pending, detail: nil, lastEventAt: nil)
}

/// The one place an email's status is decided.
///
/// The status is a function of the *set* of events: the same events in any order,
/// with any duplicates, give the same status and the same details. Rules, highest first:
///
/// | rank | status | decided by |
/// |---|---|---|
/// | 1 | Rejected | any `rejected` event (the provider refused the request) |
/// | 2 | Complained | any `complained` event |
/// | 3 | Unsubscribed | any `unsubscribed` event |
/// | 4 | Failed | any permanent failure, or any failure with reason `old` whatever its severity; a late bounce after delivery also lands here |
/// | 5 | Clicked | any `clicked` event |
/// | 6 | Opened | any `opened` event |
/// | 7 | Delivered | any `delivered` event |
/// | 8 | Temporary Failure | a temporary failure and no outcome above (retries pending) |
/// | 9 | Accepted | an `accepted` event only |
/// | 10 | Pending | no events |
///
/// The details come from the deciding event: among events of the winning rank, the
/// newest by time, then highest attempt number, then by event key, so ties are broken the same way every time.
public enum StatusDerivation {
    /// Precedence rank of a status (higher wins).
    public static func rank(of status: EmailStatus) -> Int {
        switch status {
        case .rejected: 10
        case .complained: 9
        case .unsubscribed: 8
        case .failed: 7
        case .clicked: 6
        case .opened: 5
        case .delivered: 4
        case .temporaryFailure: 3
        case .accepted: 2
        case .pending: 1
        }
    }

    /// Derives the status of an email from all its events.
    public static func derive<Events: Sequence>(_ events: Events) -> DerivedStatus where Events.Element == ProviderEvent {
        // The events are read in place: each copy of a `ProviderEvent` retains its strings, and
        // the ingest derives every email it touches (perf, 06/12/2026).
        if let derived = events.withContiguousStorageIfAvailable({ derive(in: $0) }) { return derived }
        return Array(events).withUnsafeBufferPointer { derive(in: $0) }
    }

    private static func derive(in events: UnsafeBufferPointer<ProviderEvent>) -> DerivedStatus {
        var best: Int?
        var bestStatus = EmailStatus.pending
        var last: Date?
        for index in events.indices {
            let occurredAt = events[index].occurredAt
            if last == nil || occurredAt > last! { last = occurredAt }
            guard let status = events[index].indicatedStatus else { continue }
            if let current = best {
                let rankNew = rank(of: status), rankOld = rank(of: bestStatus)
                if rankNew > rankOld || (rankNew == rankOld && isNewer(events[index], than: events[current])) {
                    best = index
                    bestStatus = status
                }
            } else {
                best = index
                bestStatus = status
            }
        }
        guard let decider = best else { return DerivedStatus(status: .pending, detail: nil, lastEventAt: last) }
        return DerivedStatus(status: bestStatus, detail: detail(for: events[decider], status: bestStatus), lastEventAt: last)
    }

    /// A total order on events of the same rank: time, then attempt number, then key.
    static func isNewer(_ lhs: ProviderEvent, than rhs: ProviderEvent) -> Bool {
        if lhs.occurredAt != rhs.occurredAt { return lhs.occurredAt > rhs.occurredAt }
        let la = lhs.delivery?.attemptNumber ?? 0, ra = rhs.delivery?.attemptNumber ?? 0
        if la != ra { return la > ra }
        return lhs.key > rhs.key
    }

    static func detail(for event: ProviderEvent, status: EmailStatus) -> StatusDetail {
        StatusDetail(
            status: status, severity: event.severity, reason: event.reason,
            code: event.delivery?.code, enhancedCode: event.delivery?.enhancedCode,
            message: event.delivery?.message, description: event.delivery?.description,
            mxHost: event.delivery?.mxHost, attemptNumber: event.delivery?.attemptNumber,
            retrySeconds: event.delivery?.retrySeconds, rejectReason: event.rejectReason,
            occurredAt: event.occurredAt)
    }
}
