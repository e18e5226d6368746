import AuditCore
import Foundation
import Testing
import GRDB
@testable import AuditStore

/// Two agencies with look-alike data (the same staff names, addresses, contacts and
/// suppressions): a staff user of one gets nothing of the other through any public read.
@Suite("Account isolation")
struct AccountIsolationTests {
    /// Every public method of ``AccountScopedReader``, each probed below.
    static let probed: Set<String> = [
        "summaries", "statusCounts", "detail", "rawEvents", "unitSearch", "staff", "accounts", "selectAccount", "suppressions",
        "suppression", "suppressionHistory", "changeToken", "statusDetails", "emailIDs", "domainBreakdown",
        "handOverHealth", "requestSuppressionRemoval", "removeSuppression", "resend", "resendLinks",
        "notifications", "unreadNotificationCount", "markNotificationsRead", "notificationPreferences", "setNotificationPreferences",
    ]

    /// Public functions of the store that are not account reads, and why.
    static let notAccountReads: Set<String> = [
        // Writes: each names its account, or the email, event or unit that carries one.
        "insertAccount", "insertStaff", "externalStaff", "insertBlock", "insertUnit", "insertContact", "record",
        "markHandedOver", "apply", "saveSimulatorState", "changeRollupTimeZone", "insertSupportUser", "setStaffEmailDomain",
        // The people's changes (SuppressionChangeStore, ResendStore): each names its account and checks
        // the user may act in it (AccountScopedReader calls them with its own account).
        "requestSuppressionRemoval", "removeSuppression", "resend",
        // Daily digests: a system job over every account's digest users; each digest is recorded in
        // the user's own account (the notifications it gathers carry it).
        "sendDigests",
        // The batch feeder's queue (the system hands every account's Pending emails to the provider;
        // HandOverQueueStore: claims, their release, the feeder's outcomes hold no account data).
        "pendingHandOver", "recordHandOverOutcome", "claimPending", "releaseClaims", "handOverOutcomes",
        // Daily digests for the feeder's run (DigestRecordingStore: sendDigests, counted).
        "recordDueDigests",
        // serve: the intake records for the account its bearer token names (host ids and units
        // are looked up within that account); webhook tokens and the Events API cursor hold no
        // account data (binding them together with the webhook's events is a write, as `apply`);
        // durability and writability are store upkeep.
        "recordFromHost", "emailID", "unknownUnitIDs", "bindWebhookTokens", "bindWebhookTokensAndApply", "forgetWebhookTokens",
        "eventsSyncCursor", "advanceEventsSyncCursor", "requireFullDurability", "syncWriteAheadLog", "isWritable",
        // serve's /metrics (ServiceHealthStore): the Pending count and oldest time of every account
        // (nil) or one, and the feeders' outcomes; counts and times only, no rows. The screen reads it
        // through the scoped reader for its own account. Telling a refused value from a failing
        // store reads nothing.
        "handOverHealth", "isValueRefusal",
        // Store upkeep with no account data: health, sizes, zone, the simulator's own state, paths.
        "integrityProblems", "rollupMismatches", "rollupTimeZoneIdentifier", "savedSimulatorState", "close",
        "changeToken", "emailCount", "eventCount", "schemaVersion", "defaultPath", "storageSize",
        // Freeing the connections' page caches: no rows read or returned.
        "releaseMemory",
        // The planner's statistics (ANALYZE): store upkeep, no rows returned.
        "updateStatistics",
        // compact: free pages back to the disk, file sizes, the vacuum mode (no rows returned).
        "compact", "fileBytesOnDisk", "autoVacuumMode",
        // compact and serve: the search indexes merged into one segment (no rows returned).
        "mergeSearchIndex", "searchIndexStructure",
        // retention: deletes every account's old emails (an operator's command; returns counts only).
        "releaseFreePages", "applyRetention",
        // Compressing events' raw JSON ahead of `apply` (RawJSONCompactor): reads nothing.
        "prepare",
        // The recording-cost benchmark's scratch store (drops the search indexes; reads nothing).
        "removeSearchIndexesForBenchmark",
        // The store contract's reads (PortfolioStore, EmailRecordingStore): each takes its account
        // (`inAccount:`) and answers for it alone (StoreContractTests checks it on both backends).
        "staff", "unitSearch", "recordedEmail", "linkedUnitIDs",
        // migrate: an operator's copy of the whole store into PostgreSQL (StoreCopySource reads
        // every account's rows in key order; only `email-audit migrate` uses it).
        "sourceRowCount", "totalRows", "chunk", "fingerprint", "timeZoneIdentifier", "emailsByStatus",
        "rollupTotalsByStatus", "recipientPairs",
        // The store contract's notifications (NotificationStore): each takes its account and user
        // (the scoped reader passes its own, probed above; NotificationContractTests checks the
        // store on both backends); preferences belong to a user, who has one account.
        "notifications", "unreadNotificationCount", "markNotificationsRead", "notificationPreferences", "setNotificationPreferences",
        // Signing in: who may sign in, and the scoped reader itself.
        "users", "accounts", "reader", "hasAccounts", "emptyStoreReader",
    ]

    struct World {
        let f: Fixture
        let a: Account, b: Account
        let aliceA: AppUser, aliceB: AppUser, support: AppUser
        let emailsA: [Int64], emailsB: [Int64]
        let messageA: String, messageB: String
    }

    /// Accounts A and B, each with a staff member "Alice Able", a block with a contact using
    /// shared@example.net, two emails to that address, and a suppressed address of its own.
    static func world() throws -> World {
        let f = try Fixture()
        let a = f.account, b = f.otherAccount
        let t0 = utcDate(2026, 7, 1, 10)
        var ids: [Int64: [Int64]] = [:]
        var lastMessage: [Int64: String] = [:]
        for account in [a, b] {
            let staff = try f.store.insertStaff(accountID: account.id, name: "Alice Able", role: .staff)
            let block = try f.store.insertBlock(accountID: account.id, name: "Harbour House", street: "1 Quay Street", town: "Bristol", postcode: "BS1 4AA")
            let unit = try f.store.insertUnit(blockID: block.id, name: "Flat 1")
            _ = try f.store.insertContact(accountID: account.id, name: "Pat Owner", email: "shared@example.net", phone: "0117 000 0000",
                                          role: .leaseholder, unitIDs: [unit.id])
            for (index, to) in ["shared@example.net", account.id == a.id ? "only.a@example.net" : "only.b@example.net"].enumerated() {
                let at = t0.addingTimeInterval(Double(index) * 60)
                let id = try f.store.record([f.newEmail(by: staff, to: to, at: at)])[0]
                let messageID = try f.handOver(id, at: at)
                let event = index == 0 ? Events.make(.delivered, recipient: to, at: at.addingTimeInterval(5), code: 250, message: "OK")
                    : Events.make(.complained, recipient: to, at: at.addingTimeInterval(5))
                _ = try f.store.apply([Events.incoming(event, messageID: messageID, recipient: to, auditID: id)], defaultAccountID: nil)
                ids[account.id, default: []].append(id)
                lastMessage[account.id] = messageID
            }
        }
        let users = try f.store.users()
        let aliceA = try #require(users.first { $0.name == "Alice Able" && $0.accountID == a.id && $0.staffID != f.alice.id })
        let aliceB = try #require(users.first { $0.name == "Alice Able" && $0.accountID == b.id })
        let support = try #require(users.first { $0.isSupport })
        return World(f: f, a: a, b: b, aliceA: aliceA, aliceB: aliceB, support: support,
                     emailsA: ids[a.id]!, emailsB: ids[b.id]!, messageA: lastMessage[a.id]!, messageB: lastMessage[b.id]!)
    }

    @Test func aStaffUserOfOneAccountGetsNothingOfTheOther() throws {
        let w = try Self.world()
        let reader = try w.f.store.reader(for: w.aliceA, accountID: w.a.id)
        let now = utcDate(2026, 7, 2)
        let all = EmailFilter(accountID: nil, dateRange: .all)
        let asksForB = EmailFilter(accountID: w.b.id, dateRange: .all)
        var seen: Set<String> = []

        // summaries: only A's rows, even when the filter names B or no account.
        seen.insert("summaries")
        for filter in [all, asksForB, EmailFilter(accountID: w.b.id, to: .exact("shared@example.net"), dateRange: .all),
                       EmailFilter(accountID: nil, to: .prefix("only"), dateRange: .all)] {
            let rows = try reader.summaries(matching: filter, from: nil, direction: .older, limit: 100, now: now)
            #expect(!rows.isEmpty)
            #expect(Set(rows.map(\.id)).isSubset(of: Set(w.emailsA)), "summaries leaked another account's email")
        }
        seen.insert("statusCounts")
        #expect(try reader.statusCounts(matching: asksForB, now: now).total == w.emailsA.count)
        #expect(try reader.statusCounts(matching: all, now: now).total == w.emailsA.count)
        seen.insert("detail")
        for id in w.emailsB { #expect(try reader.detail(emailID: id) == nil) }
        #expect(try reader.detail(emailID: w.emailsA[0])?.units.count == 1)
        seen.insert("rawEvents")
        for id in w.emailsB { #expect(try reader.rawEvents(emailID: id).isEmpty) }
        #expect(try reader.rawEvents(emailID: w.emailsA[0]).count == 1)
        seen.insert("unitSearch")
        let units = try reader.unitSearch(address: "shared@example.net")
        #expect(units.count == 1)
        #expect(try reader.detail(emailID: w.emailsA[0])?.units.map(\.unitID) == units.map(\.unitID))
        seen.insert("staff")
        #expect(try reader.staff(accountID: nil).allSatisfy { $0.accountID == w.a.id })
        #expect(throws: StoreError.accountNotPermitted(user: "Alice Able", accountID: w.b.id)) { _ = try reader.staff(accountID: w.b.id) }
        seen.insert("accounts")
        #expect(try reader.accounts() == [w.a])
        seen.insert("selectAccount")
        #expect(throws: StoreError.self) { _ = try reader.selectAccount(w.b.id) }
        #expect(reader.account == w.a)
        seen.insert("suppressions")
        #expect(try reader.suppressions().map(\.address) == ["only.a@example.net"])
        seen.insert("suppression")
        #expect(try reader.suppression(for: "only.b@example.net") == nil)
        #expect(try reader.suppression(for: "only.a@example.net") != nil)
        seen.insert("suppressionHistory")
        #expect(try reader.suppressionHistory(address: "only.b@example.net").isEmpty)
        seen.insert("changeToken")
        #expect(try reader.changeToken() > 0)
        seen.insert("statusDetails")
        #expect(try reader.statusDetails(emailIDs: w.emailsB).isEmpty)
        #expect(try reader.statusDetails(emailIDs: w.emailsA).count == w.emailsA.count)
        seen.insert("emailIDs")
        #expect(try reader.emailIDs(messageID: w.messageB).isEmpty)
        #expect(try reader.emailIDs(messageID: "<\(w.messageB)>", accountID: nil).isEmpty)
        #expect(throws: StoreError.accountNotPermitted(user: "Alice Able", accountID: w.b.id)) {
            _ = try reader.emailIDs(messageID: w.messageB, accountID: w.b.id)
        }
        #expect(try reader.emailIDs(messageID: w.messageA, accountID: w.a.id) == [w.emailsA[1]])
        // Searches (To *@domain, To *part*, Subject) and Failures by domain: only A's rows.
        for filter in [EmailFilter(accountID: w.b.id, to: .domain("example.net"), dateRange: .all),
                       EmailFilter(accountID: nil, to: .contains("example"), dateRange: .all),
                       EmailFilter(accountID: w.b.id, subject: "subj", dateRange: .all)] {
            let rows = try reader.summaries(matching: filter, from: nil, direction: .older, limit: 100, now: now)
            #expect(Set(rows.map(\.id)) == Set(w.emailsA), "search leaked or lost rows: \(filter)")
            #expect(try reader.statusCounts(matching: filter, now: now).total == w.emailsA.count)
        }
        seen.insert("domainBreakdown")
        for filter in [all, asksForB] {
            let domains = try reader.domainBreakdown(matching: filter, now: now)
            #expect(domains == [DomainFailures(domain: "example.net", complained: 1)], "another account's failures counted")
        }
        seen.insert("handOverHealth")
        // A Pending email of B's is not A's to be warned about.
        let bobB = try w.f.store.insertStaff(accountID: w.b.id, name: "Bob Pending", role: .staff)
        _ = try w.f.store.record([w.f.newEmail(by: bobB, to: "only.b@example.net", at: utcDate(2026, 7, 1, 9))])
        #expect(try w.f.store.handOverHealth(accountID: nil, now: now).pending == 1)
        #expect(try reader.handOverHealth(accountID: nil, now: now).pending == 0)
        #expect(throws: StoreError.accountNotPermitted(user: "Alice Able", accountID: w.b.id)) {
            _ = try reader.handOverHealth(accountID: w.b.id, now: now)
        }
        seen.insert("requestSuppressionRemoval")
        #expect(throws: StoreError.notSuppressed(address: "only.b@example.net")) {
            try reader.requestSuppressionRemoval(address: "only.b@example.net", note: "not mine")
        }
        seen.insert("removeSuppression")
        #expect(throws: StoreError.self) { try reader.removeSuppression(address: "only.b@example.net", reason: "not mine") }
        let readerB = try w.f.store.reader(for: w.aliceB, accountID: w.b.id)
        #expect(try readerB.suppression(for: "only.b@example.net")?.removalRequest == nil, "B's entry untouched")
        #expect(try readerB.suppressionHistory(address: "only.b@example.net").map(\.action) == [.added])

        // Notifications: both Alices were notified of their account's complaint; A's sees only A's.
        let readerB2 = try w.f.store.reader(for: w.aliceB, accountID: w.b.id)
        let notesB = try readerB2.notifications()
        #expect(notesB.map(\.emailID) == [w.emailsB[1]])
        seen.insert("notifications")
        #expect(try reader.notifications().map(\.emailID) == [w.emailsA[1]])
        #expect(try reader.notifications(unreadOnly: true).map(\.emailID) == [w.emailsA[1]])
        seen.insert("unreadNotificationCount")
        #expect(try reader.unreadNotificationCount() == 1)
        seen.insert("markNotificationsRead")
        #expect(throws: StoreError.self) { try reader.markNotificationsRead(ids: notesB.map(\.id)) }
        #expect(try reader.markNotificationsRead(ids: nil) == 1)
        #expect(try reader.unreadNotificationCount() == 0)
        #expect(try readerB2.unreadNotificationCount() == 1, "B's notification untouched")
        seen.insert("setNotificationPreferences")
        let mine = NotificationPreferences(statuses: [.failed], scope: .account, delivery: .digest, digestHour: 7)
        try reader.setNotificationPreferences(mine)
        seen.insert("notificationPreferences")
        #expect(try reader.notificationPreferences() == mine)
        #expect(try readerB2.notificationPreferences() == .standard, "B's Alice keeps her own preferences")
        // Support belongs to no account: no notifications, and no preferences to set.
        let supportReader = try w.f.store.reader(for: w.support, accountID: w.a.id)
        #expect(try supportReader.notifications().isEmpty)
        #expect(throws: StoreError.self) { try supportReader.setNotificationPreferences(mine) }
        seen.insert("resend")
        seen.insert("resendLinks")
        // Resend: B's email is "not found" (nothing recorded), whatever the address; A's own works
        // and its links are A's alone.
        let emailsBefore = try w.f.store.emailCount()
        for id in w.emailsB {
            for to in [nil, "shared@example.net", "fresh@example.net"] {
                #expect(throws: ResendRefusal.notFound(emailID: id)) {
                    _ = try reader.resend(emailID: id, to: to, updateContacts: to == "fresh@example.net", at: now)
                }
            }
        }
        #expect(try w.f.store.emailCount() == emailsBefore, "a refused resend recorded an email")
        let resentB = try readerB.resend(emailID: w.emailsB[0], to: "fresh@example.net", updateContacts: true, at: now)
        #expect(try reader.resendLinks(emailIDs: w.emailsB + [resentB.newEmailID]).isEmpty, "B's links seen from A")
        #expect(try reader.detail(emailID: resentB.newEmailID) == nil)
        #expect(try reader.unitSearch(address: "shared@example.net").count == 1, "B's contact update reached A's contacts")
        #expect(try reader.unitSearch(address: "fresh@example.net").isEmpty)
        let resentA = try reader.resend(emailID: w.emailsA[0], to: nil, updateContacts: false, at: now)
        #expect(try reader.resendLinks(emailIDs: w.emailsA + [resentA.newEmailID])
                == [w.emailsA[0]: ResendLinks(resentAs: [resentA.newEmailID]), resentA.newEmailID: ResendLinks(resendOf: w.emailsA[0])])
        #expect(try readerB.resendLinks(emailIDs: [w.emailsA[0], resentA.newEmailID]).isEmpty)
        #expect(try reader.detail(emailID: resentA.newEmailID)?.email.raisedByName == "Alice Able")
        // The suppressed address of A is refused with A's entry; B's entry is not A's business.
        #expect(throws: ResendRefusal.self) { _ = try reader.resend(emailID: w.emailsA[0], to: "only.a@example.net", updateContacts: false, at: now) }
        #expect(throws: Never.self) { _ = try reader.resend(emailID: w.emailsA[0], to: "only.b@example.net", updateContacts: false, at: now) }

        #expect(seen == Self.probed)
    }

    @Test func aStaffUserCannotOpenAReaderForAnotherAccount() throws {
        let w = try Self.world()
        #expect(throws: StoreError.accountNotPermitted(user: "Alice Able", accountID: w.b.id)) {
            _ = try w.f.store.reader(for: w.aliceA, accountID: w.b.id)
        }
    }

    @Test func supportChoosesAnAccountAndThenSeesOnlyThat() throws {
        let w = try Self.world()
        let reader = try w.f.store.reader(for: w.support, accountID: w.a.id)
        #expect(Set(try reader.accounts()) == [w.a, w.b])
        #expect(try reader.selectAccount(w.b.id) == w.b)
        let rows = try reader.summaries(matching: EmailFilter(accountID: w.a.id, dateRange: .all), from: nil, direction: .older,
                                        limit: 100, now: utcDate(2026, 7, 2))
        #expect(Set(rows.map(\.id)) == Set(w.emailsB))
        #expect(try reader.suppressions().map(\.address) == ["only.b@example.net"])
    }

    /// Fails when a public method is added to the scoped reader without a probe above, or a
    /// public function is added to the store without being classified.
    @Test func everyPublicReaderMethodIsProbed() throws {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Sources/AuditStore")
        func publicFunctions(_ file: URL) throws -> Set<String> {
            let text = try String(contentsOf: file, encoding: .utf8)
            let regex = try NSRegularExpression(pattern: #"public (?:static )?func ([A-Za-z0-9_]+)"#)
            return Set(regex.matches(in: text, range: NSRange(text.startIndex..., in: text)).compactMap {
                Range($0.range(at: 1), in: text).map { String(text[$0]) }
            })
        }
        let reader = try publicFunctions(sources.appendingPathComponent("AccountScopedReader.swift"))
        #expect(reader == Self.probed, "unprobed: \(reader.subtracting(Self.probed).sorted())")
        var everything: Set<String> = []
        for file in try FileManager.default.contentsOfDirectory(at: sources, includingPropertiesForKeys: nil)
        where file.pathExtension == "swift" && file.lastPathComponent != "AccountScopedReader.swift" {
            everything.formUnion(try publicFunctions(file))
        }
        let unclassified = everything.subtracting(Self.notAccountReads)
        #expect(unclassified.isEmpty, "public store functions that may read account data without a scope: \(unclassified.sorted())")
    }
}
