import AuditCore
import Foundation
import PostgresNIO

/// Accounts, staff, blocks, units and contacts (``PortfolioStore``) on PostgreSQL.
extension PostgresAuditStore: PortfolioStore {
    public func insertAccount(name: String) throws -> Account {
        try PostgresValueCheck.requireText(name, "the account name")
        let id = try int64("INSERT INTO accounts (name) VALUES (\(name)) RETURNING id", on: connection)!
        return Account(id: id, name: name)
    }

    /// Adds a staff member and the user who signs in as them (a support staff member joins the
    /// support team, who belong to no account), with a login unique in the store.
    public func insertStaff(accountID: Int64, name: String, role: StaffRole) throws -> StaffUser {
        try PostgresValueCheck.requireText(name, "the staff member's name")
        return try connection.transaction { db in
            try requireAccount(accountID, on: db)
            let id = try int64("""
                INSERT INTO staff (account_id, name, role) VALUES (\(accountID), \(name), \(role.rawValue)) RETURNING id
                """, on: db)!
            let stem = AppUser.login(forName: name)
            let taken = Set(try rows("SELECT login FROM users WHERE login = \(stem) OR login LIKE \(stem + "%")", on: db) {
                try $0[0].decode(String.self)
            })
            var login = stem
            var suffix = 2
            while taken.contains(login) {
                login = "\(stem)\(suffix)"
                suffix += 1
            }
            let userAccount: Int64? = role == .support ? nil : accountID
            try db.execute("""
                INSERT INTO users (name, login, role, account_id, staff_account_id, staff_id)
                VALUES (\(name), \(login), \(role.rawValue), \(userAccount), \(accountID), \(id))
                """)
            return StaffUser(id: id, accountID: accountID, name: name, role: role)
        }
    }

    public func externalStaff(accountID: Int64) throws -> StaffUser {
        try connection.transaction { db in
            try requireAccount(accountID, on: db)
            let id = try externalStaffID(accountID: accountID, on: db)
            return StaffUser(id: id, accountID: accountID, name: StaffUser.externalName, role: .staff)
        }
    }

    /// The id of the account's External staff member, created if needed (two writers create one).
    func externalStaffID(accountID: Int64, on db: BlockingPostgresConnection) throws -> Int64 {
        try db.execute("""
            INSERT INTO staff (account_id, name, role, is_external)
            VALUES (\(accountID), \(StaffUser.externalName), \(StaffRole.staff.rawValue), true)
            ON CONFLICT (account_id) WHERE is_external DO NOTHING
            """)
        return try int64("SELECT id FROM staff WHERE account_id = \(accountID) AND is_external", on: db)!
    }

    public func insertBlock(accountID: Int64, name: String, street: String, town: String, postcode: String) throws -> Block {
        for text in [name, street, town, postcode] { try PostgresValueCheck.requireText(text, "the block's address") }
        return try connection.transaction { db in
            try requireAccount(accountID, on: db)
            let id = try int64("""
                INSERT INTO blocks (account_id, name, street, town, postcode)
                VALUES (\(accountID), \(name), \(street), \(town), \(postcode)) RETURNING id
                """, on: db)!
            return Block(id: id, accountID: accountID, name: name, street: street, town: town, postcode: postcode)
        }
    }

    public func insertUnit(accountID: Int64, blockID: Int64, name: String) throws -> AuditCore.Unit {
        try PostgresValueCheck.requireText(name, "the unit name")
        return try connection.transaction { db in
            try requireAccount(accountID, on: db)
            guard try int64("SELECT id FROM blocks WHERE account_id = \(accountID) AND id = \(blockID)", on: db) != nil else {
                throw PostgresStoreError.unknownBlock(id: blockID)
            }
            let id = try int64("""
                INSERT INTO units (account_id, block_id, name) VALUES (\(accountID), \(blockID), \(name)) RETURNING id
                """, on: db)!
            return AuditCore.Unit(id: id, blockID: blockID, name: name)
        }
    }

    public func insertContact(accountID: Int64, name: String, email: String, phone: String, role: ContactRole,
                              unitIDs: [Int64]) throws -> Contact {
        for text in [name, email, phone] { try PostgresValueCheck.requireText(text, "the contact's details") }
        let address = EmailAddress.bare(email)
        return try connection.transaction { db in
            try requireAccount(accountID, on: db)
            for unitID in unitIDs { try requireUnit(unitID, accountID: accountID, on: db) }
            let id = try int64("""
                INSERT INTO contacts (account_id, name, email, phone, role)
                VALUES (\(accountID), \(name), \(address), \(phone), \(role.rawValue)) RETURNING id
                """, on: db)!
            for unitID in Set(unitIDs).sorted() {
                try db.execute("INSERT INTO contact_units (account_id, contact_id, unit_id) VALUES (\(accountID), \(id), \(unitID))")
            }
            return Contact(id: id, accountID: accountID, name: name, email: address, phone: phone, role: role)
        }
    }

    public func accounts() throws -> [Account] {
        try rows("SELECT id, name FROM accounts ORDER BY \(unescaped: Self.noCase("name")), id") {
            Account(id: try $0[0].decode(Int64.self), name: try $0[1].decode(String.self))
        }
    }

    public func staff(inAccount accountID: Int64) throws -> [StaffUser] {
        try rows("""
            SELECT id, account_id, name, role FROM staff WHERE account_id = \(accountID)
            ORDER BY \(unescaped: Self.noCase("name")), id
            """) {
            StaffUser(id: try $0[0].decode(Int64.self), accountID: try $0[1].decode(Int64.self), name: try $0[2].decode(String.self),
                      role: StaffRole(rawValue: try $0[3].decode(String.self)) ?? .staff)
        }
    }

    public func unitSearch(address: String, inAccount accountID: Int64) throws -> [UnitContactRow] {
        let key = EmailAddress.bare(address)
        guard !key.isEmpty, !StoredText.containsNUL(key) else { return [] }
        return try unitRows(address: key, accountID: accountID, on: connection)
    }

    /// Unit Search rows for a bare, lower-cased address in the account, in search order.
    func unitRows(address key: String, accountID: Int64, on db: BlockingPostgresConnection) throws -> [UnitContactRow] {
        try rows("""
            SELECT u.id, b.name, u.name, b.street, b.town, b.postcode, c.name, c.role, c.phone, c.email
            FROM contacts c
            JOIN contact_units cu ON cu.account_id = c.account_id AND cu.contact_id = c.id
            JOIN units u ON u.account_id = cu.account_id AND u.id = cu.unit_id
            JOIN blocks b ON b.account_id = u.account_id AND b.id = u.block_id
            WHERE c.account_id = \(accountID) AND c.email = \(key)
            """, on: db) { row in
            UnitContactRow(unitID: try row[0].decode(Int64.self), blockName: try row[1].decode(String.self),
                           unitName: try row[2].decode(String.self),
                           address: UnitContactRow.place(street: try row[3].decode(String.self), town: try row[4].decode(String.self),
                                                         postcode: try row[5].decode(String.self)),
                           contactName: try row[6].decode(String.self),
                           contactRole: ContactRole(rawValue: try row[7].decode(String.self)) ?? .leaseholder,
                           phone: try row[8].decode(String.self), email: try row[9].decode(String.self))
        }.sorted(by: UnitContactRow.searchOrder)
    }
}
