import AuditCore
import Foundation
import GRDB
import Testing
@testable import AuditStore

@Suite("Ingesting provider events")
struct IngestTests {
    let t0 = utcDate(2026, 6, 10, 9)

    /// One recorded and handed-over email to `to`.
    func sent(_ f: Fixture, to: String = "tenant@example.net", cc: [String] = []) throws -> (id: Int64, messageID: String) {
        let id = try f.store.record([f.newEmail(by: f.alice, to: to, at: t0, cc: cc)])[0]
        return (id, try f.handOver(id, at: t0.addingTimeInterval(60)))
    }

    @Test func theSameEventTwiceIsStoredOnce() throws {
        let f = try Fixture()
        let email = try sent(f)
        let delivered = Events.incoming(Events.giving(.delivered, recipient: "tenant@example.net", at: t0.addingTimeInterval(120))!,
                                        messageID: email.messageID, recipient: "tenant@example.net", auditID: email.id)
        let first = try f.store.apply([delivered, delivered], defaultAccountID: nil)
        #expect(first.inserted == 1)
        #expect(first.duplicates == 1)
        #expect(first.statusChanges.map(\.new) == [.delivered])
        let token = try f.store.changeToken()
        let second = try f.store.apply([delivered], defaultAccountID: nil)
        #expect(second == ApplyResult(inserted: 0, duplicates: 1))
        #expect(try f.store.eventCount() == 1)
        #expect(try f.store.emailCount() == 1)
        #expect(try f.store.detail(emailID: email.id)?.email.status == .delivered)
        #expect(try f.store.changeToken() == token)
        try f.checkCounts()
    }

    @Test func outOfOrderEventsGiveTheSameStatusAndDetail() throws {
        let f = try Fixture()
        let kinds: [(EmailStatus, TimeInterval)] = [(.accepted, 10), (.temporaryFailure, 20), (.delivered, 30), (.opened, 40), (.clicked, 50)]
        var results: [DerivedStatus] = []
        for order in [[0, 1, 2, 3, 4], [4, 3, 2, 1, 0], [2, 0, 4, 1, 3]] {
            let email = try sent(f, to: "order\(results.count)@example.net")
            let to = "order\(results.count)@example.net"
            let events = kinds.map { Events.giving($0.0, recipient: to, at: t0.addingTimeInterval($0.1))! }
            // One batch per event, in the given order.
            for index in order {
                _ = try f.store.apply([Events.incoming(events[index], messageID: email.messageID, recipient: to, auditID: email.id)],
                                      defaultAccountID: nil)
            }
            let detail = try #require(try f.store.detail(emailID: email.id))
            #expect(detail.events.map(\.kind) == [.accepted, .failed, .delivered, .opened, .clicked])
            results.append(DerivedStatus(status: detail.email.status, detail: detail.email.statusDetail, lastEventAt: detail.email.lastEventAt))
            #expect(StatusDerivation.derive(detail.events).status == detail.email.status)
        }
        #expect(results[0].status == .clicked)
        #expect(results.allSatisfy { $0 == results[0] })
    }

    @Test func aSecondOpenMovesTheLastEventButKeepsTheStatusWhereFiltersFindIt() throws {
        let f = try Fixture()
        let email = try sent(f)
        let to = "tenant@example.net"
        let opens = [120.0, 7_200].map { Events.giving(.opened, recipient: to, at: t0.addingTimeInterval($0))! }
        // One batch per open: the second leaves the status as it was, so the row is written
        // without it (the indexes holding `status` are not touched) and no change is reported.
        let first = try f.store.apply([Events.incoming(opens[0], messageID: email.messageID, recipient: to, auditID: email.id)],
                                      defaultAccountID: nil)
        #expect(first.statusChanges.map(\.new) == [.opened])
        let second = try f.store.apply([Events.incoming(opens[1], messageID: email.messageID, recipient: to, auditID: email.id)],
                                       defaultAccountID: nil)
        #expect(second.inserted == 1)
        #expect(second.statusChanges.isEmpty)
        let stored = try #require(try f.store.detail(emailID: email.id))
        let expected = StatusDerivation.derive(opens)
        #expect(stored.email.status == .opened)
        #expect(stored.email.lastEventAt == expected.lastEventAt)
        #expect(stored.email.statusDetail == expected.detail)
        #expect(stored.email.lastEventAt != StatusDerivation.derive([opens[0]]).lastEventAt)
        // The status filters (through the indexes holding it) still find the email, once.
        for raisedBy in [[], [f.alice.id]] as [Set<Int64>] {
            let page = try f.store.summaries(matching: EmailFilter(accountID: f.account.id, raisedBy: raisedBy, statuses: [.opened],
                                                                   dateRange: .all),
                                             from: nil, direction: .older, limit: 10, now: t0)
            #expect(page.map(\.id) == [email.id])
        }
        try f.checkCounts()
    }

    @Test func statusDetailRoundTrips() throws {
        let f = try Fixture()
        let email = try sent(f)
        let failure = Events.make(.failed, recipient: "tenant@example.net", at: t0.addingTimeInterval(100.125), severity: .permanent,
                                  reason: "bounce", code: 550, message: "5.1.1 \"quoted\" \\ mailbox\nunavailable\t ✉︎", attempt: 2)
        let result = try f.store.apply([Events.incoming(failure, messageID: email.messageID, recipient: "tenant@example.net", auditID: email.id)],
                                       defaultAccountID: nil)
        let expected = StatusDerivation.derive([failure])
        #expect(result.statusChanges.first?.detail == expected.detail)
        let stored = try #require(try f.store.detail(emailID: email.id))
        #expect(stored.email.statusDetail == expected.detail)
        #expect(stored.email.lastEventAt == expected.lastEventAt)
        #expect(stored.events == [failure])
        #expect(try f.store.rawEvents(emailID: email.id).first?.contains("\"failed\"") == true)
    }

    @Test func unknownMessageBecomesABrowsableExternalEmail() throws {
        let f = try Fixture()
        let at = t0.addingTimeInterval(3600)
        let accepted = Events.incoming(Events.make(.accepted, recipient: "stranger@example.org", at: at),
                                       messageID: "<other-system-1@mg.example.com>", recipient: "Stranger@Example.org", subject: "From elsewhere")
        let delivered = Events.incoming(Events.giving(.delivered, recipient: "stranger@example.org", at: at.addingTimeInterval(5))!,
                                        messageID: "other-system-1@mg.example.com", recipient: "stranger@example.org")
        let result = try f.store.apply([accepted, delivered], defaultAccountID: f.account.id)
        #expect(result.createdEmails == 1)
        #expect(result.inserted == 2)
        let page = try f.store.summaries(matching: EmailFilter(accountID: f.account.id, dateRange: .all), from: nil, direction: .older,
                                         limit: 10, now: at)
        let external = try #require(page.first)
        #expect(external.to == "stranger@example.org")
        #expect(external.raisedByName == StaffUser.externalName)
        #expect(external.activity == .external)
        #expect(external.status == .delivered)
        #expect(external.subject == "From elsewhere")
        let names = try f.store.staff(accountID: f.account.id).map(\.name)
        #expect(names.contains(StaffUser.externalName))
        #expect(names == names.sorted { $0.lowercased() < $1.lowercased() })
        let detail = try #require(try f.store.detail(emailID: external.id))
        #expect(detail.email.providerMessageID == "other-system-1@mg.example.com")
        #expect(detail.email.attachmentNames == ["a.pdf"])
        #expect(detail.events.count == 2)
        // Counted in the roll-ups, under the External user.
        let externalID = try #require(try f.store.staff(accountID: f.account.id).first { $0.name == StaffUser.externalName }?.id)
        let counts = try f.store.statusCounts(matching: EmailFilter(raisedBy: [externalID], dateRange: .all), now: at)
        #expect(counts.byStatus == [.delivered: 1])
        // More events for it find the same row; the External user is not duplicated.
        let other = Events.incoming(Events.make(.accepted, recipient: "x@example.org", at: at), messageID: "other-system-2@mg.example.com",
                                    recipient: "x@example.org")
        _ = try f.store.apply([other], defaultAccountID: f.account.id)
        #expect(try f.store.staff(accountID: f.account.id).filter { $0.name == StaffUser.externalName }.count == 1)
        #expect(try f.store.emailCount() == 2)
        try f.checkCounts()
    }

    @Test func unknownMessageWithoutAccountsGoesToImported() throws {
        let folder = TempFolder()
        let store = try AuditDatabase(path: folder.path("x.sqlite"), timeZone: london)
        let event = Events.incoming(Events.make(.accepted, recipient: "a@example.org", at: t0), messageID: "z@mg", recipient: "a@example.org")
        let result = try store.apply([event], defaultAccountID: nil)
        #expect(result.createdEmails == 1)
        #expect(try store.accounts().map(\.name) == ["Imported"])
        // With accounts but no default, the first account is used.
        let other = Events.incoming(Events.make(.accepted, recipient: "b@example.org", at: t0), messageID: "y@mg", recipient: "b@example.org")
        _ = try store.insertAccount(name: "Another")
        _ = try store.apply([other], defaultAccountID: nil)
        let imported = try store.accounts().first { $0.name == "Imported" }!
        #expect(try store.summaries(matching: EmailFilter(accountID: imported.id, dateRange: .all), from: nil, direction: .older, limit: 5, now: t0).count == 2)
        // An unknown default account is a clear error, and nothing is stored.
        let third = Events.incoming(Events.make(.accepted, recipient: "c@example.org", at: t0), messageID: "x@mg", recipient: "c@example.org")
        #expect(throws: StoreError.unknownAccount(id: 999)) { _ = try store.apply([third], defaultAccountID: 999) }
        #expect(try store.eventCount() == 2)
    }

    @Test func ccRecipientGetsASiblingRow() throws {
        let f = try Fixture()
        let email = try sent(f, to: "leaseholder@example.net", cc: ["agent@example.com"])
        let toEvent = Events.incoming(Events.giving(.delivered, recipient: "leaseholder@example.net", at: t0.addingTimeInterval(100))!,
                                      messageID: email.messageID, recipient: "leaseholder@example.net", auditID: email.id)
        // The cc copy carries the same audit id (user variables are per message).
        let ccEvent = Events.incoming(Events.giving(.failed, recipient: "agent@example.com", at: t0.addingTimeInterval(110))!,
                                      messageID: email.messageID, recipient: "agent@example.com", auditID: email.id)
        let ccLater = Events.incoming(Events.make(.accepted, recipient: "agent@example.com", at: t0.addingTimeInterval(90)),
                                      messageID: email.messageID, recipient: "agent@example.com")
        let result = try f.store.apply([toEvent, ccEvent], defaultAccountID: nil)
        #expect(result.createdEmails == 1)
        _ = try f.store.apply([ccLater], defaultAccountID: nil)
        #expect(try f.store.emailCount() == 2)
        let main = try #require(try f.store.detail(emailID: email.id))
        #expect(main.email.status == .delivered)
        #expect(main.events.count == 1)
        let rows = try f.store.summaries(matching: EmailFilter(to: .exact("agent@example.com"), dateRange: .all), from: nil,
                                         direction: .older, limit: 5, now: t0)
        let siblingID = try #require(rows.first).id
        let sibling = try #require(try f.store.detail(emailID: siblingID))
        #expect(sibling.email.status == .failed)
        #expect(sibling.events.count == 2)
        #expect(sibling.email.raisedByID == f.alice.id)
        #expect(sibling.email.subject == main.email.subject)
        #expect(sibling.email.createdAt == main.email.createdAt)
        #expect(sibling.email.providerMessageID == email.messageID)
        #expect(sibling.email.activity == main.email.activity)
        let counts = try f.store.statusCounts(matching: EmailFilter(dateRange: .all), now: t0)
        #expect(counts.byStatus == [.delivered: 1, .failed: 1])
        try f.checkCounts()
    }

    @Test func eventsBeforeHandOverClaimTheEmailByAuditID() throws {
        let f = try Fixture()
        let id = try f.store.record([f.newEmail(by: f.alice, to: "early@example.net", at: t0)])[0]
        #expect(try f.store.pendingHandOver(limit: 10).map(\.id) == [id])
        let accepted = Events.incoming(Events.make(.accepted, recipient: "early@example.net", at: t0.addingTimeInterval(1)),
                                       messageID: "<fast@mg.example.com>", recipient: "early@example.net", auditID: id)
        let result = try f.store.apply([accepted], defaultAccountID: nil)
        #expect(result.createdEmails == 0)
        #expect(try f.store.detail(emailID: id)?.email.providerMessageID == "fast@mg.example.com")
        #expect(try f.store.pendingHandOver(limit: 10).isEmpty)
        #expect(try f.store.markHandedOver(emailID: id, providerMessageID: "<fast@mg.example.com>", at: t0) == false)
        #expect(try f.store.detail(emailID: id)?.email.status == .accepted)
        // The provider sends the same event again: it is a duplicate, with or without the audit id.
        #expect(try f.store.apply([accepted], defaultAccountID: nil) == ApplyResult(inserted: 0, duplicates: 1))
        var bare = accepted
        bare.auditEmailID = nil
        #expect(try f.store.apply([bare], defaultAccountID: nil) == ApplyResult(inserted: 0, duplicates: 1))
        #expect(try f.store.eventCount() == 1)
        try f.checkCounts()
    }

    @Test func eventsWithoutAuditIDBeforeHandOverAreMergedOnHandOver() throws {
        let f = try Fixture()
        let id = try f.store.record([f.newEmail(by: f.alice, to: "race@example.net", at: t0)])[0]
        let delivered = Events.incoming(Events.giving(.delivered, recipient: "race@example.net", at: t0.addingTimeInterval(2))!,
                                        messageID: "race@mg.example.com", recipient: "race@example.net")
        #expect(try f.store.apply([delivered], defaultAccountID: f.account.id).createdEmails == 1)
        #expect(try f.store.emailCount() == 2)
        #expect(try f.store.markHandedOver(emailID: id, providerMessageID: "race@mg.example.com", at: t0.addingTimeInterval(1)))
        #expect(try f.store.emailCount() == 1)
        let detail = try #require(try f.store.detail(emailID: id))
        #expect(detail.email.status == .delivered)
        #expect(detail.events.count == 1)
        let counts = try f.store.statusCounts(matching: EmailFilter(dateRange: .all), now: t0)
        #expect(counts.byStatus == [.delivered: 1])
        // After the merge the same event is still a duplicate.
        #expect(try f.store.apply([delivered], defaultAccountID: f.account.id) == ApplyResult(inserted: 0, duplicates: 1))
        #expect(try f.store.emailCount() == 1)
        try f.checkCounts()
    }

    @Test func emptyAndUnicodeTextSurviveStorage() throws {
        let f = try Fixture()
        let email = try sent(f)
        var event = Events.make(.clicked, recipient: "tenant@example.net", at: t0.addingTimeInterval(7), reason: "")
        event.url = "https://example.net/pay?ref=ü&x=\"q\""
        event.delivery = DeliveryStatus(code: nil, enhancedCode: "", message: "", description: "Zażółć gęślą jaźń 🚀")
        let incoming = IncomingEvent(messageID: email.messageID, recipient: "tenant@example.net", event: event, rawJSON: "",
                                     headers: MessageHeaders(), auditEmailID: email.id)
        _ = try f.store.apply([incoming], defaultAccountID: nil)
        let stored = try #require(try f.store.detail(emailID: email.id))
        #expect(stored.events == [event])
        #expect(stored.email.statusDetail == StatusDerivation.derive([event]).detail)
        #expect(try f.store.rawEvents(emailID: email.id) == [""])
    }

    @Test func handOverIsIdempotentAndQueueIsOldestFirst() throws {
        let f = try Fixture()
        let ids = try f.store.record([
            f.newEmail(by: f.alice, to: "b@example.net", at: t0.addingTimeInterval(10)),
            f.newEmail(by: f.alice, to: "a@example.net", at: t0),
            f.newEmail(by: f.bob, to: "c@example.net", at: t0.addingTimeInterval(10)),
        ])
        #expect(try f.store.pendingHandOver(limit: 10).map(\.id) == [ids[1], ids[0], ids[2]])
        #expect(try f.store.pendingHandOver(limit: 2).map(\.id) == [ids[1], ids[0]])
        let pending = try f.store.pendingHandOver(limit: 1)[0]
        #expect(pending.raisedByName == "Alice Able")
        #expect(pending.attachmentNames == ["receipt.pdf"])
        #expect(pending.status == .pending)
        #expect(try f.store.markHandedOver(emailID: ids[1], providerMessageID: "<m1@mg>", at: t0))
        #expect(try f.store.markHandedOver(emailID: ids[1], providerMessageID: "<m1@mg>", at: t0) == false)
        #expect(try f.store.markHandedOver(emailID: ids[1], providerMessageID: "<other@mg>", at: t0) == false)
        #expect(try f.store.detail(emailID: ids[1])?.email.providerMessageID == "m1@mg")
        #expect(try f.store.pendingHandOver(limit: 10).map(\.id) == [ids[0], ids[2]])
        #expect(throws: StoreError.unknownEmail(id: 999)) { _ = try f.store.markHandedOver(emailID: 999, providerMessageID: "x", at: t0) }
    }

    @Test func recordValidatesAndLinksUnits() throws {
        let f = try Fixture()
        #expect(throws: StoreError.unknownStaff(id: 999)) {
            _ = try f.store.record([NewEmail(accountID: f.account.id, raisedByID: 999, activity: .ticketUpdate, to: "a@b.cc", from: "x", subject: "s", textBody: "", createdAt: t0)])
        }
        #expect(throws: StoreError.self) { _ = try f.store.record([f.newEmail(by: f.carol, to: "a@b.cc", at: t0).withAccount(f.account.id)]) }
        #expect(try f.store.emailCount() == 0)
        let block = try f.store.insertBlock(accountID: f.account.id, name: "Harbour House", street: "1 Quay St", town: "Bristol", postcode: "BS1 4AA")
        let unit = try f.store.insertUnit(blockID: block.id, name: "Flat 2")
        var email = f.newEmail(by: f.alice, to: "a@b.cc", at: t0)
        email.unitIDs = [unit.id]
        let id = try f.store.record([email])[0]
        #expect(try f.store.linkedUnitIDs(emailID: id) == [unit.id])
    }

    @Test func changeTokenMovesWithEveryChange() throws {
        let f = try Fixture()
        var token = try f.store.changeToken()
        func moved() throws -> Bool {
            let now = try f.store.changeToken()
            defer { token = now }
            return now != token
        }
        let email = try sent(f)
        #expect(try moved())
        _ = try f.store.apply([Events.incoming(Events.giving(.accepted, recipient: "tenant@example.net", at: t0)!, messageID: email.messageID,
                                               recipient: "tenant@example.net", auditID: email.id)], defaultAccountID: nil)
        #expect(try moved())
        _ = try f.store.record([f.newEmail(by: f.bob, to: "x@example.net", at: t0)])
        #expect(try moved())
        _ = try f.store.summaries(matching: .default, from: nil, direction: .older, limit: 5, now: t0)
        #expect(try moved() == false)
    }

    @Test func readersRunWhileTheWriterIngests() async throws {
        let f = try Fixture()
        let store = f.store
        let t0 = self.t0
        let ids = try store.record((0..<300).map { f.newEmail(by: f.alice, to: "c\($0)@example.net", at: t0.addingTimeInterval(Double($0))) })
        for id in ids { try f.handOver(id, at: t0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for chunk in stride(from: 0, to: ids.count, by: 30) {
                    let batch = ids[chunk..<min(chunk + 30, ids.count)].map { id in
                        Events.incoming(Events.giving(.delivered, recipient: "c\(id - ids[0])@example.net", at: t0.addingTimeInterval(500))!,
                                        messageID: "m\(id)@mg.example.com", recipient: "c\(id - ids[0])@example.net", auditID: id)
                    }
                    _ = try store.apply(batch, defaultAccountID: nil)
                }
            }
            for _ in 0..<3 {
                group.addTask {
                    for _ in 0..<20 {
                        let counts = try store.statusCounts(matching: EmailFilter(dateRange: .all), now: t0)
                        #expect(counts.total == 300)
                        let page = try store.summaries(matching: EmailFilter(dateRange: .all), from: nil, direction: .older, limit: 50, now: t0)
                        #expect(page.count == 50)
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(try store.statusCounts(matching: EmailFilter(dateRange: .all), now: t0).byStatus == [.delivered: 300])
    }
}

extension NewEmail {
    func withAccount(_ id: Int64) -> NewEmail {
        var copy = self
        copy.accountID = id
        return copy
    }
}
