import ArgumentParser
import AuditCore
import Export

// The values the CLI's options take, parsed by ArgumentParser, with their choices listed in
// `--help` and in the shell completions. A value that is not one of them is refused with
// ArgumentParser's one-line message, which names the option and lists the choices.

extension EmailStatus: ExpressibleByArgument {
    /// Any spelling ``EmailStatus/init(parsing:)`` accepts ("failed", "Temporary failure").
    public init?(argument: String) {
        self.init(parsing: argument)
    }

    public static var allValueStrings: [String] { allCases.map(\.argumentName) }

    /// Each status with what it means, listed under `--status` in `--help`.
    public static var allValueDescriptions: [String: String] {
        Dictionary(uniqueKeysWithValues: allCases.map { ($0.argumentName, $0.meaning) })
    }

    public var defaultValueDescription: String { argumentName }
}

extension DateRangeChoice: ExpressibleByArgument {
    // `init?(argument:)` is DateRangeChoice's own (lenient about case and dashes).

    public static var allValueStrings: [String] { named.map(\.argumentName) }

    public var defaultValueDescription: String { argumentName }

    /// The CLI spelling: "today", "last-7-days", …; a custom range as its dates.
    var argumentName: String {
        switch self {
        case .today: "today"
        case .yesterday: "yesterday"
        case .last7Days: "last-7-days"
        case .last30Days: "last-30-days"
        case .thisMonth: "this-month"
        case .lastMonth: "last-month"
        case .all: "all"
        case .custom: displayName
        }
    }
}

extension SummaryFormat: ExpressibleByArgument {
    /// `table`, `json` or `csv`, in any case.
    public init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }
}

extension ExportFormat: ExpressibleByArgument {
    /// `xlsx`, `pdf` or `csv`, in any case.
    public init?(argument: String) {
        self.init(rawValue: argument.lowercased())
    }
}

/// `--format text|json` of `show`, `suppressions` and `resend`.
enum TextOrJSON {
    /// Whether `format` asks for JSON; anything but text or json gets one line naming both.
    static func isJSON(_ format: String) throws -> Bool {
        switch format.lowercased() {
        case "text": return false
        case "json": return true
        default: throw CLIError("unknown format '\(format)'; use text or json")
        }
    }
}

extension NotificationScope: ExpressibleByArgument {
    public var defaultValueDescription: String { rawValue }
    /// What each scope means, under `--scope` in `--help`.
    public static var allValueDescriptions: [String: String] {
        Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0.displayName) })
    }
}

extension NotificationDelivery: ExpressibleByArgument {
    public var defaultValueDescription: String { rawValue }
    /// What each delivery means, under `--delivery` in `--help`.
    public static var allValueDescriptions: [String: String] {
        Dictionary(uniqueKeysWithValues: allCases.map { ($0.rawValue, $0.displayName) })
    }
}
