import AuditCore
import Foundation

/// How far a typed dd/mm/yyyy date has got.
public enum DateInputState: Sendable, Hashable {
    /// Nothing typed: the bound is open.
    case empty
    /// A valid beginning of a date; keep typing.
    case partial
    /// A real calendar day.
    case valid(CalendarDay)
    /// Not a date; the text says why.
    case invalid(String)

    /// Reads text typed into a custom date box, character by character.
    public init(_ text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty {
            self = .empty
            return
        }
        guard trimmed.allSatisfy({ ($0.isASCII && $0.isNumber) || $0 == "/" }) else {
            self = .invalid("use digits and / (dd/mm/yyyy)")
            return
        }
        let parts = trimmed.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count <= 3 else {
            self = .invalid("too many /")
            return
        }
        let limits = [2, 2, 4]
        for (index, part) in parts.enumerated() where part.count > limits[index] {
            self = .invalid(index == 2 ? "the year has 4 digits" : "dd/mm/yyyy")
            return
        }
        if let day = parts.first.flatMap(Int.init), parts[0].count == 2 || parts.count > 1, !(1...31).contains(day) {
            self = .invalid("no day \(parts[0])")
            return
        }
        if parts.count > 1, parts.count > 2 || parts[1].count == 2, let month = Int(parts[1]), !(1...12).contains(month) {
            self = .invalid("no month \(parts[1])")
            return
        }
        if parts.count == 3, parts[2].count == 4 {
            if let day = CalendarDay(parsing: trimmed) {
                self = .valid(day)
            } else {
                self = .invalid("no such day")
            }
            return
        }
        if (parts.count > 1 && parts[0].isEmpty) || (parts.count > 2 && parts[1].isEmpty) {
            self = .invalid("dd/mm/yyyy")
            return
        }
        self = .partial
    }

    /// The day, when valid.
    public var day: CalendarDay? {
        if case .valid(let day) = self { return day }
        return nil
    }

    /// Whether the box can be applied (empty or a valid day).
    public var isAcceptable: Bool {
        switch self {
        case .empty, .valid: true
        case .partial, .invalid: false
        }
    }
}

/// Choices offered by the filter editors, and the filter in words.
public enum FilterChoices {
    /// Rows of the Date range list: the named ranges, then "Custom".
    public static let dateRows: [String] = DateRangeChoice.named.map(\.displayName) + ["Custom dates…"]

    /// Index of the custom row in ``dateRows``.
    public static var customDateRow: Int { DateRangeChoice.named.count }

    /// Rows of the Status list: "All", then the ten statuses.
    public static let statusRows: [EmailStatus?] = [nil] + EmailStatus.allCases

    /// Staff whose names contain `query` (ignoring case and accents), by name.
    public static func staff(_ staff: [StaffUser], matching query: String) -> [StaffUser] {
        let trimmed = query.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { return staff }
        // Typed in ASCII (as a screen in ASCII shows names), a query also matches the name's
        // ASCII form: "lukasz" finds Łukasz, which has no accent to ignore.
        let asciiQuery = trimmed.allSatisfy(\.isASCII) ? trimmed : nil
        return staff.filter { person in
            person.name.range(of: trimmed, options: [.caseInsensitive, .diacriticInsensitive]) != nil
                || asciiQuery.map { ASCIIFallback.text(person.name).range(of: $0, options: .caseInsensitive) != nil } == true
        }
    }

    /// The custom date range typed so far, or a reason it cannot be applied.
    public static func customRange(from: String, through: String) -> Result<DateRangeChoice, CustomRangeError> {
        let first = DateInputState(from), last = DateInputState(through)
        guard first.isAcceptable else {
            return .failure(CustomRangeError(text: "From: " + reason(first), isIncomplete: first == .partial))
        }
        guard last.isAcceptable else {
            return .failure(CustomRangeError(text: "To: " + reason(last), isIncomplete: last == .partial))
        }
        if let a = first.day, let b = last.day, b < a {
            return .failure(CustomRangeError(text: "the To date is before the From date"))
        }
        return .success(.custom(from: first.day, through: last.day))
    }

    static func reason(_ state: DateInputState) -> String {
        switch state {
        case .partial: "keep typing dd/mm/yyyy"
        case .invalid(let why): why
        default: ""
        }
    }

    /// Names of the people a Raised by set picks ("Anyone" when empty).
    public static func raisedByWords(_ ids: Set<Int64>, staff: [StaffUser]) -> String {
        guard !ids.isEmpty else { return "Anyone" }
        let names = staff.filter { ids.contains($0.id) }.map(\.name)
        if names.isEmpty { return ids.count == 1 ? "1 person" : "\(ids.count) people" }
        return names.count <= 2 ? names.joined(separator: ", ") : "\(names.count) people"
    }

    /// The statuses of a set, problems first ("All" when empty, "Not delivered" for exactly
    /// ``EmailStatus/notDelivered``), shortened to `width` columns as "Failed, Complained +2 more"
    /// and, when even that is too long, "4 statuses".
    public static func statusWords(_ statuses: Set<EmailStatus>, width: Int = .max) -> String {
        guard !statuses.isEmpty else { return "All" }
        if statuses == EmailStatus.notDelivered { return "Not delivered" }
        let order = EmailStatus.problems + EmailStatus.allCases.filter { !EmailStatus.problems.contains($0) }
        let names = order.filter(statuses.contains).map(\.displayName)
        let whole = names.joined(separator: ", ")
        if DisplayWidth.of(whole) <= width { return whole }
        for kept in stride(from: names.count - 1, through: 1, by: -1) {
            let text = names.prefix(kept).joined(separator: ", ") + " +\(names.count - kept) more"
            if DisplayWidth.of(text) <= width { return text }
        }
        return "\(names.count) statuses"
    }

    /// The whole filter in words, for the header:
    /// "Failed emails to bob* raised by Zoë Adams · Last 7 days"; the statuses are
    /// shortened so the whole fits `width` where possible.
    public static func words(_ filter: EmailFilter, staff: [StaffUser], width: Int = .max) -> String {
        var rest = ""
        if let to = filter.to { rest += " to " + TerminalText.singleLine(to.description) }
        if let subject = filter.subject { rest += " about “" + TerminalText.singleLine(subject) + "”" }
        if !filter.raisedBy.isEmpty { rest += " raised by " + raisedByWords(filter.raisedBy, staff: staff) }
        rest += " · " + filter.dateRange.displayName
        if filter.statuses.isEmpty { return "All emails" + rest }
        if filter.statuses == EmailStatus.notDelivered { return "Emails not delivered" + rest }
        let room = width == .max ? .max : max(12, width - DisplayWidth.of(rest) - DisplayWidth.of(" emails"))
        return statusWords(filter.statuses, width: room) + " emails" + rest
    }
}

/// Why a custom date range cannot be applied.
public struct CustomRangeError: Error, Sendable, Hashable {
    public var text: String
    /// True when the text is only unfinished (a warning rather than an error).
    public var isIncomplete: Bool = false
}
