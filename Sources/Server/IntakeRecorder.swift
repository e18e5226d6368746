import AuditCore
import Foundation

/// Turns intake requests into recorded Pending emails, idempotently by the host's id.
///
/// Shared by `POST /v1/emails` and `email-audit record`: the same checks, the same store call
/// (``HostRecordingStore/recordFromHost(_:)``, either backend), the same answers.
public final class IntakeRecorder: @unchecked Sendable {
    public let store: any HostRecordingStore
    private let lock = NSLock()
    private var staffByAccount: [Int64: [StaffUser]] = [:]

    public init(store: any HostRecordingStore) {
        self.store = store
    }

    /// Records one request for `accountID` (from the bearer token, or the request's own `account`).
    ///
    /// - Throws: ``IntakeError``: 403 when the request names another account, 422 for an unknown
    ///   account, staff member or unit, 503 when the store fails. Nothing is stored then.
    public func record(_ request: IntakeRequest, accountID: Int64?, now: Date = Date()) throws(IntakeError) -> HostRecording {
        let email = try newEmail(for: request, authorisedAccount: accountID, now: now)
        do {
            return try store.recordFromHost([email])[0]
        } catch {
            throw IntakeError(status: 503, field: "(store)", message: "the store cannot record the email now")
        }
    }

    /// Resolves a request into the email to record.
    func newEmail(for request: IntakeRequest, authorisedAccount: Int64?, now: Date) throws(IntakeError) -> NewEmail {
        let account: Int64
        switch (authorisedAccount, request.accountID) {
        case (let authorised?, let named?) where authorised != named:
            throw IntakeError(status: 403, field: "account", message: "the token is not for account \(named)")
        case (let authorised?, _): account = authorised
        case (nil, let named?): account = named
        case (nil, nil): throw IntakeError(status: 400, field: "account", message: "is required")
        }
        let staff = try staffMember(named: request.raisedBy, accountID: account)
        do {
            let unknown = try store.unknownUnitIDs(request.linkedUnits, accountID: account)
            if let first = unknown.first, let index = request.linkedUnits.firstIndex(of: first) {
                throw IntakeError(status: 422, field: "linked_units[\(index)]", message: "no unit \(first) in account \(account)")
            }
        } catch let error as IntakeError {
            throw error
        } catch {
            throw IntakeError(status: 503, field: "(store)", message: "the store cannot be read now")
        }
        return NewEmail(accountID: account, raisedByID: staff.id, activity: request.activity, to: request.to, cc: request.cc,
                        from: request.from, subject: request.subject, textBody: request.body,
                        attachmentNames: request.attachmentNames, createdAt: now, unitIDs: request.linkedUnits,
                        hostID: request.hostID)
    }

    /// The staff member of `accountID` with this name (exact, else ignoring case); the list is
    /// read again once when the name is not found, so new staff are seen without a restart.
    private func staffMember(named name: String, accountID: Int64) throws(IntakeError) -> StaffUser {
        for refresh in [false, true] {
            let staff = try staffList(accountID: accountID, refresh: refresh)
            if refresh && staff.isEmpty {
                throw IntakeError(status: 422, field: "account", message: "no account \(accountID) with staff")
            }
            if let exact = staff.first(where: { $0.name == name }) { return exact }
            let folded = name.trimmingCharacters(in: .whitespaces).lowercased()
            if let loose = staff.first(where: { $0.name.lowercased() == folded }) { return loose }
        }
        throw IntakeError(status: 422, field: "raised_by", message: "no staff member of account \(accountID) has this name")
    }

    private func staffList(accountID: Int64, refresh: Bool) throws(IntakeError) -> [StaffUser] {
        lock.lock()
        let cached = staffByAccount[accountID]
        lock.unlock()
        if let cached, !refresh { return cached }
        let staff: [StaffUser]
        do {
            staff = try store.staff(inAccount: accountID)
        } catch {
            throw IntakeError(status: 503, field: "(store)", message: "the store cannot be read now")
        }
        lock.lock()
        staffByAccount[accountID] = staff
        lock.unlock()
        return staff
    }
}

extension IntakeRecorder {
    /// Records many requests, each carrying its own `account`, in one store transaction.
    /// A request that fails its checks gets its error and is not recorded; the others are.
    public func record(batch requests: [IntakeRequest], now: Date = Date()) -> [Result<HostRecording, IntakeError>] {
        record(group: requests.map { ($0, nil) }, now: now)
    }

    /// Records many requests in one store transaction, each with the account its bearer token is
    /// for (nil: the request's own `account`). A request that fails its checks gets its error and
    /// is not recorded; the others are. Host ids repeated in the group (a retry racing its first
    /// attempt) are recorded once and all get the same email id. When the store refuses a value
    /// of one email, the group is recorded again one email per transaction, so only that request
    /// gets the 503; when the store itself fails, every request gets it and none is recorded.
    public func record(group requests: [(request: IntakeRequest, account: Int64?)], now: Date = Date()) -> [Result<HostRecording, IntakeError>] {
        var results: [Result<HostRecording, IntakeError>?] = Array(repeating: nil, count: requests.count)
        var emails: [NewEmail] = []
        var positions: [Int] = []
        for (index, (request, account)) in requests.enumerated() {
            do {
                emails.append(try newEmail(for: request, authorisedAccount: account, now: now))
                positions.append(index)
            } catch {
                results[index] = .failure(error)
            }
        }
        let unavailable = IntakeError(status: 503, field: "(store)", message: "the store cannot record the email now")
        do {
            let recorded = try store.recordFromHost(emails)
            for (position, recording) in zip(positions, recorded) { results[position] = .success(recording) }
        } catch where emails.count > 1 && store.isValueRefusal(error) {
            for (position, email) in zip(positions, emails) {
                results[position] = Result { try store.recordFromHost([email])[0] }.mapError { _ in unavailable }
            }
        } catch {
            for position in positions { results[position] = .failure(unavailable) }
        }
        return results.map { $0! }
    }
}
