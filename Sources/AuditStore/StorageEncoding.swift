import AuditCore
import Foundation

/// How dates, lists and status details are written in columns.
///
/// Dates are integers (milliseconds for emails, microseconds for events) so that ordering
/// and ranges are exact. JSON is written with AuditCore's ``JSONWriter``: it is on the ingest
/// hot path, where a `JSONEncoder` per row would cost more than the SQL.
enum StorageEncoding {
    // MARK: Time

    /// Milliseconds since 1970, rounded to the nearest millisecond (clamped, never trapping:
    /// times from outside are range-checked before they get here).
    static func milliseconds(_ date: Date) -> Int64 {
        PlausibleTime.clampedInt64(date.timeIntervalSince1970 * 1000)
    }

    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// Microseconds since 1970, rounded to the nearest microsecond (clamped, never trapping).
    static func microseconds(_ date: Date) -> Int64 {
        PlausibleTime.clampedInt64(date.timeIntervalSince1970 * 1_000_000)
    }

    static func date(microseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(microseconds) / 1_000_000)
    }

    // MARK: JSON

    /// `["a","b"]`, written by AuditCore's ``JSONWriter``.
    static func jsonArray(_ values: [String]) -> String {
        if values.isEmpty { return "[]" }
        var json = JSONWriter(capacity: values.reduce(2) { $0 + $1.utf8.count + 3 })
        json.beginArray()
        for value in values {
            json.element()
            json.writeString(value)
        }
        json.endArray()
        return json.text
    }

    /// `[1,2,3]`, used to pass id lists to `json_each`.
    static func jsonArray(_ values: some Sequence<Int64>) -> String {
        var json = JSONWriter(capacity: 64)
        json.beginArray()
        for value in values {
            json.element()
            json.writeInt(Int(value))
        }
        json.endArray()
        return json.text
    }

    static func decodeStringArray(_ json: String?) -> [String] {
        guard let json, json != "[]", let data = json.data(using: .utf8) else { return [] }
        return (try? JSONDecoder().decode([String].self, from: data)) ?? []
    }

    /// The status detail as stored in `emails.status_detail` (schema v13): a JSON array of the
    /// fields by position, without trailing nulls, e.g. `[2,1702217968100990,250,"OK","","mx.example.net",1]`
    /// (``StatusDetailPosition`` gives the order; `occurredAt` in microseconds). Version 1's
    /// object form spelt every field name in every row (about 80 of a delivered email's ~175 bytes).
    static func statusDetailJSON(_ detail: StatusDetail?) -> String? {
        guard let d = detail else { return nil }
        var values: [StoredDetailValue] = [
            .number(Int64(d.status.code)), .number(d.occurredAt.map(microseconds)), .number(d.code.map(Int64.init)),
            .text(d.message), .text(d.description), .text(d.mxHost), .number(d.attemptNumber.map(Int64.init)),
            .text(d.severity?.rawValue), .text(d.reason), .text(d.enhancedCode),
            .number(d.retrySeconds.map(Int64.init)), .text(d.rejectReason),
        ]
        while let last = values.last, last.isNull { values.removeLast() }
        var json = JSONWriter(capacity: 128)
        json.beginArray()
        for value in values {
            json.element()
            switch value {
            case .number(let number?): json.writeInt(Int(number))
            case .text(let text?): json.writeString(text)
            case .number(nil), .text(nil): json.writeRaw("null")
            }
        }
        json.endArray()
        return json.text
    }

    /// The positions of ``statusDetailJSON(_:)``'s array (FROZEN: stored rows and the SQL that
    /// reads one field, e.g. `json_extract(status_detail, '$[8]')` for the reason, use them).
    enum StatusDetailPosition {
        static let status = 0, occurredAt = 1, code = 2, message = 3, description = 4, mxHost = 5, attemptNumber = 6
        static let severity = 7, reason = 8, enhancedCode = 9, retrySeconds = 10, rejectReason = 11
    }

    private enum StoredDetailValue {
        case number(Int64?)
        case text(String?)
        var isNull: Bool {
            switch self {
            case .number(let value): value == nil
            case .text(let value): value == nil
            }
        }
    }

    /// Reads ``statusDetailJSON(_:)``'s array.
    private struct PositionalDetail: Decodable {
        var detail: StatusDetail?

        init(from decoder: any Decoder) throws {
            var fields = try decoder.unkeyedContainer()
            func number() throws -> Int64? {
                if fields.isAtEnd { return nil }
                if try fields.decodeNil() { return nil }
                return try fields.decode(Int64.self)
            }
            func text() throws -> String? {
                if fields.isAtEnd { return nil }
                if try fields.decodeNil() { return nil }
                return try fields.decode(String.self)
            }
            guard let code = try number(), let status = EmailStatus(code: Int(code)) else { return }
            let occurredAt = try number(), smtpCode = try number(), message = try text(), description = try text()
            let mxHost = try text(), attempt = try number(), severity = try text(), reason = try text()
            let enhancedCode = try text(), retrySeconds = try number(), rejectReason = try text()
            detail = StatusDetail(
                status: status, severity: severity.flatMap(FailureSeverity.init(rawValue:)), reason: reason,
                code: smtpCode.map(Int.init), enhancedCode: enhancedCode, message: message, description: description,
                mxHost: mxHost, attemptNumber: attempt.map(Int.init), retrySeconds: retrySeconds.map(Int.init),
                rejectReason: rejectReason, occurredAt: occurredAt.map { StorageEncoding.date(microseconds: $0) })
        }
    }

    /// The status detail of `emails.status_detail`, nil for none or text that is not one.
    static func decodeStatusDetail(_ json: String?) -> StatusDetail? {
        guard let json, let data = json.data(using: .utf8) else { return nil }
        return (try? JSONDecoder().decode(PositionalDetail.self, from: data))?.detail
    }

    /// Version 1's object form of a status detail, e.g. `{"status":2,"code":250,...}`: what
    /// stores before v13 held, and what a retention archive line still carries (its format is
    /// unchanged).
    static func statusDetailObjectJSON(_ detail: StatusDetail?) -> String? {
        guard let d = detail else { return nil }
        var json = JSONWriter(capacity: 192)
        json.beginObject()
        json.key("status"); json.writeInt(d.status.code)
        func text(_ key: StaticString, _ value: String?) {
            guard let value else { return }
            json.key(key); json.writeString(value)
        }
        func number(_ key: StaticString, _ value: Int?) {
            guard let value else { return }
            json.key(key); json.writeInt(value)
        }
        text("severity", d.severity?.rawValue)
        text("reason", d.reason)
        number("code", d.code)
        text("enhancedCode", d.enhancedCode)
        text("message", d.message)
        text("description", d.description)
        text("mxHost", d.mxHost)
        number("attemptNumber", d.attemptNumber)
        number("retrySeconds", d.retrySeconds)
        text("rejectReason", d.rejectReason)
        if let at = d.occurredAt { json.key("occurredAt"); json.writeInt(Int(microseconds(at))) }
        json.endObject()
        return json.text
    }

    private struct ObjectDetail: Decodable {
        var status: Int
        var severity: String?
        var reason: String?
        var code: Int?
        var enhancedCode: String?
        var message: String?
        var description: String?
        var mxHost: String?
        var attemptNumber: Int?
        var retrySeconds: Int?
        var rejectReason: String?
        var occurredAt: Int64?
    }

    /// Reads ``statusDetailObjectJSON(_:)``'s object form (the v13 upgrade's input).
    static func decodeStatusDetailObject(_ json: String?) -> StatusDetail? {
        guard let json, let data = json.data(using: .utf8),
              let s = try? JSONDecoder().decode(ObjectDetail.self, from: data),
              let status = EmailStatus(code: s.status) else { return nil }
        return StatusDetail(
            status: status, severity: s.severity.flatMap(FailureSeverity.init(rawValue:)), reason: s.reason,
            code: s.code, enhancedCode: s.enhancedCode, message: s.message, description: s.description,
            mxHost: s.mxHost, attemptNumber: s.attemptNumber, retrySeconds: s.retrySeconds,
            rejectReason: s.rejectReason, occurredAt: s.occurredAt.map { date(microseconds: $0) })
    }

    // MARK: Addresses

    /// The form addresses are stored and compared in: bare, trimmed, lower-cased.
    static func normalisedAddress(_ address: String) -> String {
        EmailAddress.bare(address)
    }

    /// A provider message id without surrounding spaces or angle brackets.
    static func bareMessageID(_ id: String) -> String {
        ProviderMessageID.bare(id)
    }
}

/// Local calendar days in the store's time zone, as `CalendarDay.ordinal` numbers, computed
/// from the zone's UTC offset (cached per quarter hour) rather than through `Calendar`.
struct LocalDayCalculator {
    let timeZone: TimeZone
    private var offsets: [Int64: Int64] = [:]
    private static let bucket: Int64 = 900_000   // 15 minutes in ms
    private static let dayMs: Int64 = 86_400_000

    init(timeZone: TimeZone) {
        self.timeZone = timeZone
    }

    /// The ordinal of the local day containing the instant `ms` (milliseconds since 1970).
    mutating func day(milliseconds ms: Int64) -> Int {
        let key = Self.floorDiv(ms, Self.bucket)
        let offsetMs: Int64
        if let cached = offsets[key] {
            offsetMs = cached
        } else {
            let start = key * Self.bucket, end = start + Self.bucket - 1
            let first = Int64(timeZone.secondsFromGMT(for: StorageEncoding.date(milliseconds: start))) * 1000
            let last = Int64(timeZone.secondsFromGMT(for: StorageEncoding.date(milliseconds: end))) * 1000
            if first == last {
                if offsets.count > 100_000 { offsets.removeAll(keepingCapacity: true) }
                offsets[key] = first
                offsetMs = first
            } else {
                offsetMs = Int64(timeZone.secondsFromGMT(for: StorageEncoding.date(milliseconds: ms))) * 1000
            }
        }
        return Int(Self.floorDiv(ms + offsetMs, Self.dayMs))
    }

    mutating func day(_ date: Date) -> Int {
        day(milliseconds: StorageEncoding.milliseconds(date))
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }
}
