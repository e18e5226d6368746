import AuditCore
import Foundation

/// Group commit for `POST /v1/emails`: requests that arrive while a commit is running are
/// checked and recorded together in the next transaction (``IntakeRecorder/record(group:now:)``),
/// and each is answered only after that transaction commits. Idempotency by the host's id holds
/// across groups (the store looks the id up) and inside one (a repeated id is recorded once).
public final class IntakeCommitter: Sendable {
    private let group: GroupCommitter<IntakeSubmission, Result<HostRecording, IntakeError>>

    /// Creates a committer over `recorder`; call ``start()`` before ``submit(_:account:)``.
    public init(recorder: IntakeRecorder, maximumGroup: Int = 500) {
        group = GroupCommitter(
            name: "intake-commit", maximumGroup: maximumGroup,
            unavailable: .failure(IntakeError(status: 503, field: "(store)", message: "the server is stopping; retry later")),
            commit: { submissions in recorder.record(group: submissions.map { ($0.request, $0.account) }) })
    }

    /// Starts the writer thread.
    public func start() { group.start() }

    /// Finishes the groups already queued, then stops the thread.
    public func stop() { group.stop() }

    /// Requests waiting for the next group commit.
    public var queueDepth: Int { group.queueDepth }

    /// Queues a request for `account` (from its bearer token) and waits until it is recorded or refused.
    public func submit(_ request: IntakeRequest, account: Int64) async -> Result<HostRecording, IntakeError> {
        await group.submit(IntakeSubmission(request: request, account: account))
    }
}

/// One intake request waiting for its group commit.
struct IntakeSubmission: Sendable {
    var request: IntakeRequest
    var account: Int64
}
