import AuditCore
import Foundation
import GRDB

/// Accounts, staff, blocks, units and contacts.
extension AuditDatabase {
    // MARK: Writing

    /// Adds a managing agency.
    public func insertAccount(name: String) throws -> Account {
        try StoredValueCheck.requireText(name, "the account name")
        return try write { db in
            try db.execute(sql: "INSERT INTO accounts (name) VALUES (?)", arguments: [name])
            return Account(id: db.lastInsertedRowID, name: name)
        }
    }

    /// Adds a staff member to an account, and the user who signs in as them (a support staff
    /// member joins the support team, who belong to no account).
    public func insertStaff(accountID: Int64, name: String, role: StaffRole) throws -> StaffUser {
        try StoredValueCheck.requireText(name, "the staff member's name")
        return try write { db in
            try Self.requireAccount(db, accountID)
            try db.execute(sql: "INSERT INTO staff (account_id, name, role) VALUES (?, ?, ?)",
                           arguments: [accountID, name, role.rawValue])
            let staffID = db.lastInsertedRowID
            // Who may sign in: a staff member of the account, or (support) a member of the support team.
            _ = try UserWriter.insert(db, name: name, role: role, accountID: role == .support ? nil : accountID, staffID: staffID)
            try bumpChangeCounter(db)
            return StaffUser(id: staffID, accountID: accountID, name: name, role: role)
        }
    }

    /// The account's "External" staff user (who raises emails found only in provider events),
    /// created on first use.
    public func externalStaff(accountID: Int64) throws -> StaffUser {
        try write { db in
            try Self.requireAccount(db, accountID)
            let id = try Self.externalStaffID(db, accountID: accountID)
            return StaffUser(id: id, accountID: accountID, name: StaffUser.externalName, role: .staff)
        }
    }

    /// Adds a block (building) to an account.
    public func insertBlock(accountID: Int64, name: String, street: String, town: String, postcode: String) throws -> Block {
        for text in [name, street, town, postcode] { try StoredValueCheck.requireText(text, "the block's address") }
        return try write { db in
            try Self.requireAccount(db, accountID)
            try db.execute(sql: "INSERT INTO blocks (account_id, name, street, town, postcode) VALUES (?, ?, ?, ?, ?)",
                           arguments: [accountID, name, street, town, postcode])
            return Block(id: db.lastInsertedRowID, accountID: accountID, name: name, street: street, town: town, postcode: postcode)
        }
    }

    /// Adds a unit (flat or house) to a block.
    public func insertUnit(blockID: Int64, name: String) throws -> AuditCore.Unit {
        try StoredValueCheck.requireText(name, "the unit name")
        return try write { db in
            guard try Bool.fetchOne(db, sql: "SELECT 1 FROM blocks WHERE id = ?", arguments: [blockID]) != nil else {
                throw StoreError.unknownBlock(id: blockID)
            }
            try db.execute(sql: "INSERT INTO units (block_id, name) VALUES (?, ?)", arguments: [blockID, name])
            return AuditCore.Unit(id: db.lastInsertedRowID, blockID: blockID, name: name)
        }
    }

    /// Adds a contact and links it to units of its account (another account's unit is
    /// ``StoreError/unknownUnit(id:)``). The address is stored lower-cased.
    public func insertContact(accountID: Int64, name: String, email: String, phone: String, role: ContactRole,
                              unitIDs: [Int64]) throws -> Contact {
        for text in [name, email, phone] { try StoredValueCheck.requireText(text, "the contact's details") }
        let address = StorageEncoding.normalisedAddress(email)
        return try write { db in
            try Self.requireAccount(db, accountID)
            for unitID in unitIDs { try Self.requireUnit(db, unitID, accountID: accountID) }
            try db.execute(sql: "INSERT INTO contacts (account_id, name, email, phone, role) VALUES (?, ?, ?, ?, ?)",
                           arguments: [accountID, name, address, phone, role.rawValue])
            let id = db.lastInsertedRowID
            for unitID in Set(unitIDs) {
                try db.execute(sql: "INSERT INTO contact_units (contact_id, unit_id) VALUES (?, ?)", arguments: [id, unitID])
            }
            try bumpChangeCounter(db)
            return Contact(id: id, accountID: accountID, name: name, email: address, phone: phone, role: role)
        }
    }

    // MARK: Reading

    /// The units whose contacts use `address` (case-insensitive), ascending, in every account
    /// (the demo's email factory; screens read through ``AccountScopedReader``).
    package func unitIDs(usingAddress address: String) throws -> [Int64] {
        let key = StorageEncoding.normalisedAddress(address)
        return try read { db in
            try Int64.fetchAll(db, sql: """
                SELECT DISTINCT cu.unit_id FROM contacts c JOIN contact_units cu ON cu.contact_id = c.id
                WHERE c.email = ? ORDER BY cu.unit_id
                """, arguments: [key])
        }
    }

    /// Every unit whose contacts use `address` (case-insensitive exact match) in `accountID`
    /// (every account when nil), sorted by block then unit (numbers in names compared as
    /// numbers), then contact name.
    package func unitSearch(address: String, accountID: Int64? = nil) throws -> [UnitContactRow] {
        try read { db in try Self.unitRows(db, address: address, accountID: accountID) }
    }

    /// The addresses of an account's contacts (every account's when nil), one per contact in
    /// the order they were added (an address shared by several contacts comes once for each).
    package func contactAddresses(accountID: Int64?) throws -> [String] {
        try read { db in
            if let accountID {
                return try String.fetchAll(db, sql: "SELECT email FROM contacts WHERE account_id = ? ORDER BY id", arguments: [accountID])
            }
            return try String.fetchAll(db, sql: "SELECT email FROM contacts ORDER BY id")
        }
    }

    /// Staff of an account (every account when nil), sorted by name, including "External".
    package func staff(accountID: Int64?) throws -> [StaffUser] {
        try read { db in
            let rows: [Row]
            if let accountID {
                rows = try Row.fetchAll(db, sql: "SELECT id, account_id, name, role FROM staff WHERE account_id = ? ORDER BY name COLLATE NOCASE, id",
                                        arguments: [accountID])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT id, account_id, name, role FROM staff ORDER BY name COLLATE NOCASE, id")
            }
            return rows.map { row in
                StaffUser(id: row[0], accountID: row[1], name: row[2], role: StaffRole(rawValue: row[3]) ?? .staff)
            }
        }
    }

    /// The accounts in the store, sorted by name.
    public func accounts() throws -> [Account] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT id, name FROM accounts ORDER BY name COLLATE NOCASE, id").map {
                Account(id: $0[0], name: $0[1])
            }
        }
    }

    // MARK: Helpers

    /// Throws ``StoreError/unknownUnit(id:)`` unless the unit is one of the account's.
    static func requireUnit(_ db: Database, _ unitID: Int64, accountID: Int64) throws {
        guard try Bool.fetchOne(db.cachedStatement(sql: """
            SELECT 1 FROM units u JOIN blocks b ON b.id = u.block_id WHERE u.id = ? AND b.account_id = ?
            """), arguments: [unitID, accountID]) != nil else {
            throw StoreError.unknownUnit(id: unitID)
        }
    }

    static func requireAccount(_ db: Database, _ accountID: Int64) throws {
        guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM accounts WHERE id = ?"), arguments: [accountID]) != nil else {
            throw StoreError.unknownAccount(id: accountID)
        }
    }

    /// The id of the account's External staff user, creating it if needed.
    static func externalStaffID(_ db: Database, accountID: Int64) throws -> Int64 {
        try pseudoStaffID(db, accountID: accountID, kind: 1, name: StaffUser.externalName)
    }

    /// The id of one of the account's staff records that nobody signs in as (`kind` is the
    /// `is_external` value: 1 External, 2 System), creating it with `name` if needed.
    static func pseudoStaffID(_ db: Database, accountID: Int64, kind: Int, name: String) throws -> Int64 {
        if let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM staff WHERE account_id = ? AND is_external = ?"),
                                       arguments: [accountID, kind]) {
            return id
        }
        try db.execute(sql: "INSERT INTO staff (account_id, name, role, is_external) VALUES (?, ?, ?, ?)",
                       arguments: [accountID, name, StaffRole.staff.rawValue, kind])
        return db.lastInsertedRowID
    }

    static func unitRows(_ db: Database, address: String, accountID: Int64?) throws -> [UnitContactRow] {
        let key = StorageEncoding.normalisedAddress(address)
        guard !key.isEmpty else { return [] }
        var sql = """
            SELECT u.id, b.name, u.name, b.street, b.town, b.postcode, c.name, c.role, c.phone, c.email
            FROM contacts c
            JOIN contact_units cu ON cu.contact_id = c.id
            JOIN units u ON u.id = cu.unit_id
            JOIN blocks b ON b.id = u.block_id
            WHERE c.email = ?
            """
        var arguments: StatementArguments = [key]
        if let accountID {
            sql += " AND c.account_id = ?"
            arguments += [accountID]
        }
        let rows = try Row.fetchAll(db, sql: sql, arguments: arguments)
        let result = rows.map { row -> UnitContactRow in
            let place = UnitContactRow.place(street: row[3], town: row[4], postcode: row[5])
            return UnitContactRow(unitID: row[0], blockName: row[1], unitName: row[2], address: place,
                                  contactName: row[6], contactRole: ContactRole(rawValue: row[7]) ?? .leaseholder,
                                  phone: row[8], email: row[9])
        }
        return result.sorted(by: UnitContactRow.searchOrder)
    }
}
