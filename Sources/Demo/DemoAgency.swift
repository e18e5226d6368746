import AuditCore
import Foundation
import ProviderSimulator

/// One managing agency of the demo: its name, staff, buildings and sending domain.
///
/// The demo and `seed` create three, so a support user has accounts to choose from and a
/// staff user can be seen to get only their own. Harbour Lets comes first and is unchanged
/// (its ids, staff and emails are what the tests and screenshots know).
public struct DemoAgency: Sendable, Hashable {
    /// The account's name.
    public var name: String
    /// The short name in the From header of its emails ("Harbour Lets").
    public var senderName: String
    /// Its Mailgun sending domain.
    public var domain: String
    /// Staff names; the last ``supportCount`` are on the support team.
    public var staff: [String]
    public var supportCount: Int
    /// Block (building) names.
    public var blocks: [String]
    /// Towns its blocks are in, with the postcode district.
    public var towns: [(String, String)]

    public static func == (a: DemoAgency, b: DemoAgency) -> Bool { a.name == b.name && a.domain == b.domain }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    /// Harbour Lets Property Management: the first agency, as the demo has always had it.
    public static let harbourLets = DemoAgency(
        name: "Harbour Lets Property Management", senderName: "Harbour Lets", domain: MailgunSimulator.defaultDomain,
        staff: DemoNames.staff, supportCount: DemoNames.supportStaffCount, blocks: DemoNames.blocks, towns: DemoNames.towns)

    /// Northgate Block Management (the North of England).
    public static let northgate = DemoAgency(
        name: "Northgate Block Management", senderName: "Northgate", domain: "mg.northgatebm.co.uk",
        staff: ["Ruth Ashworth", "Declan Murphy", "Ananya Iyer", "Gethin Morgan", "Zoë Clarke", "Bartłomiej Zieliński",
                "Imogen Holt", "Kwabena Mensah"],
        supportCount: 0,
        blocks: ["Northgate House", "Tyne View", "Pennine Court", "Mercia Lofts", "Aire Wharf", "Calder Mill",
                 "Wensley Gardens", "Minster Yard"],
        towns: [("Newcastle", "NE1"), ("Leeds", "LS2"), ("Sheffield", "S1"), ("York", "YO30"), ("Durham", "DH1")])

    /// Castle Quay Residential (the South West and Wales).
    public static let castleQuay = DemoAgency(
        name: "Castle Quay Residential", senderName: "Castle Quay", domain: "mg.castlequay.co.uk",
        staff: ["Bethan Pryce", "Oliver Bennett", "Noor Hassan", "Tristan Penrose", "Mairéad Quinn", "Femi Adebayo"],
        supportCount: 0,
        blocks: ["Castle Quay", "Bute Street Lofts", "Harbourside", "Clifton Heights", "Tamar House", "Exe Bridge Court"],
        towns: [("Cardiff", "CF10"), ("Bristol", "BS8"), ("Plymouth", "PL1"), ("Exeter", "EX1")])

    /// Who the demo store signs in when no user is named and the login name is no user's: a
    /// staff member of Harbour Lets, shown in the header.
    public static let defaultUserName = "Amelia Hughes"

    /// The demo's agencies, first to last.
    public static let all: [DemoAgency] = [.harbourLets, .northgate, .castleQuay]
}
