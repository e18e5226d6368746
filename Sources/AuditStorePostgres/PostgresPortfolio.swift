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

    /// Adds the units in one transaction and one `INSERT` (all or none), refused as
    /// ``insertUnit(accountID:blockID:name:)`` refuses. Their ids are the identity's next values
    /// in the order of `names` (the rows are inserted in that order), so the returned units are
    /// the inserted ids in ascending order, matched to the names in turn.
    public func insertUnits(accountID: Int64, blockID: Int64, names: [String]) throws -> [AuditCore.Unit] {
        guard !names.isEmpty else { return [] }
        for name in names { try PostgresValueCheck.requireText(name, "the unit name") }
        return try connection.transaction { db in
            try requireAccount(accountID, on: db)
            guard try int64("SELECT id FROM blocks WHERE account_id = \(accountID) AND id = \(blockID)", on: db) != nil else {
                throw PostgresStoreError.unknownBlock(id: blockID)
            }
            let ids = try rows("""
                INSERT INTO units (account_id, block_id, name)
                SELECT \(accountID), \(blockID), k.name FROM unnest(\(names)::text[]) WITH ORDINALITY AS k(name, n) ORDER BY k.n
                RETURNING id
                """, on: db) { try $0[0].decode(Int64.self) }.sorted()
            guard ids.count == names.count else {
                throw PostgresStoreError.invalidValue("\(ids.count) units were added for \(names.count) names")
            }
            return zip(ids, names).map { AuditCore.Unit(id: $0, blockID: blockID, name: $1) }
        }
    }

    /// Adds the contacts in one transaction (all or none): the units named are checked in one
    /// statement (the first unknown one, in the contacts' order, is refused as
    /// ``insertContact(accountID:name:email:phone:role:unitIDs:)`` refuses it), the contacts
    /// inserted by one `INSERT` in their order (their ids ascending in it, as for
    /// ``insertUnits(accountID:blockID:names:)``), then their links by another. The portfolio's
    /// tables are analysed afterwards.
    public func insertContacts(accountID: Int64, _ contacts: [NewContact]) throws -> [Contact] {
        guard !contacts.isEmpty else { return [] }
        for contact in contacts {
            for text in [contact.name, contact.email, contact.phone] { try PostgresValueCheck.requireText(text, "the contact's details") }
        }
        let addresses = contacts.map { EmailAddress.bare($0.email) }
        let added = try connection.transaction { db in
            try requireAccount(accountID, on: db)
            let named = contacts.flatMap(\.unitIDs)
            if !named.isEmpty {
                let known = Set(try rows("""
                    SELECT id FROM units WHERE account_id = \(accountID) AND id = ANY(\(Array(Set(named)).sorted()))
                    """, on: db) { try $0[0].decode(Int64.self) })
                if let unknown = named.first(where: { !known.contains($0) }) { throw PostgresStoreError.unknownUnit(id: unknown) }
            }
            let ids = try rows("""
                INSERT INTO contacts (account_id, name, email, phone, role)
                SELECT \(accountID), k.name, k.email, k.phone, k.role
                FROM unnest(\(contacts.map(\.name))::text[], \(addresses)::text[], \(contacts.map(\.phone))::text[],
                            \(contacts.map(\.role.rawValue))::text[]) WITH ORDINALITY AS k(name, email, phone, role, n)
                ORDER BY k.n
                RETURNING id
                """, on: db) { try $0[0].decode(Int64.self) }.sorted()
            guard ids.count == contacts.count else {
                throw PostgresStoreError.invalidValue("\(ids.count) contacts were added for \(contacts.count)")
            }
            var linkContacts: [Int64] = [], linkUnits: [Int64] = []
            for (id, contact) in zip(ids, contacts) {
                for unitID in Set(contact.unitIDs).sorted() {
                    linkContacts.append(id)
                    linkUnits.append(unitID)
                }
            }
            if !linkContacts.isEmpty {
                try db.execute("""
                    INSERT INTO contact_units (account_id, contact_id, unit_id)
                    SELECT \(accountID), k.c, k.u FROM unnest(\(linkContacts)::bigint[], \(linkUnits)::bigint[]) WITH ORDINALITY AS k(c, u, n)
                    ORDER BY k.n
                    """)
            }
            return zip(ids, zip(contacts, addresses)).map { id, pair in
                Contact(id: id, accountID: accountID, name: pair.0.name, email: pair.1, phone: pair.0.phone, role: pair.0.role)
            }
        }
        // Fresh statistics for Unit Search's join: on tables just filled in bulk and not yet
        // analysed (autovacuum comes a minute or more later) the planner chose nested loops
        // over whole tables, 0.2-1.7 s a search at 1,261 contacts during the demo's seeding
        // (the notifications' and digests' contact look-ups), against 0.3 ms with statistics.
        // Only the table's owner may analyse it; for another user the server skips it with a warning.
        try connection.execute("ANALYZE blocks, units, contacts, contact_units")
        return added
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
