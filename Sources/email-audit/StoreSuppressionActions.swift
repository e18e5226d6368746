import AuditCore
import AuditEngine
import AuditStore
import Demo
import Foundation
import TerminalUI

/// Wires the screen's `r` (request) and `D` (remove) to the store and the provider: the
/// store is opened for writing only when a change is made (the screen reads a read-only
/// store), and a removal is told to the provider so later sends go through.
final class StoreSuppressionActions: SuppressionActions, @unchecked Sendable {
    private let user: AppUser
    private let openForWriting: () throws -> AuditDatabase
    /// The live providers (the demo's simulators); nil: the simulators saved in the store, if any.
    private let providers: DemoProviders?
    private let lock = NSLock()
    private var writer: AuditDatabase?

    init(user: AppUser, providers: DemoProviders?, openForWriting: @escaping () throws -> AuditDatabase) {
        self.user = user
        self.providers = providers
        self.openForWriting = openForWriting
    }

    func requestRemoval(address: String, note: String, accountID: Int64) throws {
        try reader(accountID).requestSuppressionRemoval(address: address, note: note)
    }

    func remove(address: String, reason: String, accountID: Int64) throws {
        let reader = try reader(accountID), at = Date()
        try SuppressionRemoval.removeTellingDemoSimulator(address, accountID: accountID, liveProviders: providers,
                                                          savedIn: reader.database, at: at) {
            try reader.removeSuppression(address: address, reason: reason, at: at)
        }
    }

    /// The signed-in user's reader of `accountID` on the store opened for writing (opened once).
    func reader(_ accountID: Int64) throws -> AccountScopedReader {
        lock.lock(); defer { lock.unlock() }
        if writer == nil { writer = try openForWriting() }
        return try writer!.reader(for: user, accountID: accountID)
    }
}
