import AuditCore
import AuditEngine
import AuditStore
import Foundation

/// Keeps a demo store moving in real time: new emails are raised every few seconds, the
/// feeder hands them over, and the simulator's events are ingested as they fall due.
public final class LiveSimulation: @unchecked Sendable {
    public let engine: AuditEngine
    public let factory: DemoEmailFactory?
    /// Average new emails per minute of wall-clock time.
    public let emailsPerMinute: Double

    private let lock = NSLock()
    private var running = false
    private var rng: SeededRandom
    private var problem: String?
    private var thread: Thread?

    public init(engine: AuditEngine, factory: DemoEmailFactory?, seed: UInt64, emailsPerMinute: Double = 12) {
        self.engine = engine
        self.factory = factory
        self.emailsPerMinute = emailsPerMinute
        rng = SeededRandom(seed: seed &+ 0x11FE)
    }

    /// The last error the background loop met, if any (the screen cannot print while it runs).
    public var lastProblem: String? {
        lock.lock()
        defer { lock.unlock() }
        return problem
    }

    /// Starts the background loop (one step a second).
    public func start() {
        lock.lock()
        defer { lock.unlock() }
        guard !running else { return }
        running = true
        let thread = Thread { [self] in
            while isRunning {
                step()
                Thread.sleep(forTimeInterval: 1)
            }
        }
        thread.name = "live-simulation"
        self.thread = thread
        thread.start()
    }

    /// Stops the loop after its current step.
    public func stop() {
        lock.lock()
        running = false
        lock.unlock()
    }

    private var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return running
    }

    /// One step: maybe raise new emails, then tick the engine.
    public func step() {
        do {
            if let factory {
                let now = engine.clock.now
                var emails: [NewEmail] = []
                let expected = emailsPerMinute / 60
                let pick = Double.random(in: 0..<1, using: &rng)
                var count = 0
                // Poisson arrivals: draw until the cumulative probability is passed.
                var probability = exp(-expected), cumulative = probability
                while pick > cumulative, count < 10 {
                    count += 1
                    probability *= expected / Double(count)
                    cumulative += probability
                }
                for _ in 0..<count { emails.append(factory.makeEmail(at: now, using: &rng)) }
                if !emails.isEmpty { try engine.record(emails) }
            }
            try engine.tick()
        } catch {
            lock.lock()
            problem = "\(error)"
            lock.unlock()
        }
    }
}
