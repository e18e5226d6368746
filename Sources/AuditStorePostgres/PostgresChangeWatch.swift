import Foundation

/// The change token by LISTEN/NOTIFY: a screen learns of other machines' writes by
/// notification instead of reading ``PostgresChangeToken`` on every tick.
///
/// Since schema version 5 every statement that advances the token also sends a notification on
/// ``channel`` (PostgreSQL delivers it when the writer's transaction commits, once per
/// transaction, to every listening session). The store's connection listens from the first
/// ``token(on:)``; after that the token is read from the server only when a notification came
/// since the last read (or the last read was odd: a write still running when it was read), and
/// otherwise the last token is answered without a round trip, so an idle screen costs the server
/// nothing. A notification arriving while the token is read marks it to be read again. If the
/// connection ends, every call reads the token (which then fails with the connection's error).
final class PostgresChangeWatch: @unchecked Sendable {
    /// The notification channel of schema version 5's `email_audit_changed()`.
    static let channel = "email_audit_changes"

    private let lock = NSLock()
    private var listening = false
    private var lost = false
    private var noticed = true
    private var last: Int64?
    private var reads = 0

    /// How many times the token was read from the server (tests: an idle screen reads nothing).
    var serverReads: Int { lock.withLock { reads } }

    /// The change token: the last one read while nothing was noticed since, else read afresh.
    func token(on connection: BlockingPostgresConnection) throws -> Int64 {
        let start: Bool = lock.withLock {
            defer { listening = true }
            return !listening
        }
        if start {
            connection.listen(to: Self.channel,
                              onNotification: { [weak self] in self?.notice() },
                              onClose: { [weak self] in self?.lose() })
        }
        let cached: Int64? = lock.withLock {
            if !noticed, !lost, let last, last % 2 == 0 { return last }
            noticed = false
            return nil
        }
        if let cached { return cached }
        let token: Int64
        do {
            token = try PostgresChangeToken.read(on: connection)
        } catch {
            lock.withLock { noticed = true }
            throw error
        }
        lock.withLock {
            last = token
            reads += 1
        }
        return token
    }

    private func notice() { lock.withLock { noticed = true } }

    private func lose() { lock.withLock { lost = true } }
}
