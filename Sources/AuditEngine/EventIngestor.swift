import AuditCore
import AuditStore
import Foundation
import Mailgun

/// The one ingest path: every provider event — from the simulator, a JSON-lines file or
/// a webhook — goes decode → store once → re-derive status → update email, roll-ups and
/// suppression list, in one transaction per batch.
public final class EventIngestor: Sendable {
    public let store: AuditDatabase
    /// The account that owns emails built from unknown messages.
    public let defaultAccountID: Int64?
    /// Lines per store transaction.
    public let batchSize: Int

    public init(store: AuditDatabase, defaultAccountID: Int64? = nil, batchSize: Int = 4_000) {
        self.store = store
        self.defaultAccountID = defaultAccountID
        self.batchSize = max(1, batchSize)
    }

    /// Ingests JSON lines; `firstLineNumber` numbers them for error messages.
    /// A malformed line is reported and skipped; the rest of the batch is stored.
    public func ingest(lines: [String], firstLineNumber: Int = 1) throws -> IngestReport {
        var report = IngestReport()
        var start = 0
        while start < lines.count {
            let end = min(lines.count, start + batchSize)
            report.merge(try ingestBatch(lines[start..<end], firstLineNumber: firstLineNumber + start))
            start = end
        }
        return report
    }

    /// Streams a JSON-lines file (or standard input for "-") in batches, so memory stays flat.
    public func ingest(fileAt path: String) throws -> IngestReport {
        let reader = try LineReader(path: path)
        var report = IngestReport()
        var batch: [String] = []
        batch.reserveCapacity(batchSize)
        var first = 1
        var lineNumber = 0
        while let line = reader.nextLine() {
            lineNumber += 1
            batch.append(line)
            if batch.count == batchSize {
                report.merge(try ingestBatch(batch[...], firstLineNumber: first))
                batch.removeAll(keepingCapacity: true)
                first = lineNumber + 1
            }
        }
        if !batch.isEmpty { report.merge(try ingestBatch(batch[...], firstLineNumber: first)) }
        return report
    }

    private func ingestBatch(_ lines: ArraySlice<String>, firstLineNumber: Int) throws -> IngestReport {
        var report = IngestReport()
        let started = DispatchTime.now().uptimeNanoseconds
        let decoded = Self.decodeConcurrently(Array(lines), firstLineNumber: firstLineNumber)
        var incoming: [IncomingEvent] = []
        incoming.reserveCapacity(decoded.count)
        for result in decoded {
            switch result {
            case .none: continue  // blank line
            case .some(.failure(let problem)):
                report.lines += 1
                report.problems.append(problem)
            case .some(.success(let event)):
                report.lines += 1
                switch MailgunEventMapping.map(event) {
                case .event(let value): incoming.append(value)
                case .ignored: report.ignored += 1
                }
            }
        }
        if !incoming.isEmpty {
            let applied = try store.apply(incoming, defaultAccountID: defaultAccountID)
            report.inserted += applied.inserted
            report.duplicates += applied.duplicates
            report.createdEmails += applied.createdEmails
            report.statusChanges += applied.statusChanges.count
        }
        report.seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return report
    }

    /// Decodes lines on all cores; results keep the input order. Blank lines give nil.
    static func decodeConcurrently(_ lines: [String], firstLineNumber: Int) -> [Result<DecodedMailgunEvent, MailgunDecodingError>?] {
        let count = lines.count
        let results = UnsafeMutableBufferPointer<Result<DecodedMailgunEvent, MailgunDecodingError>?>.allocate(capacity: count)
        results.initialize(repeating: nil)
        defer { results.deallocate() }
        let workers = count < 256 ? 1 : ProcessInfo.processInfo.activeProcessorCount
        let chunk = (count + workers - 1) / max(workers, 1)
        let base = UncheckedSendable(results)
        DispatchQueue.concurrentPerform(iterations: workers) { worker in
            let lower = worker * chunk, upper = min(count, lower + chunk)
            guard lower < upper else { return }
            for index in lower..<upper {
                let line = lines[index]
                if MailgunEventDecoder.isBlank(line) { continue }
                do {
                    base.value[index] = .success(try MailgunEventDecoder.decode(line: line, lineNumber: firstLineNumber + index))
                } catch let error as MailgunDecodingError {
                    base.value[index] = .failure(error)
                } catch {
                    base.value[index] = .failure(MailgunDecodingError(line: firstLineNumber + index, field: "(json)", problem: "\(error)"))
                }
            }
        }
        return Array(results)
    }
}

/// Carries a value across a concurrency boundary where the caller guarantees exclusive access per index.
struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
