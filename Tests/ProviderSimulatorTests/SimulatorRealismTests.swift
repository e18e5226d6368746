import AuditCore
import Foundation
import Mailgun
import ProviderSimulator
import Testing

@Suite("Simulator realism")
struct SimulatorRealismTests {
    @Test func bounceAddressBouncesThenIsSuppressed() throws {
        let simulator = MailgunSimulator(seed: 3)
        let first = try sendAndCollect(simulator, request(to: ["Bounce.Tenant@gmail.com"]), hours: 1)
        #expect(first.events.map(\.event) == ["accepted", "failed"])
        let bounce = first.events[1]
        #expect(bounce.severity == "permanent")
        #expect(bounce.reason == "bounce")
        #expect(bounce.logLevel == "error")
        #expect(bounce.recipient == "bounce.tenant@gmail.com")
        #expect(bounce.deliveryStatus?.code == 550)
        #expect(bounce.deliveryStatus?.enhancedCode == "5.1.1")
        #expect(bounce.deliveryStatus?.bounceType == "hard")
        #expect(bounce.deliveryStatus?.attemptNo == 1)
        #expect(bounce.deliveryStatus?.mxHost == "gmail-smtp-in.l.google.com")
        #expect(bounce.deliveryStatus?.message?.hasPrefix("5.1.1 The email account that you tried to reach does not exist.") == true)
        #expect(bounce.userVariables == ["audit-id": "E-1"])
        #expect(simulator.isSuppressed("bounce.tenant@gmail.com") == .bounce)

        let second = try sendAndCollect(simulator, request(to: ["bounce.tenant@gmail.com"], auditID: "E-2"),
                                        at: sendTime.adding(hours: 2), hours: 1)
        #expect(second.events.map(\.event) == ["accepted", "failed"])
        let suppressed = second.events[1]
        #expect(suppressed.reason == "suppress-bounce")
        #expect(suppressed.severity == "permanent")
        #expect(suppressed.deliveryStatus == .init(code: 605, message: "", description: "Not delivering to previously bounced address",
                                                   attemptNo: 1, sessionSeconds: 0.0))
        #expect(suppressed.timestamp - second.events[0].timestamp < 1)
        #expect(suppressed.bareMessageID == second.response.bareMessageID)
        #expect(suppressed.userVariables == ["audit-id": "E-2"])

        // Lifting the suppression lets the next send through, and it bounces again.
        simulator.removeSuppression("bounce.tenant@gmail.com")
        #expect(simulator.isSuppressed("bounce.tenant@gmail.com") == nil)
        let third = try sendAndCollect(simulator, request(to: ["bounce.tenant@gmail.com"]), at: sendTime.adding(hours: 4), hours: 1)
        #expect(third.events.last?.reason == "bounce")
    }

    @Test("bounce texts follow the receiving server", arguments: [
        ("bounce.x@outlook.com", "RESOLVER.ADR.RecipNotFound"),
        ("bounce.x@btinternet.com", "Recipient address rejected: User unknown in virtual mailbox table"),
        ("bounce.x@gmail.com", "does not exist"),
    ])
    func bounceTexts(address: String, text: String) throws {
        let events = try sendAndCollect(MailgunSimulator(seed: 8), request(to: [address]), hours: 1).events
        #expect(events.last?.deliveryStatus?.message?.contains(text) == true)
        #expect(events.last?.reason == "bounce")
    }

    @Test func typoDomainRetriesOnScheduleThenExpires() throws {
        let simulator = MailgunSimulator(seed: 4)
        let (response, events) = try sendAndCollect(simulator, request(to: ["tenant@gmial.com"]), hours: 24)
        #expect(events.first?.event == "accepted")
        let failures = events.dropFirst()
        #expect(failures.allSatisfy { $0.event == "failed" && $0.bareMessageID == response.bareMessageID })
        let temporary = failures.filter { $0.severity == "temporary" }
        #expect(temporary.count == 6)
        #expect(temporary.map { $0.deliveryStatus?.attemptNo } == [1, 2, 3, 4, 5, 6])
        #expect(temporary.map { $0.deliveryStatus?.retrySeconds } == [600, 900, 1_800, 3_600, 7_200, 14_400])
        #expect(temporary.allSatisfy {
            $0.deliveryStatus?.code == 498 && $0.deliveryStatus?.message == "No MX for [gmial.com]" && $0.reason == "generic"
                && $0.logLevel == "warn"
        })
        // Each attempt comes when the previous one said it would.
        let all = Array(failures)
        for index in 1..<all.count {
            let gap = all[index].timestamp - all[index - 1].timestamp
            let promised = Double(all[index - 1].deliveryStatus?.retrySeconds ?? 0)
            #expect(gap >= promised && gap < promised + 5)
        }
        let last = try #require(failures.last)
        #expect(last.severity == "permanent")
        #expect(last.reason == "old")
        #expect(last.deliveryStatus?.code == 602)
        #expect(last.deliveryStatus?.message == "Too old")
        #expect(last.deliveryStatus?.attemptNo == 7)
        let hours = (last.timestamp - sendTime.timeIntervalSince1970) / 3_600
        #expect(hours > 7.9 && hours < 8.1)
        #expect(simulator.isSuppressed("tenant@gmial.com") == nil)
    }

    @Test("other no-MX domains", arguments: ["a@hotmial.co.uk", "a@outlok.com", "a@btinternet.con", "a@yahoo.co", "a@gmail.co", "a@nomx.example"])
    func noMXDomains(address: String) throws {
        let events = try sendAndCollect(MailgunSimulator(seed: 4), request(to: [address]), hours: 1).events
        #expect(events.dropFirst().first?.deliveryStatus?.code == 498)
    }

    @Test func outageThrowsAndQueuesNothing() throws {
        let simulator = MailgunSimulator(seed: 2)
        simulator.isAvailable = false
        #expect(throws: MailgunSendError.unavailable(status: 503, message: "Service Unavailable")) {
            try simulator.send(request(to: ["a@example.com"]), at: sendTime)
        }
        #expect(simulator.queuedEventCount == 0)
        #expect(simulator.events(through: sendTime.adding(hours: 100)).isEmpty)
        simulator.isAvailable = true
        _ = try simulator.send(request(to: ["a@example.com"]), at: sendTime)
        #expect(simulator.queuedEventCount > 0)
    }

    @Test func outageDoesNotShiftLaterMessages() throws {
        let steady = MailgunSimulator(seed: 2)
        let interrupted = MailgunSimulator(seed: 2)
        interrupted.isAvailable = false
        _ = try? interrupted.send(request(to: ["a@example.com"]), at: sendTime)
        interrupted.isAvailable = true
        #expect(try steady.send(request(to: ["a@example.com"]), at: sendTime)
            == interrupted.send(request(to: ["a@example.com"]), at: sendTime))
    }

    @Test func malformedAddressIsRejectedWithoutRecipient() throws {
        let simulator = MailgunSimulator(seed: 6)
        let (response, events) = try sendAndCollect(simulator, request(to: ["tenant at example.com"]))
        #expect(events.count == 1)
        let rejected = try #require(events.first)
        #expect(rejected.event == "rejected")
        #expect(rejected.recipient == nil)
        #expect(rejected.logLevel == "warn")
        #expect(rejected.reject?.reason == "to parameter is not a valid address. please check documentation")
        #expect(rejected.effectiveRecipient == "tenant at example.com")
        #expect(rejected.bareMessageID == response.bareMessageID)
        #expect(rejected.userVariables == ["audit-id": "E-1"])
        #expect(rejected.storage == nil)
    }

    @Test func malformedCcRejectsTheWholeRequest() throws {
        let events = try sendAndCollect(MailgunSimulator(seed: 6), request(to: ["a@example.com"], cc: ["b@@example.com"])).events
        #expect(events.map(\.event) == ["rejected", "rejected"])
        #expect(events.map(\.effectiveRecipient) == ["a@example.com", "b@@example.com"])
        #expect(events.allSatisfy { $0.reject?.reason == "cc parameter is not a valid address. please check documentation" })
    }

    @Test func oversizedMessageIsRejected() throws {
        let big = MailgunAttachment(filename: "Scans.zip", size: 26 * 1_024 * 1_024)
        let events = try sendAndCollect(MailgunSimulator(seed: 6), request(to: ["a@example.com"], attachments: [big])).events
        #expect(events.map(\.event) == ["rejected"])
        #expect(events.first?.reject?.reason == "Message size exceeds the 25 MB limit")
        #expect(events.first?.message?.attachments == [.init(filename: "Scans.zip", contentType: "application/zip", size: 26 * 1_024 * 1_024)])
    }

    @Test func disabledDomainRejects() throws {
        let simulator = MailgunSimulator(seed: 6)
        simulator.isDomainDisabled = true
        let events = try sendAndCollect(simulator, request(to: ["a@example.com"])).events
        #expect(events.first?.reject?.reason?.hasPrefix("Domain mg.harbourlets.co.uk is disabled") == true)
    }

    @Test func requestsWithoutRecipientsThrow() {
        let simulator = MailgunSimulator(seed: 6)
        #expect(throws: MailgunSendError.requestRejected(status: 400, message: "to parameter is missing")) {
            try simulator.send(request(to: []), at: sendTime)
        }
        #expect(simulator.queuedEventCount == 0)
    }

    @Test func oneChainPerRecipientWithTheSameMessageID() throws {
        let simulator = MailgunSimulator(seed: 10, rates: .quiet)
        let (response, events) = try sendAndCollect(
            simulator, request(to: ["Alice <alice@example.com>", "bob@example.org"], cc: ["carol@example.net", "ALICE@example.com"]))
        let accepted = events.filter { $0.event == "accepted" }
        #expect(Set(accepted.compactMap(\.recipient)) == ["alice@example.com", "bob@example.org", "carol@example.net"])
        #expect(accepted.count == 3)
        #expect(events.filter { $0.event == "delivered" }.count == 3)
        #expect(events.allSatisfy { $0.bareMessageID == response.bareMessageID })
        #expect(events.allSatisfy { $0.userVariables == ["audit-id": "E-1"] && $0.tags == ["demand"] })
        let ids = events.map(\.id)
        #expect(Set(ids).count == ids.count)
        #expect(accepted.allSatisfy { $0.message?.headers?.to == "Alice <alice@example.com>, bob@example.org" })
        #expect(accepted.allSatisfy { $0.storage?.key != nil && $0.storage?.url?.contains("/v3/domains/mg.harbourlets.co.uk/messages/") == true })
    }

    @Test func acceptedAndDeliveredShape() throws {
        let events = try sendAndCollect(MailgunSimulator(seed: 12), request(
            to: ["ok.tenant@example.com"], attachments: [.init(filename: "Demand.pdf", size: 48_000)])).events
        #expect(events.map(\.event) == ["accepted", "delivered"])
        let accepted = events[0], delivered = events[1]
        #expect(accepted.method == "http")
        #expect(accepted.logLevel == "info")
        #expect(accepted.message?.recipients == ["ok.tenant@example.com"])
        #expect(accepted.message?.attachments == [.init(filename: "Demand.pdf", contentType: "application/pdf", size: 48_000)])
        #expect((accepted.message?.size ?? 0) > 64_000)
        #expect(accepted.envelope?.sender == "accounts@mg.harbourlets.co.uk")
        #expect(accepted.envelope?.targets == "ok.tenant@example.com")
        #expect(accepted.flags?.isAuthenticated == true)
        #expect(accepted.recipientDomain == "example.com")
        #expect(delivered.deliveryStatus?.code == 250)
        #expect(delivered.deliveryStatus?.attemptNo == 1)
        #expect(delivered.deliveryStatus?.mxHost != nil)
        #expect(delivered.envelope?.sendingIP?.hasPrefix("198.51.100.") == true)
        #expect(delivered.timestamp - accepted.timestamp < 10)
    }

    @Test func fullMailboxFailsTemporarilyThenRecoversOrExpires() throws {
        let simulator = MailgunSimulator(seed: 13)
        var outcomes: Set<String> = []
        for index in 0..<20 {
            let events = try sendAndCollect(simulator, request(to: ["full.\(index)@gmail.com"]), hours: 24).events
            let temporary = events.filter { $0.severity == "temporary" }
            #expect(!temporary.isEmpty)
            #expect(temporary.allSatisfy { $0.deliveryStatus?.code == 452 && $0.deliveryStatus?.enhancedCode == "4.2.2" })
            #expect(temporary.first?.deliveryStatus?.message?.contains("over quota") == true)
            let final = try #require(events.last { $0.event == "delivered" || $0.severity == "permanent" })
            if final.event == "delivered" {
                #expect(final.deliveryStatus?.attemptNo == temporary.count + 1)
                outcomes.insert("recovered")
            } else {
                #expect(final.reason == "old" && final.deliveryStatus?.code == 602)
                outcomes.insert("expired")
            }
            #expect(simulator.isSuppressed("full.\(index)@gmail.com") == nil)
        }
        #expect(outcomes == ["recovered", "expired"])
    }

    @Test func microsoft365AccessDenied() throws {
        let simulator = MailgunSimulator(seed: 14)
        let events = try sendAndCollect(simulator, request(to: ["blocked.tenant@harbour-tenants.co.uk"])).events
        let failed = try #require(events.last)
        #expect(failed.severity == "permanent")
        #expect(failed.deliveryStatus?.code == 550)
        #expect(failed.deliveryStatus?.enhancedCode == "5.4.1")
        #expect(failed.deliveryStatus?.message?.hasPrefix("5.4.1 Recipient address rejected: Access denied. AS(201806281) [") == true)
        #expect(failed.deliveryStatus?.mxHost == "harbour-tenants-co-uk.mail.protection.outlook.com")
        #expect(simulator.isSuppressed("blocked.tenant@harbour-tenants.co.uk") == nil)
    }

    @Test func ruleImposedRefusal() throws {
        let events = try sendAndCollect(MailgunSimulator(seed: 15), request(to: ["refused.tenant@icloud.com"])).events
        let failed = try #require(events.last)
        #expect(failed.severity == "permanent")
        #expect(failed.reason == "espblock")
        #expect(failed.deliveryStatus?.enhancedCode == "5.7.1")
        #expect(failed.deliveryStatus?.message == "5.7.1 [CS01] Message rejected due to local policy.")
    }

    @Test func greylistingThenDelivery() throws {
        let events = try sendAndCollect(MailgunSimulator(seed: 16), request(to: ["grey.tenant@example.org"])).events
        #expect(events.map(\.event) == ["accepted", "failed", "delivered"])
        #expect(events[1].reason == "greylisted")
        #expect(events[1].deliveryStatus?.code == 450)
        #expect(events[1].deliveryStatus?.enhancedCode == "4.2.0")
        #expect(events[1].deliveryStatus?.retrySeconds == 300)
        #expect(events[2].deliveryStatus?.attemptNo == 2)
        #expect(events[2].timestamp - events[1].timestamp >= 300)
    }

    @Test func complaintSuppressesLaterSends() throws {
        let simulator = MailgunSimulator(seed: 17)
        let events = try sendAndCollect(simulator, request(to: ["complain.tenant@yahoo.co.uk"])).events
        #expect(events.map(\.event) == ["accepted", "delivered", "opened", "complained"])
        #expect(events[3].logLevel == "warn")
        #expect(simulator.isSuppressed("complain.tenant@yahoo.co.uk") == .complaint)
        let next = try sendAndCollect(simulator, request(to: ["complain.tenant@yahoo.co.uk"]), at: sendTime.adding(hours: 24 * 8)).events
        #expect(next.last?.reason == "suppress-complaint")
        #expect(next.last?.deliveryStatus?.code == 607)
        #expect(next.last?.deliveryStatus?.description == "Not delivering to a user who marked your messages as spam")
    }

    @Test func unsubscribeSuppressesLaterSends() throws {
        let simulator = MailgunSimulator(seed: 18)
        let events = try sendAndCollect(simulator, request(to: ["unsub.tenant@btinternet.com"])).events
        #expect(events.map(\.event) == ["accepted", "delivered", "opened", "unsubscribed"])
        #expect(events[3].tags == ["*"])
        #expect(events[3].clientInfo != nil && events[3].geolocation != nil)
        let next = try sendAndCollect(simulator, request(to: ["unsub.tenant@btinternet.com"]), at: sendTime.adding(hours: 24 * 8)).events
        #expect(next.last?.reason == "suppress-unsubscribe")
        #expect(next.last?.deliveryStatus?.code == 606)
        #expect(next.last?.deliveryStatus?.description == "Not delivering to unsubscribed address")
    }

    @Test func lateBounceAfterDelivery() throws {
        let events = try sendAndCollect(MailgunSimulator(seed: 19), request(to: ["late.tenant@gmail.com"])).events
        #expect(events.map(\.event) == ["accepted", "delivered", "failed"])
        #expect(events[2].flags?.isDelayedBounce == true)
        #expect(events[2].reason == "generic")
        #expect(events[2].severity == "permanent")
    }

    @Test func clickFollowsTheLinkInTheText() throws {
        let events = try sendAndCollect(MailgunSimulator(seed: 20), request(to: ["click.tenant@hotmail.co.uk"])).events
        #expect(events.map(\.event) == ["accepted", "delivered", "opened", "clicked"])
        let opened = events[2], clicked = events[3]
        #expect(clicked.url == "https://harbourlets.co.uk/pay/123")
        #expect(opened.message == .init(headers: .init(messageID: opened.bareMessageID)))
        #expect(opened.ip != nil && opened.geolocation != nil && opened.clientInfo != nil)
        #expect(opened.timestamp - events[1].timestamp >= 60)
    }

    @Test func sameAddressBehavesTheSameEveryTime() throws {
        let simulator = MailgunSimulator(seed: 21)
        func outcome(_ address: String, hoursLater: Double) throws -> String {
            let events = try sendAndCollect(simulator, request(to: [address]), at: sendTime.adding(hours: hoursLater), hours: 24).events
            return events.first { $0.event == "failed" || $0.event == "delivered" }.map { "\($0.event) \($0.reason ?? "")" } ?? ""
        }
        for index in 0..<200 {
            let address = "person\(index)@landlords.co.uk"
            let first = try outcome(address, hoursLater: 0)
            let second = try outcome(address, hoursLater: 48)
            if first == "failed bounce" {
                #expect(second == "failed suppress-bounce")
            } else if first == "delivered " {
                #expect(second.hasPrefix("delivered") || second == "failed greylisted" || second.hasPrefix("failed suppress"))
            } else {
                #expect(first == second, "\(address): \(first) then \(second)")
            }
        }
    }

    @Test func defaultRatesLookPlausible() throws {
        let simulator = MailgunSimulator(seed: 22)
        var counts: [String: Int] = [:]
        for index in 0..<2_000 {
            _ = try simulator.send(request(to: ["resident\(index)@example.com"]), at: sendTime.addingTimeInterval(Double(index)))
        }
        for event in try decodeAll(simulator.events(through: sendTime.adding(hours: 24 * 30))) {
            counts[event.event + (event.reason.map { "/" + $0 } ?? ""), default: 0] += 1
        }
        #expect(counts["accepted"] == 2_000)
        #expect((20...80).contains(counts["failed/bounce"] ?? 0))
        let delivered = counts["delivered"] ?? 0
        #expect(delivered > 1_850)
        let opensPerDelivered = Double(counts["opened"] ?? 0) / Double(delivered)
        #expect(opensPerDelivered > 0.45 && opensPerDelivered < 1.0)
        #expect((counts["clicked"] ?? 0) > 100)
    }

    @Test func quietRatesDeliverEverythingOrdinary() throws {
        let simulator = MailgunSimulator(seed: 23, rates: .quiet)
        for index in 0..<500 {
            _ = try simulator.send(request(to: ["resident\(index)@example.com"]), at: sendTime)
        }
        let events = try decodeAll(simulator.events(through: sendTime.adding(hours: 24 * 30)))
        #expect(Set(events.map(\.event)) == ["accepted", "delivered"])
        #expect(events.count == 1_000)
    }
}
