import AuditCore
import Foundation

/// The SQLite backend of what `serve` asks of its store besides ingest and the feeder queue:
/// the webhook receiver's token binding (``WebhookIngestStore``, WebhookTokens.swift), the
/// intake's recording by host id (``HostRecordingStore``, HostEmailRecording.swift) and the
/// readiness and metrics reads (``ServiceHealthStore``), all as they are.
extension AuditDatabase: WebhookIngestStore {}

extension AuditDatabase: HostRecordingStore {
    public func isValueRefusal(_ error: any Error) -> Bool {
        switch error as? StoreError {
        case .invalidValue, .unknownAccount, .unknownStaff, .unknownUnit: true
        default: false
        }
    }
}

extension AuditDatabase: ServiceHealthStore {}
