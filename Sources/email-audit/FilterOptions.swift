import ArgumentParser
import AuditCore
import AuditStore
import Foundation

/// The filters `query` and `export` take, parsed and checked in one place.
struct FilterOptions: ParsableArguments {
    @Option(name: .customLong("raised-by"), help: ArgumentHelp("Staff name (repeatable).", valueName: "name"))
    var raisedBy: [String] = []

    @Option(help: ArgumentHelp("Status (repeatable).", valueName: "status"))
    var status: [EmailStatus] = []

    @Option(help: ArgumentHelp("Recipient: an address, a prefix (smith*), a domain (*@hotmail.co.uk) or a part (*hughes*).",
                               valueName: "address"))
    var to: String?

    @Option(help: ArgumentHelp("Only emails whose subject contains this text (ASCII letters in any case).", valueName: "text"))
    var subject: String?

    @Option(help: ArgumentHelp("The dates to show.", valueName: "range"))
    var range: DateRangeChoice = .today

    @Option(help: ArgumentHelp("First day, dd/mm/yyyy (overrides --range).", valueName: "date"))
    var from: String?

    @Option(help: ArgumentHelp("Last day, dd/mm/yyyy, included (overrides --range).", valueName: "date"))
    var until: String?

    /// The filter without the staff (which needs the store); a one-line error for bad input.
    func filterWithoutStaff() throws -> EmailFilter {
        var filter = EmailFilter()
        filter.statuses = Set(status)
        if let to {
            guard let pattern = AddressPattern(parsing: to) else {
                throw CLIError("--to needs an address, a prefix (smith*), a domain (*@domain) or a part (*part*) (got '\(to)')")
            }
            filter.to = pattern
        }
        if let subject {
            let text = subject.trimmingCharacters(in: .whitespaces)
            guard !text.isEmpty else { throw CLIError("--subject needs some text") }
            guard !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw CLIError("--subject cannot contain control characters")
            }
            filter.subject = text
        }
        if from != nil || until != nil {
            let first = try from.map { try QueryCommand.day($0, option: "--from") }
            let last = try until.map { try QueryCommand.day($0, option: "--until") }
            if let first, let last, last < first { throw CLIError("--until \(last) is before --from \(first)") }
            filter.dateRange = .custom(from: first, through: last)
        } else {
            filter.dateRange = range
        }
        return filter
    }

    /// Adds the Raised by ids, matched by name as `query --raised-by` matches them.
    func addStaff(to filter: inout EmailFilter, staff: [StaffUser]) throws {
        guard !raisedBy.isEmpty else { return }
        filter.raisedBy = Set(try raisedBy.flatMap { name -> [Int64] in
            let matches = staff.filter {
                $0.name.compare(name, options: [.caseInsensitive, .diacriticInsensitive]) == .orderedSame
                    || name.allSatisfy(\.isASCII)
                    && ASCIIFallback.text($0.name).caseInsensitiveCompare(name) == .orderedSame
            }
            guard !matches.isEmpty else { throw CLIError("no staff member named '\(name)'") }
            return matches.map(\.id)
        })
    }
}
