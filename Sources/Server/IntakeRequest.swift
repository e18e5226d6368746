import AuditCore
import Foundation

/// One email the host system asks the audit to record: the JSON body of `POST /v1/emails`
/// and one line of `email-audit record`.
///
/// ```json
/// {"host_id": "PMS-88121", "account": 1, "raised_by": "Zoë Clarke", "activity": "receipt",
///  "to": "alice@example.net", "cc": [], "from": "Harbour Lets <accounts@mg.harbourlets.co.uk>",
///  "subject": "Receipt 1042", "body": "Thank you ...", "attachment_names": ["Receipt-1042.pdf"],
///  "linked_units": [12]}
/// ```
public struct IntakeRequest: Sendable, Hashable {
    /// The host system's own id of the email; a retry with the same id records nothing new.
    public var hostID: String
    /// The account; over HTTP it may be left out (the bearer token names it) but must match when given.
    public var accountID: Int64?
    /// The name of the staff member who raised it, as the audit knows them.
    public var raisedBy: String
    public var activity: Activity
    public var to: String
    public var cc: [String]
    public var from: String
    public var subject: String
    public var body: String
    public var attachmentNames: [String]
    public var linkedUnits: [Int64]

    /// The keys a request may carry.
    public static let knownKeys: Set<String> = [
        "host_id", "account", "raised_by", "activity", "to", "cc", "from", "subject", "body", "attachment_names", "linked_units",
    ]

    /// Parses and checks a JSON object.
    /// - Throws: ``IntakeError`` naming the field: 400 for JSON that is not an object of the
    ///   right types, 422 for values that are well-typed but not acceptable.
    public static func parse(_ data: Data) throws(IntakeError) -> IntakeRequest {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: data, options: [])
        } catch {
            throw IntakeError(status: 400, field: "(body)", message: "the body is not valid JSON")
        }
        guard let fields = object as? [String: Any] else {
            throw IntakeError(status: 400, field: "(body)", message: "the body must be a JSON object")
        }
        for key in fields.keys.sorted() where !knownKeys.contains(key) {
            throw IntakeError(status: 422, field: key, message: "unknown field")
        }
        let hostID = try requiredString(fields, "host_id")
        guard hostID.count <= 200, !hostID.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
            throw IntakeError(status: 422, field: "host_id", message: "must be at most 200 characters without control characters")
        }
        var accountID: Int64?
        if let value = fields["account"], !(value is NSNull) {
            guard let number = value as? NSNumber, !isBoolean(number), let id = Int64(exactly: number.doubleValue) else {
                throw IntakeError(status: 400, field: "account", message: "must be a whole number (the account id)")
            }
            accountID = id
        }
        let raisedBy = try requiredString(fields, "raised_by")
        let activityText = try requiredString(fields, "activity")
        // External and status-alert emails are this tool's own kinds (found in provider logs; sent about another email).
        guard let activity = Activity(rawValue: activityText.lowercased()), activity != .external, activity != .statusAlert else {
            let names = Activity.allCases.filter { $0 != .external && $0 != .statusAlert }.map(\.rawValue).joined(separator: ", ")
            throw IntakeError(status: 422, field: "activity", message: "must be one of \(names)")
        }
        let to = try requiredString(fields, "to").trimmedOfSpaces
        guard EmailAddress.isValid(to) else {
            throw IntakeError(status: 422, field: "to", message: "is not a valid email address")
        }
        let cc = try stringArray(fields, "cc")
        for (index, address) in cc.enumerated() where !EmailAddress.isValid(address.trimmedOfSpaces) {
            throw IntakeError(status: 422, field: "cc[\(index)]", message: "is not a valid email address")
        }
        let from = try requiredString(fields, "from")
        guard EmailAddress.isValid(EmailAddress.bare(from)) else {
            throw IntakeError(status: 422, field: "from", message: "is not a valid address (a bare address or Name <address>)")
        }
        let subject = try requiredString(fields, "subject", allowEmpty: true)
        guard subject.count <= 998 else { throw IntakeError(status: 422, field: "subject", message: "must be at most 998 characters") }
        let body = try requiredString(fields, "body", allowEmpty: true)
        let attachments = try stringArray(fields, "attachment_names")
        for (index, name) in attachments.enumerated() where name.isEmpty || name.count > 255 {
            throw IntakeError(status: 422, field: "attachment_names[\(index)]", message: "must be 1 to 255 characters")
        }
        var units: [Int64] = []
        if let value = fields["linked_units"], !(value is NSNull) {
            guard let array = value as? [Any] else {
                throw IntakeError(status: 400, field: "linked_units", message: "must be an array of unit ids")
            }
            for (index, element) in array.enumerated() {
                guard let number = element as? NSNumber, !isBoolean(number), let id = Int64(exactly: number.doubleValue) else {
                    throw IntakeError(status: 400, field: "linked_units[\(index)]", message: "must be a whole number (a unit id)")
                }
                units.append(id)
            }
        }
        return IntakeRequest(hostID: hostID, accountID: accountID, raisedBy: raisedBy, activity: activity, to: to,
                             cc: cc.map { $0.trimmedOfSpaces }, from: from, subject: subject, body: body,
                             attachmentNames: attachments, linkedUnits: units)
    }

    public init(hostID: String, accountID: Int64?, raisedBy: String, activity: Activity, to: String, cc: [String] = [],
                from: String, subject: String, body: String, attachmentNames: [String] = [], linkedUnits: [Int64] = []) {
        self.hostID = hostID
        self.accountID = accountID
        self.raisedBy = raisedBy
        self.activity = activity
        self.to = to
        self.cc = cc
        self.from = from
        self.subject = subject
        self.body = body
        self.attachmentNames = attachmentNames
        self.linkedUnits = linkedUnits
    }

    private static func isBoolean(_ number: NSNumber) -> Bool {
        // JSON true/false arrive as NSNumbers of Objective-C type "c" (char), numbers as others.
        String(cString: number.objCType) == "c"
    }

    private static func requiredString(_ fields: [String: Any], _ key: String, allowEmpty: Bool = false) throws(IntakeError) -> String {
        guard let value = fields[key], !(value is NSNull) else {
            throw IntakeError(status: 400, field: key, message: "is required")
        }
        guard let text = value as? String else { throw IntakeError(status: 400, field: key, message: "must be a string") }
        if !allowEmpty && text.trimmedOfSpaces.isEmpty {
            throw IntakeError(status: 422, field: key, message: "must not be empty")
        }
        return text
    }

    private static func stringArray(_ fields: [String: Any], _ key: String) throws(IntakeError) -> [String] {
        guard let value = fields[key], !(value is NSNull) else { return [] }
        guard let array = value as? [Any] else { throw IntakeError(status: 400, field: key, message: "must be an array of strings") }
        var strings: [String] = []
        for (index, element) in array.enumerated() {
            guard let text = element as? String else {
                throw IntakeError(status: 400, field: "\(key)[\(index)]", message: "must be a string")
            }
            strings.append(text)
        }
        return strings
    }
}

/// A refused intake request: the HTTP status and the field at fault.
public struct IntakeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 400 (malformed), 401 (no or unknown token), 403 (another account), 422 (unacceptable value), 503 (store unavailable).
    public var status: Int
    /// The JSON field at fault, e.g. `to` or `cc[1]`; `(body)` for the whole body.
    public var field: String
    public var message: String

    public init(status: Int, field: String, message: String) {
        self.status = status
        self.field = field
        self.message = message
    }

    /// `to: is not a valid email address`.
    public var description: String { "\(field): \(message)" }

    /// `{"error": {"field": "to", "message": "is not a valid email address"}}`.
    public var json: String {
        JSONText.object(["error": .object(["field": .string(field), "message": .string(message)])])
    }
}

extension String {
    /// `trimmingCharacters(in: .whitespaces)`, without the bridge through NSString when there is
    /// nothing to trim (the text starts and ends with a visible ASCII character, as nearly every
    /// intake field does): that bridge cost the intake a few per cent of its time.
    var trimmedOfSpaces: String {
        let scalars = unicodeScalars
        if let first = scalars.first, let last = scalars.last, (0x21...0x7E).contains(first.value), (0x21...0x7E).contains(last.value) {
            return self
        }
        return trimmingCharacters(in: .whitespaces)
    }
}
