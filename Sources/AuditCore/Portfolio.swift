import Foundation

/// A managing agency: the unit of data ownership.
public struct Account: Sendable, Hashable, Codable {
    public var id: Int64
    public var name: String
    public init(id: Int64, name: String) {
        self.id = id
        self.name = name
    }
}

/// What a staff member may do.
public enum StaffRole: String, Sendable, Hashable, Codable, CaseIterable {
    /// Property-management staff: see and export emails.
    case staff
    /// The support team: may also lift suppressions.
    case support
}

/// A person whose actions raise emails.
public struct StaffUser: Sendable, Hashable, Codable {
    public var id: Int64
    public var accountID: Int64
    public var name: String
    public var role: StaffRole
    public init(id: Int64, accountID: Int64, name: String, role: StaffRole) {
        self.id = id
        self.accountID = accountID
        self.name = name
        self.role = role
    }

    /// The name used for emails that arrived from outside (another system or an imported log).
    public static let externalName = "External"
}

/// A building managed by the agency.
public struct Block: Sendable, Hashable, Codable {
    public var id: Int64
    public var accountID: Int64
    public var name: String
    public var street: String
    public var town: String
    public var postcode: String
    public init(id: Int64, accountID: Int64, name: String, street: String, town: String, postcode: String) {
        self.id = id
        self.accountID = accountID
        self.name = name
        self.street = street
        self.town = town
        self.postcode = postcode
    }
}

/// A flat or house within a block.
public struct Unit: Sendable, Hashable, Codable {
    public var id: Int64
    public var blockID: Int64
    public var name: String
    public init(id: Int64, blockID: Int64, name: String) {
        self.id = id
        self.blockID = blockID
        self.name = name
    }
}

/// How a contact relates to a unit.
public enum ContactRole: String, Sendable, Hashable, Codable, CaseIterable {
    case leaseholder, tenant, director

    public var displayName: String { rawValue.capitalized }
}

/// A person the agency writes to.
public struct Contact: Sendable, Hashable, Codable {
    public var id: Int64
    public var accountID: Int64
    public var name: String
    public var email: String
    public var phone: String
    public var role: ContactRole
    public init(id: Int64, accountID: Int64, name: String, email: String, phone: String, role: ContactRole) {
        self.id = id
        self.accountID = accountID
        self.name = name
        self.email = email
        self.phone = phone
        self.role = role
    }
}

/// A contact to add (``PortfolioStore/insertContacts(accountID:_:)``): what
/// ``PortfolioStore/insertContact(accountID:name:email:phone:role:unitIDs:)`` takes.
public struct NewContact: Sendable, Hashable {
    public var name: String
    public var email: String
    public var phone: String
    public var role: ContactRole
    /// The account's units the contact is linked to.
    public var unitIDs: [Int64]
    public init(name: String, email: String, phone: String, role: ContactRole, unitIDs: [Int64]) {
        self.name = name
        self.email = email
        self.phone = phone
        self.role = role
        self.unitIDs = unitIDs
    }
}

/// One row of Unit Search: a unit, and a contact of it who uses the address searched for.
public struct UnitContactRow: Sendable, Hashable, Codable {
    public var unitID: Int64
    public var blockName: String
    public var unitName: String
    public var address: String
    public var contactName: String
    public var contactRole: ContactRole
    public var phone: String
    public var email: String
    public init(unitID: Int64, blockName: String, unitName: String, address: String, contactName: String,
                contactRole: ContactRole, phone: String, email: String) {
        self.unitID = unitID
        self.blockName = blockName
        self.unitName = unitName
        self.address = address
        self.contactName = contactName
        self.contactRole = contactRole
        self.phone = phone
        self.email = email
    }
}
