import AuditCore
import AuditEngine
import AuditStore
import Foundation
import ProviderSimulator

/// What to seed.
public struct SeedOptions {
    public var emails: Int
    public var days: Int
    public var seed: UInt64
    /// The end of the seeded span (usually now).
    public var now: Date
    /// Provider outcome rates for ordinary addresses.
    public var rates: SimulationRates
    /// Simulated time between hand-over batches (5 minutes, as in production).
    public var batchInterval: TimeInterval = 300
    /// When set, provider events are handed to this instead of being ingested as they fall due
    /// (the benchmark writes them to a file and ingests that file afterwards).
    public var eventSink: ((_ lines: [String]) throws -> Void)?
    /// Whether Northgate and Castle Quay are seeded after Harbour Lets (the benchmark seeds
    /// Harbour Lets alone, so its figures stay comparable).
    public var extraAgencies = true
    /// How many copies of Harbour Lets's portfolio to seed (1: the demo's own agency). The
    /// benchmark sizes it with ``PortfolioPlan/copies(forEmails:days:)``.
    public var portfolioCopies = 1
    /// How long a provider suppression stays in force before the (simulated) support desk
    /// clears it, or nil for until it is removed (see ``MailgunSimulator``).
    public var suppressionLifetime: TimeInterval?

    public init(emails: Int = 20_000, days: Int = 30, seed: UInt64 = 1, now: Date = Date(), rates: SimulationRates = .default) {
        self.emails = emails
        self.days = days
        self.seed = seed
        self.now = now
        self.rates = rates
    }
}

/// The result of seeding: the store's new agency and the simulator, which still holds the
/// events of emails whose story has not finished (retries, later opens) for a live demo to continue.
public struct SeedResult: Sendable {
    /// Harbour Lets's account.
    public var accountID: Int64
    /// Harbour Lets's emails.
    public var emails: Int
    /// The emails of every agency.
    public var allEmails: Int
    public var ingest: IngestReport
    public var simulator: MailgunSimulator
    public var factory: DemoEmailFactory
}

/// How far seeding has got.
public struct SeedProgress: Sendable, Hashable {
    public var emailsRaised: Int
    public var emailsPlanned: Int
    public var events: Int
}

/// Builds a realistic demo agency and its email history.
///
/// Every status comes from events: emails are recorded Pending at their creation time, handed
/// over by the batch feeder every 5 minutes of simulated time, and the simulator's Mailgun
/// events go through the one ingest path.
public enum DemoSeeder {
    /// What both seeding paths (``seed(_:options:progress:step:)`` and ``seedInBulk``) start
    /// from, made the same way so that they raise the same emails: Harbour Lets written to an
    /// empty store, its simulator, its email factory, the random numbers after the creation
    /// times were drawn, and those times.
    static func start(_ store: any DemoStore, options: SeedOptions) throws
        -> (simulator: MailgunSimulator, factory: DemoEmailFactory, rng: SeededRandom, times: CreationTimes) {
        guard try store.accounts().isEmpty else { throw EngineError.storeNotEmpty(store.storeDescription) }
        let simulator = MailgunSimulator(seed: options.seed, rates: options.rates, suppressionLifetime: options.suppressionLifetime)
        let factory = try writePortfolio(PortfolioPlan(seed: options.seed, copies: options.portfolioCopies), to: store,
                                         sendingDomain: simulator.domain)
        var rng = SeededRandom(seed: options.seed)
        let times = CreationTimes(count: options.emails, days: options.days, endingAt: options.now,
                                  timeZone: store.timeZone, using: &rng)
        return (simulator, factory, rng, times)
    }

    /// Writes the plan's agency to the store and returns a factory for its emails.
    public static func writePortfolio(_ plan: PortfolioPlan, to store: any DemoStore, sendingDomain: String) throws -> DemoEmailFactory {
        let account = try store.insertAccount(name: plan.accountName)
        var staffIDs: [Int64] = []
        for member in plan.staff {
            staffIDs.append(try store.insertStaff(accountID: account.id, name: member.name, role: member.role).id)
        }
        // Staff addresses (where notification emails go) on the agency's own domain.
        let mailDomain = sendingDomain.hasPrefix("mg.") ? String(sendingDomain.dropFirst(3)) : sendingDomain
        try store.setStaffEmailDomain(accountID: account.id, domain: mailDomain)
        var unitIDs: [PortfolioPlan.UnitRef: Int64] = [:]
        for (blockIndex, block) in plan.blocks.enumerated() {
            let stored = try store.insertBlock(accountID: account.id, name: block.name, street: block.street,
                                               town: block.town, postcode: block.postcode)
            let units = try store.insertUnits(accountID: account.id, blockID: stored.id, names: block.units)
            for (unitIndex, unit) in units.enumerated() {
                unitIDs[PortfolioPlan.UnitRef(block: blockIndex, unit: unitIndex)] = unit.id
            }
        }
        // One call for all the contacts (one transaction on PostgreSQL, not one per contact).
        _ = try store.insertContacts(accountID: account.id, plan.contacts.map {
            NewContact(name: $0.name, email: $0.email, phone: $0.phone, role: $0.role, unitIDs: $0.units.compactMap { unitIDs[$0] })
        })
        return DemoEmailFactory(plan: plan, accountID: account.id, staffIDs: staffIDs, unitIDs: unitIDs,
                                sendingDomain: sendingDomain, timeZone: store.timeZone)
    }

    /// Seeds an empty store: Harbour Lets with `options.emails` emails, then (unless
    /// ``SeedOptions/extraAgencies`` is false) Northgate and Castle Quay with a fifth as many
    /// each, every agency through its own simulated Mailgun domain. Refuses a store that
    /// already has an agency, so nothing is mixed or lost. `progress` gets a line per simulated
    /// day; `step` gets the counts after every batch step. The result's simulator and factory
    /// are Harbour Lets's (the live demo carries on with them).
    public static func seed(_ store: any DemoStore, options: SeedOptions,
                            progress: (String) -> Void = { _ in },
                            step stepProgress: (SeedProgress) -> Void = { _ in }) throws -> SeedResult {
        let (simulator, factory, startRNG, times) = try start(store, options: options)
        var rng = startRNG
        var report = try run(store, options: options, simulator: simulator, factory: factory, times: times, rng: &rng,
                             progress: progress, step: stepProgress)
        try SimulatorPersistence.save(simulator, to: store)
        var total = times.count
        if options.extraAgencies {
            for (index, agency) in DemoAgency.all.dropFirst().enumerated() {
                let seed = DemoProviders.seed(options.seed, agencyIndex: index + 1)
                let other = MailgunSimulator(seed: seed, domain: agency.domain, rates: options.rates,
                                              suppressionLifetime: options.suppressionLifetime)
                let otherFactory = try writePortfolio(PortfolioPlan(seed: options.seed, agency: agency), to: store,
                                                      sendingDomain: other.domain)
                try setDemoPreferences(store, accountID: otherFactory.accountID, agencyIndex: index + 1, agency: agency)
                var otherRNG = SeededRandom(seed: seed)
                let otherTimes = CreationTimes(count: max(1, options.emails / 5), days: options.days,
                                               endingAt: options.now, timeZone: store.timeZone, using: &otherRNG)
                var otherOptions = options
                otherOptions.eventSink = nil
                report.merge(try run(store, options: otherOptions, simulator: other, factory: otherFactory, times: otherTimes,
                                     rng: &otherRNG, progress: { _ in }, step: { _ in }))
                total += otherTimes.count
                try SimulatorPersistence.save(other, to: store)
            }
        }
        return SeedResult(accountID: factory.accountID, emails: times.count, allEmails: total, ingest: report,
                          simulator: simulator, factory: factory)
    }

    /// Gives one staff member of each extra agency other notification settings than the
    /// standard (on screen, emails they raised), so the demo shows notification emails and
    /// digests going through the same path as every email: Northgate's first staff member gets
    /// an email for each of the account's problems, Castle Quay's a daily digest of them at 08:00.
    static func setDemoPreferences(_ store: any DemoStore, accountID: Int64, agencyIndex: Int, agency: DemoAgency) throws {
        guard let name = agency.staff.first,
              let user = try store.users().first(where: { $0.accountID == accountID && $0.name == name }) else { return }
        let all = Set(NotificationPreferences.notifiable)
        switch agencyIndex {
        case 1: try store.setNotificationPreferences(userID: user.id, NotificationPreferences(statuses: all, scope: .account, delivery: .email, digestHour: 8))
        case 2: try store.setNotificationPreferences(userID: user.id, NotificationPreferences(statuses: all, scope: .account, delivery: .digest, digestHour: 8))
        default: break
        }
    }

    /// Raises `times.count` emails of one agency at their times, hands them to `simulator` every
    /// batch interval and ingests its events.
    static func run(_ store: any DemoStore, options: SeedOptions, simulator: MailgunSimulator, factory: DemoEmailFactory,
                    times: CreationTimes, rng: inout SeededRandom, progress: (String) -> Void,
                    step stepProgress: (SeedProgress) -> Void) throws -> IngestReport {
        let interval = options.batchInterval
        var upcoming = times.makeIterator()
        var nextTime = upcoming.next()
        let start = (nextTime ?? options.now) - 1
        let clock = ManualClock(start)
        // Only this agency's emails go to its simulated domain; another agency's Pending ones wait for theirs.
        let engine = AuditEngine(recorder: store, queue: store, ingest: store, digests: store, provider: simulator, handOverProviders: .only([factory.accountID: simulator]),
                                 eventSource: options.eventSink == nil ? simulator : nil,
                                 clock: clock, batchInterval: interval, defaultAccountID: factory.accountID)
        var report = IngestReport()
        var next = 0
        var lastDay = CalendarDay(containing: start, in: store.timeZone)
        var step = start
        while step < options.now {
            step = min(step + interval, options.now)
            var batch: [NewEmail] = []
            while let time = nextTime, time <= step {
                batch.append(factory.makeEmail(at: time, using: &rng))
                next += 1
                nextTime = upcoming.next()
            }
            if !batch.isEmpty { try engine.record(batch) }
            clock.set(step)
            report.merge(try engine.tick().ingest)
            if let sink = options.eventSink {
                let lines = simulator.events(through: step)
                if !lines.isEmpty { try sink(lines) }
            }
            stepProgress(SeedProgress(emailsRaised: next, emailsPlanned: times.count, events: report.inserted))
            let day = CalendarDay(containing: step, in: store.timeZone)
            if day != lastDay {
                lastDay = day
                progress("\(day): \(next) of \(times.count) emails, \(report.inserted) events")
            }
        }
        return report
    }

    /// A factory for a store seeded earlier with `seed`: the plan is rebuilt and matched to the stored units.
    public static func factory(forExisting store: any DemoStore, seed: UInt64, sendingDomain: String) throws -> DemoEmailFactory? {
        guard let account = try store.accounts().min(by: { $0.id < $1.id }) else { return nil }
        let plan = PortfolioPlan(seed: seed)
        let staff = try store.staff(inAccount: account.id).filter { $0.name != StaffUser.externalName && $0.name != StaffUser.systemName }
        guard !staff.isEmpty else { return nil }
        var unitIDs: [PortfolioPlan.UnitRef: Int64] = [:]
        for contact in plan.contacts where contact.units.contains(where: { unitIDs[$0] == nil }) {
            let rows = try store.unitSearch(address: contact.email, inAccount: account.id)
            for ref in contact.units {
                let block = plan.blocks[ref.block]
                if let row = rows.first(where: { $0.blockName == block.name && $0.unitName == block.units[ref.unit] }) {
                    unitIDs[ref] = row.unitID
                }
            }
        }
        return DemoEmailFactory(plan: plan, accountID: account.id, staffIDs: staff.map(\.id), unitIDs: unitIDs,
                                sendingDomain: sendingDomain, timeZone: store.timeZone)
    }
}
