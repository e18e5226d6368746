import Foundation
import Testing
@testable import AuditCore

/// An in-memory store of emails for the finding rule: what ``EventOwnership`` asks and writes.
private final class MemoryEmails: EventOwnerLookup {
    struct Row: Equatable {
        var messageID: String?
        var to: String
        var siblingOf: Int64?
        var external = false
    }

    var rows: [Int64: Row] = [:]
    private(set) var claims: [Int64] = []

    init(_ rows: [Int64: Row]) { self.rows = rows }

    func auditedEmail(_ id: Int64) throws -> EventOwnership.AuditedEmail? {
        rows[id].map { EventOwnership.AuditedEmail(messageID: $0.messageID, to: $0.to) }
    }

    func email(messageID: String, recipient: String) throws -> Int64? {
        rows.filter { $0.value.messageID == messageID && $0.value.to == recipient }.keys.min()
    }

    func firstEmail(messageID: String) throws -> Int64? {
        rows.filter { $0.value.messageID == messageID }.keys.min()
    }

    func claim(_ auditID: Int64, messageID: String, for item: IncomingEvent) throws {
        #expect(rows[auditID]?.messageID == nil, "a message id, once set, never changes")
        rows[auditID]?.messageID = messageID
        claims.append(auditID)
    }

    func makeSibling(of source: Int64, for item: IncomingEvent) throws -> Int64 {
        let id = (rows.keys.max() ?? 0) + 1
        rows[id] = Row(messageID: rows[source]!.messageID, to: item.recipient, siblingOf: source)
        return id
    }

    func makeExternal(for item: IncomingEvent) throws -> Int64 {
        let id = (rows.keys.max() ?? 0) + 1
        rows[id] = Row(messageID: item.messageID, to: item.recipient, external: true)
        return id
    }
}

@Suite("Which email an event belongs to (EventOwnership)")
struct EventOwnershipTests {
    private func incoming(_ kind: EventKind = .delivered, messageID: String = "m1@mg", recipient: String = "a@example.net",
                          to: String = "", auditID: Int64? = nil) -> IncomingEvent {
        IncomingEvent(messageID: messageID, recipient: recipient, event: Fixture.event(kind, at: 5), rawJSON: "{}",
                      headers: MessageHeaders(to: to), auditEmailID: auditID)
    }

    @Test("an audit id naming the email with this message id and recipient is the owner, nothing written")
    func auditedEmail() throws {
        let emails = MemoryEmails([7: .init(messageID: "m1@mg", to: "a@example.net")])
        #expect(try EventOwnership.owner(of: incoming(auditID: 7), in: emails) == 7)
        #expect(emails.claims.isEmpty)
        #expect(emails.rows.count == 1)
    }

    @Test("without an audit id the email is found by message id and recipient")
    func byMessageAndRecipient() throws {
        let emails = MemoryEmails([3: .init(messageID: "m1@mg", to: "b@example.net"), 4: .init(messageID: "m1@mg", to: "a@example.net")])
        #expect(try EventOwnership.owner(of: incoming(), in: emails) == 4)
    }

    @Test("the first event after the hand-over records the message id on the audited email")
    func claimsTheMessageID() throws {
        let emails = MemoryEmails([7: .init(messageID: nil, to: "a@example.net")])
        #expect(try EventOwnership.owner(of: incoming(auditID: 7), in: emails) == 7)
        #expect(emails.claims == [7])
        #expect(emails.rows[7]?.messageID == "m1@mg")
    }

    @Test("an audit id of an email to another recipient is not trusted: the event makes an External email")
    func foreignAuditID() throws {
        let emails = MemoryEmails([7: .init(messageID: nil, to: "victim@example.net")])
        let owner = try EventOwnership.owner(of: incoming(recipient: "attacker@example.net", auditID: 7), in: emails)
        #expect(owner != 7)
        #expect(emails.rows[owner]?.external == true)
        #expect(emails.rows[7]?.messageID == nil, "the audited email is left alone")
    }

    @Test("an audit id of an email with another message id is not trusted")
    func otherMessageID() throws {
        let emails = MemoryEmails([7: .init(messageID: "m0@mg", to: "a@example.net")])
        let owner = try EventOwnership.owner(of: incoming(auditID: 7), in: emails)
        #expect(owner != 7)
        #expect(emails.rows[owner]?.external == true)
    }

    @Test("a cc recipient of the audited message gets a sibling copied from the audited email")
    func ccSiblingOfTheAuditedEmail() throws {
        let emails = MemoryEmails([7: .init(messageID: "m1@mg", to: "a@example.net")])
        let owner = try EventOwnership.owner(of: incoming(recipient: "cc@example.net", auditID: 7), in: emails)
        #expect(emails.rows[owner] == .init(messageID: "m1@mg", to: "cc@example.net", siblingOf: 7))
        // The next event for that recipient finds the sibling.
        #expect(try EventOwnership.owner(of: incoming(.opened, recipient: "cc@example.net", auditID: 7), in: emails) == owner)
    }

    @Test("a cc recipient without an audit id gets a sibling of the message's first email")
    func ccSiblingOfTheFirstEmail() throws {
        let emails = MemoryEmails([9: .init(messageID: "m1@mg", to: "b@example.net"), 5: .init(messageID: "m1@mg", to: "a@example.net")])
        let owner = try EventOwnership.owner(of: incoming(recipient: "cc@example.net"), in: emails)
        #expect(emails.rows[owner]?.siblingOf == 5)
    }

    @Test("a rejection belongs to the audited email whatever recipient the provider read out of its To")
    func rejectionOfAMalformedTo() throws {
        let emails = MemoryEmails([7: .init(messageID: nil, to: "a@b,com")])
        let item = EventOwnership.withRecipient(incoming(.rejected, messageID: "r1@mg", recipient: "", to: "A@B,com", auditID: 7))
        #expect(item.recipient == "a@b,com", "a rejection's recipient is its To header, bare")
        #expect(try EventOwnership.owner(of: item, in: emails) == 7)
        #expect(emails.rows[7]?.messageID == "r1@mg")
        // A second recipient split out of the same malformed To still belongs to the email.
        #expect(try EventOwnership.owner(of: incoming(.rejected, messageID: "r1@mg", recipient: "com", auditID: 7), in: emails) == 7)
    }

    @Test("an event without a message id never claims an audited email")
    func emptyMessageID() throws {
        let emails = MemoryEmails([7: .init(messageID: nil, to: "a@example.net")])
        let owner = try EventOwnership.owner(of: incoming(messageID: "", auditID: 7), in: emails)
        #expect(emails.claims.isEmpty)
        #expect(owner != 7)
    }

    @Test("a message never seen makes one External email, found again by the next event")
    func external() throws {
        let emails = MemoryEmails([:])
        let first = try EventOwnership.owner(of: incoming(.accepted), in: emails)
        #expect(emails.rows[first]?.external == true)
        #expect(try EventOwnership.owner(of: incoming(.delivered), in: emails) == first)
        #expect(emails.rows.count == 1)
    }
}
