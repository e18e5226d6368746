import AuditCore
import Foundation

/// Performs effects against a reader and answers with messages.
///
/// The terminal runs it on a background queue so the input loop never waits for the
/// store; ``HeadlessSession`` runs it inline.
public struct EffectRunner: Sendable {
    public let reader: any AuditReader
    /// The clock passed to the reader as `now:` ("Today" is computed from it).
    public let now: @Sendable () -> Date

    public init(reader: any AuditReader, now: @escaping @Sendable () -> Date) {
        self.reader = reader
        self.now = now
    }

    /// Runs one effect to completion.
    public func run(_ effect: Effect) -> Message {
        do {
            switch effect {
            case .loadPage(let request):
                let rows = try reader.summaries(matching: request.filter, from: request.cursor,
                                                direction: request.direction, limit: request.limit, now: now())
                return .pageLoaded(request, rows)
            case .loadCounts(let generation, let filter):
                return .countsLoaded(generation: generation, try reader.statusCounts(matching: filter, now: now()))
            case .loadDetail(let emailID):
                return .detailLoaded(emailID: emailID, try reader.detail(emailID: emailID))
            case .searchUnits(let address):
                return .unitsLoaded(address: address, try reader.unitSearch(address: address))
            case .loadStaff(let accountID):
                return .staffLoaded(try reader.staff(accountID: accountID))
            case .checkChangeToken:
                return .changeTokenLoaded(try reader.changeToken())
            case .probeStore(let accountID):
                let any = EmailFilter(accountID: accountID, dateRange: .all)
                let rows = try reader.summaries(matching: any, from: nil, direction: .older, limit: 1, now: now())
                return .storeProbed(hasEmails: !rows.isEmpty)
            }
        } catch {
            return .effectFailed(effect, String(describing: error))
        }
    }
}
