import Foundation
import GRDB

/// An email body as stored in `emails.body`: the text itself, or a ``CompactText`` format-2
/// BLOB when deflate makes it shorter (bodies of templated letters shrink by a third to a half;
/// a few words stay text). Emails recorded before format 2 keep their TEXT bodies: both read back
/// the same.
enum StoredBody {
    /// The value to store for `text`, compressed by `compressor` (a ``CompactText/Format/plainText``
    /// compressor) when that is shorter.
    static func value(_ text: String, compressor: CompactText.Compressor) -> DatabaseValue {
        compressor.encode(text) { bytes in
            guard let bytes else { return text.databaseValue }
            return Data(bytes).databaseValue
        }
    }

    /// The stored values of `texts`, in order: compressed on all cores when there are many
    /// (a large recording batch), as ``value(_:compressor:)`` would store each.
    static func values(_ texts: [String]) -> [DatabaseValue] {
        let workers = texts.count < 256 ? 1 : ProcessInfo.processInfo.activeProcessorCount
        guard workers > 1 else {
            let compressor = CompactText.Compressor(format: .plainText)
            return texts.map { value($0, compressor: compressor) }
        }
        let chunk = (texts.count + workers - 1) / workers
        var parts = [[DatabaseValue]](repeating: [], count: workers)
        parts.withUnsafeMutableBufferPointer { buffer in
            let base = UnsafeSendableBuffer(buffer: buffer)
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                let lower = worker * chunk, upper = min(texts.count, lower + chunk)
                guard lower < upper else { return }
                let compressor = CompactText.Compressor(format: .plainText)
                base.buffer[worker] = texts[lower..<upper].map { value($0, compressor: compressor) }
            }
        }
        return parts.flatMap { $0 }
    }

    /// The body text of a stored value: TEXT as it is, a BLOB inflated (checked by length and CRC).
    ///
    /// - Throws: ``CompactText/DecodingError`` for a damaged BLOB or a value of another type.
    static func text(_ value: DatabaseValue) throws -> String {
        switch value.storage {
        case .string(let text): return text
        case .blob(let data): return try data.withUnsafeBytes { try CompactText.Decompressor().decode($0) }
        default: throw CompactText.DecodingError(description: "an email body that is neither TEXT nor BLOB")
        }
    }
}

extension AuditDatabase {
    /// Runs `body`, reporting a damaged compact value (``CompactText/DecodingError``) as a corrupt store.
    func readingCompactText<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as CompactText.DecodingError {
            throw StoreError.corrupt(path: path, underlying: error.description)
        }
    }
}

/// A buffer whose elements the workers of one `concurrentPerform` write, each its own index.
private struct UnsafeSendableBuffer<Element>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<Element>
}
