import Foundation

/// The portfolio side of the store contract: managing agencies (accounts), their staff, blocks,
/// units and contacts, as the engine, the demo and Unit Search use them. Both backends
/// (SQLite, `AuditDatabase`; PostgreSQL, `PostgresAuditStore`) conform, and one contract test
/// suite runs against each.
///
/// Every operation names its account, and a row of one account is never read or linked from
/// another: a block, unit or staff member of another account is refused as if it did not
/// exist. Text holding a NUL character is refused. A refused call writes nothing.
public protocol PortfolioStore: AnyObject, Sendable {
    /// Adds a managing agency.
    func insertAccount(name: String) throws -> Account
    /// Adds a staff member to an account, and the user who signs in as them.
    func insertStaff(accountID: Int64, name: String, role: StaffRole) throws -> StaffUser
    /// The account's "External" staff member (who raises emails found only in provider
    /// events), created on first use; the same one on every call.
    func externalStaff(accountID: Int64) throws -> StaffUser
    /// Adds a block (building) to an account.
    func insertBlock(accountID: Int64, name: String, street: String, town: String, postcode: String) throws -> Block
    /// Adds a unit (flat or house) to one of the account's blocks (another account's block is unknown).
    func insertUnit(accountID: Int64, blockID: Int64, name: String) throws -> Unit
    /// Adds a contact linked to some of the account's units (another account's unit is
    /// unknown). The address is stored bare and lower-cased (``EmailAddress/bare(_:)``).
    func insertContact(accountID: Int64, name: String, email: String, phone: String, role: ContactRole,
                       unitIDs: [Int64]) throws -> Contact
    /// Adds units named `names` to one of the account's blocks, in that order, and returns
    /// them in that order: the same rows as ``insertUnit(accountID:blockID:name:)`` for each
    /// name in turn, refused as it refuses. A store may write them in one transaction (the
    /// PostgreSQL store does: all or none); the default adds them one by one.
    func insertUnits(accountID: Int64, blockID: Int64, names: [String]) throws -> [Unit]
    /// Adds `contacts` to the account, in that order, and returns them in that order: the same
    /// rows as ``insertContact(accountID:name:email:phone:role:unitIDs:)`` for each in turn,
    /// refused as it refuses. A store may write them in one transaction (the PostgreSQL store
    /// does: all or none); the default adds them one by one.
    func insertContacts(accountID: Int64, _ contacts: [NewContact]) throws -> [Contact]
    /// Every account, by name (case-insensitive), then id.
    func accounts() throws -> [Account]
    /// The account's staff, by name (case-insensitive) then id, "External" included once created.
    func staff(inAccount accountID: Int64) throws -> [StaffUser]
    /// Unit Search: every unit of the account whose contacts use `address` (case-insensitive
    /// exact match of the bare address), by block then unit name (numbers in names compared as
    /// numbers), then unit id and contact name.
    func unitSearch(address: String, inAccount accountID: Int64) throws -> [UnitContactRow]
}

extension PortfolioStore {
    /// Adds the units one by one (``insertUnit(accountID:blockID:name:)``).
    public func insertUnits(accountID: Int64, blockID: Int64, names: [String]) throws -> [Unit] {
        try names.map { try insertUnit(accountID: accountID, blockID: blockID, name: $0) }
    }

    /// Adds the contacts one by one (``insertContact(accountID:name:email:phone:role:unitIDs:)``).
    public func insertContacts(accountID: Int64, _ contacts: [NewContact]) throws -> [Contact] {
        try contacts.map {
            try insertContact(accountID: accountID, name: $0.name, email: $0.email, phone: $0.phone, role: $0.role, unitIDs: $0.unitIDs)
        }
    }
}

extension UnitContactRow {
    /// The order of Unit Search rows (``PortfolioStore/unitSearch(address:inAccount:)``): by
    /// block then unit name (numbers in names compared as numbers, case-insensitive), then
    /// unit id, then contact name.
    public static func searchOrder(_ a: UnitContactRow, _ b: UnitContactRow) -> Bool {
        let block = a.blockName.compare(b.blockName, options: [.numeric, .caseInsensitive])
        if block != .orderedSame { return block == .orderedAscending }
        let unit = a.unitName.compare(b.unitName, options: [.numeric, .caseInsensitive])
        if unit != .orderedSame { return unit == .orderedAscending }
        if a.unitID != b.unitID { return a.unitID < b.unitID }
        return a.contactName.compare(b.contactName, options: [.caseInsensitive]) == .orderedAscending
    }

    /// A block's one-line address as Unit Search shows it: "street, town postcode" without
    /// the empty parts.
    public static func place(street: String, town: String, postcode: String) -> String {
        [street, [town, postcode].filter { !$0.isEmpty }.joined(separator: " ")]
            .filter { !$0.isEmpty }.joined(separator: ", ")
    }
}
