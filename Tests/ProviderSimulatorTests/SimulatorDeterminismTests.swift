import AuditCore
import Foundation
import Mailgun
import ProviderSimulator
import Testing

@Suite("Simulator determinism and wire format")
struct SimulatorDeterminismTests {
    /// A mixed workload: forced outcomes, typos, malformed addresses and many ordinary addresses.
    static func workload(_ simulator: MailgunSimulator) throws -> [String] {
        var lines: [String] = []
        var time = sendTime
        let forced = ["bounce.a@gmail.com", "full.b@outlook.com", "blocked.c@harbour-tenants.co.uk", "refused.d@icloud.com",
                      "complain.e@yahoo.co.uk", "unsub.f@btinternet.com", "ok.g@example.com", "grey.h@example.org",
                      "late.i@gmail.com", "click.j@hotmail.co.uk", "k@gmial.com", "not an address"]
        for (index, address) in forced.enumerated() {
            _ = try simulator.send(request(to: [address], auditID: "F-\(index)"), at: time)
            time = time.addingTimeInterval(37)
        }
        for index in 0..<300 {
            let to = "tenant\(index)@\(["gmail.com", "outlook.com", "example.com", "landlords.co.uk", "icloud.com"][index % 5])"
            _ = try simulator.send(request(to: [to], cc: index % 7 == 0 ? ["agent\(index)@example.net"] : [],
                                           auditID: "E-\(index)"), at: time)
            time = time.addingTimeInterval(11.5)
            if index % 50 == 0 { lines += simulator.events(through: time) }
        }
        // Second round to the forced addresses: suppressions now apply.
        for address in forced {
            _ = try simulator.send(request(to: [address]), at: time.adding(hours: 48))
        }
        lines += simulator.events(through: time.adding(hours: 24 * 30))
        return lines
    }

    @Test func sameSeedSameSendsGiveByteIdenticalStreams() throws {
        let first = try Self.workload(MailgunSimulator(seed: 42))
        let second = try Self.workload(MailgunSimulator(seed: 42))
        #expect(first.count > 1_000)
        #expect(first == second)
    }

    @Test func differentSeedGivesADifferentStream() throws {
        let first = try Self.workload(MailgunSimulator(seed: 42))
        let other = try Self.workload(MailgunSimulator(seed: 43))
        #expect(first != other)
    }

    @Test func outputIsCanonicalTimestampOrderedAndAfterTheSend() throws {
        let simulator = MailgunSimulator(seed: 7)
        let lines = try Self.workload(simulator)
        #expect(simulator.queuedEventCount == 0)
        var previous = 0.0
        var lastEventByMessage: [String: Double] = [:]
        for (index, line) in lines.enumerated() {
            let decoded = try MailgunEventDecoder.decode(line: line, lineNumber: index + 1)
            // The simulator writes exactly what the encoder writes.
            #expect(decoded.event.jsonLine() == line)
            #expect(decoded.event.timestamp >= previous)
            previous = decoded.event.timestamp
            #expect(decoded.event.id.count == 22)
            #expect(decoded.event.bareMessageID != nil)
            let key = decoded.event.bareMessageID! + "|" + (decoded.event.effectiveRecipient ?? "")
            lastEventByMessage[key] = decoded.event.timestamp
        }
        #expect(lastEventByMessage.count > 300)
    }

    @Test func eventsAreStrictlyAfterTheSendTime() throws {
        let simulator = MailgunSimulator(seed: 1)
        for index in 0..<200 {
            _ = try simulator.send(request(to: ["t\(index)@example.com", "bounce.\(index)@gmail.com", "u\(index)@gmial.com"]), at: sendTime)
            _ = try simulator.send(request(to: ["x y"]), at: sendTime)
        }
        let events = try decodeAll(simulator.events(through: sendTime.adding(hours: 24 * 10)))
        #expect(events.count >= 1_000)
        #expect(events.allSatisfy { $0.timestamp > sendTime.timeIntervalSince1970 })
        #expect(events.filter { $0.event == "accepted" || $0.event == "rejected" }
            .allSatisfy { $0.timestamp <= sendTime.timeIntervalSince1970 + 1 })
    }

    @Test func responseLooksLikeMailgun() throws {
        let simulator = MailgunSimulator(seed: 5)
        let response = try simulator.send(request(to: ["ok.a@example.com"]), at: sendTime)
        #expect(response.message == "Queued. Thank you.")
        #expect(response.id.hasPrefix("<20261130101502."))
        #expect(response.id.hasSuffix("@mg.harbourlets.co.uk>"))
        let hex = response.bareMessageID.dropFirst("20261130101502.".count).prefix(16)
        #expect(hex.count == 16 && hex.allSatisfy(\.isHexDigit))
        #expect(simulator.domain == "mg.harbourlets.co.uk")
        #expect(MailgunSimulator(seed: 5, domain: "mg.example.com").domain == "mg.example.com")
    }

    @Test func eventsAreHandedOutOnceWhenDue() throws {
        let simulator = MailgunSimulator(seed: 9, rates: .quiet)
        _ = try simulator.send(request(to: ["a@example.com", "b@example.com"]), at: sendTime)
        #expect(simulator.queuedEventCount == 4)
        #expect(simulator.events(through: sendTime).isEmpty)
        // Accepted comes within 0.9 s; delivery may already have happened too.
        let early = try decodeAll(simulator.events(through: sendTime.addingTimeInterval(0.9)))
        #expect(early.filter { $0.event == "accepted" }.count == 2)
        #expect(simulator.queuedEventCount == 4 - early.count)
        let later = try decodeAll(simulator.events(through: sendTime.adding(hours: 1)))
        #expect((early + later).filter { $0.event == "delivered" }.count == 2)
        #expect(early.count + later.count == 4)
        #expect(simulator.events(through: sendTime.adding(hours: 100)).isEmpty)
        #expect(simulator.queuedEventCount == 0)
    }

    @Test func usableFromManyThreads() async throws {
        let simulator = MailgunSimulator(seed: 11)
        await withTaskGroup(of: Void.self) { group in
            for worker in 0..<4 {
                group.addTask {
                    for index in 0..<100 {
                        _ = try? simulator.send(request(to: ["w\(worker)-\(index)@example.com"]), at: sendTime)
                        _ = simulator.events(through: sendTime.addingTimeInterval(Double(index)))
                        _ = simulator.isSuppressed("w\(worker)-\(index)@example.com")
                    }
                }
            }
        }
        _ = simulator.events(through: sendTime.adding(hours: 24 * 30))
        #expect(simulator.queuedEventCount == 0)
    }
}
