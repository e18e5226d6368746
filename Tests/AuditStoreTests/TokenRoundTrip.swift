import PropertyBased
import Testing
@testable import AuditStore

extension EventJSONTokens {
    /// Checks that every text `texts` gives reads back byte for byte with these tokens: through
    /// the compressor (padded so that it is long enough to be deflated) and through the
    /// tokenising alone, without deflate.
    func expectRoundTrips<Shrink: SendableSequenceType>(_ texts: Generator<String, Shrink>) async {
        let compressor = CompactText.Compressor()
        let decompressor = CompactText.Decompressor()
        await propertyCheck(count: 1_000, input: texts) { text in
            let padded = text + String(repeating: "{\"event\":\"delivered\"}", count: 4)
            let back = try compressor.encode(padded, tokens: self) { packed in
                try packed.map { try decompressor.decode($0, tokens: self) } ?? padded
            }
            #expect(Array(back.utf8) == Array(padded.utf8))
            let bytes = Array(text.utf8)
            let tokenised = bytes.withUnsafeBufferPointer { tokenise($0) } ?? bytes
            #expect(tokenised.withUnsafeBufferPointer { detokenise($0) } == bytes)
        }
    }
}
