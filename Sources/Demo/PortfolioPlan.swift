import AuditCore
import AuditEngine
import AuditStore
import Foundation

/// A demo agency described purely from a seed: blocks, units, contacts and staff.
///
/// The plan is a value, so the same seed always describes the same agency; ``DemoSeeder``
/// writes it to the store, and the live demo rebuilds it to pick recipients again.
public struct PortfolioPlan: Sendable {
    public struct BlockPlan: Sendable {
        public var name: String
        public var street: String
        public var town: String
        public var postcode: String
        public var units: [String]
    }

    public struct ContactPlan: Sendable {
        public var name: String
        public var email: String
        public var phone: String
        public var role: ContactRole
        /// (block index, unit index) pairs.
        public var units: [UnitRef]
    }

    public struct UnitRef: Sendable, Hashable {
        public var block: Int
        public var unit: Int
    }

    public var accountName = DemoAgency.harbourLets.name
    /// The short name in the From header of the agency's emails.
    public var senderName = DemoAgency.harbourLets.senderName
    public var blocks: [BlockPlan] = []
    public var contacts: [ContactPlan] = []
    public var staff: [(name: String, role: StaffRole)] = []

    /// The emails a year one copy of an agency's portfolio is sized for: Harbour Lets's 835
    /// contacts get about 24 each, about what a leaseholder receives (monthly receipts, quarterly
    /// demands, reminders, statements, ticket updates).
    public static let emailsPerYearPerCopy = 20_000

    /// How many copies of the agency's blocks a seeding of `emails` emails over `days` days
    /// needs so that each contact gets about as many emails a year as in one copy's worth
    /// (``emailsPerYearPerCopy``): 1 up to 20,000 emails a year, 50 for 10,000,000 over ten years.
    public static func copies(forEmails emails: Int, days: Int) -> Int {
        let perYear = Double(emails) * 365 / Double(max(days, 1))
        return max(1, Int((perYear / Double(emailsPerYearPerCopy)).rounded(.up)))
    }

    /// Describes `agency` (Harbour Lets unless said) for a seed.
    ///
    /// With `copies` above 1 the agency manages that many times as many blocks: its own, then
    /// generated ones (the same sizes of block, new names, new contacts), so a large seeding
    /// spreads its emails over as many people as a real agency of that size would. The first
    /// copy is the same whatever `copies` is: the same blocks, contacts and addresses, in the
    /// same order.
    public init(seed: UInt64, agency: DemoAgency = .harbourLets, copies: Int = 1) {
        accountName = agency.name
        senderName = agency.senderName
        // Harbour Lets keeps the stream it always had; another agency gets its own.
        var rng = SeededRandom(seed: seed ^ 0x5EED_B10C ^ (agency == .harbourLets ? 0 : UInt64(truncatingIfNeeded: agency.name.utf8.count) << 32))
        staff = agency.staff.enumerated().map { index, name in
            (name, index >= agency.staff.count - agency.supportCount ? .support : .staff)
        }
        for (index, name) in agency.blocks.enumerated() {
            blocks.append(Self.block(in: agency.towns[index % agency.towns.count], using: &rng) { _ in name })
        }
        if copies > 1 {
            // A stream of its own, so the first copy's contacts below draw what they always drew.
            var more = SeededRandom(seed: seed ^ 0xB10C_C0DE ^ UInt64(truncatingIfNeeded: copies) << 40)
            let buildings = ["House", "Court", "Lofts", "Mansions", "Point", "Gardens", "Wharf", "Place", "Heights", "Quay"]
            for _ in 1..<copies {
                for index in agency.blocks.indices {
                    blocks.append(Self.block(in: agency.towns[index % agency.towns.count], using: &more) { rng in
                        "\(rng.pick(DemoNames.lastNames).0) \(rng.pick(buildings))"
                    })
                }
            }
        }
        var usedAddresses = Set<String>()
        var landlords: [Int] = []  // contact indexes owning several units
        func person(_ rng: inout SeededRandom) -> (name: String, first: String, last: String) {
            let first = rng.pick(DemoNames.firstNames), last = rng.pick(DemoNames.lastNames)
            return ("\(first.0) \(last.0)", first.1, last.1)
        }
        func address(first: String, last: String, _ rng: inout SeededRandom) -> String {
            let domain = rng.chance(0.02) ? rng.pick(DemoNames.typoDomains) : rng.pick(DemoNames.domains)
            let styles = ["\(first).\(last)", "\(first)\(last)", "\(first.prefix(1))\(last)", "\(last).\(first)"]
            var local = rng.pick(styles)
            var candidate = "\(local)@\(domain)"
            while usedAddresses.contains(candidate) {
                local = "\(rng.pick(styles))\(Int.random(in: 1...99, using: &rng))"
                candidate = "\(local)@\(domain)"
            }
            usedAddresses.insert(candidate)
            if rng.chance(0.004) {
                // Typed into the system wrongly: the provider will refuse these outright.
                return rng.pick(["\(local)@\(domain.replacingOccurrences(of: ".", with: ","))",
                                 "\(local) @\(domain)", "\(local)@@\(domain)", "\(local).\(domain)"])
            }
            return candidate
        }
        func phone(_ rng: inout SeededRandom) -> String {
            if rng.chance(0.2) {
                return String(format: "020 %04d %04d", Int.random(in: 3000...8999, using: &rng), Int.random(in: 0...9999, using: &rng))
            }
            return String(format: "07%03d %06d", Int.random(in: 400...999, using: &rng), Int.random(in: 0...999_999, using: &rng))
        }
        for (blockIndex, block) in blocks.enumerated() {
            var blockLeaseholders: [Int] = []
            for unitIndex in block.units.indices {
                let ref = UnitRef(block: blockIndex, unit: unitIndex)
                if !landlords.isEmpty, rng.chance(0.1) {
                    // A landlord who owns several units, under one address.
                    let owner = rng.pick(landlords)
                    contacts[owner].units.append(ref)
                    blockLeaseholders.append(owner)
                } else {
                    let p = person(&rng)
                    let email = address(first: p.first, last: p.last, &rng)
                    contacts.append(ContactPlan(name: p.name, email: email, phone: phone(&rng), role: .leaseholder, units: [ref]))
                    let index = contacts.count - 1
                    blockLeaseholders.append(index)
                    if rng.chance(0.08) { landlords.append(index) }
                    if rng.chance(0.15) {
                        // A couple sharing one address.
                        let partner = rng.pick(DemoNames.firstNames)
                        let surname = p.name.split(separator: " ", maxSplits: 1).last.map(String.init) ?? p.last
                        contacts.append(ContactPlan(name: "\(partner.0) \(surname)", email: email, phone: phone(&rng),
                                                    role: .leaseholder, units: [ref]))
                    }
                }
                if rng.chance(0.25) {
                    let p = person(&rng)
                    contacts.append(ContactPlan(name: p.name, email: address(first: p.first, last: p.last, &rng),
                                                phone: phone(&rng), role: .tenant, units: [ref]))
                }
            }
            // One or two leaseholders sit as directors of the residents' management company.
            for director in Set((0..<Int.random(in: 1...2, using: &rng)).map { _ in rng.pick(blockLeaseholders) }).sorted() {
                let leaseholder = contacts[director]
                contacts.append(ContactPlan(name: leaseholder.name, email: leaseholder.email, phone: leaseholder.phone,
                                            role: .director, units: [leaseholder.units.first { $0.block == blockIndex } ?? leaseholder.units[0]]))
            }
        }
    }

    /// One block in `town` (name, postcode area), drawn from `rng` in a fixed order: the number
    /// of units, then the name (`name` may draw too), the street and the postcode. Both the
    /// agency's own blocks and the generated copies use it, so a seed keeps describing the same
    /// blocks.
    private static func block(in town: (String, String), using rng: inout SeededRandom,
                              named name: (inout SeededRandom) -> String) -> BlockPlan {
        let unitCount = Int.random(in: 6...36, using: &rng)
        let name = name(&rng)
        let street = "\(Int.random(in: 1...220, using: &rng)) \(rng.pick(DemoNames.streets))"
        let postcode = "\(town.1) \(Int.random(in: 1...9, using: &rng))\(rng.pick(["AB", "DF", "EQ", "HN", "LT", "PX", "RW", "SZ"]))"
        return BlockPlan(name: name, street: street, town: town.0, postcode: postcode,
                         units: (1...unitCount).map { "Flat \($0)" })
    }
}
