import PropertyBased
import Testing
@testable import AuditStore

extension EventJSONTokens {
    /// Checks that every text `texts` gives reads back byte for byte with these tokens: through
    /// the compressor (padded so that it is long enough to be compressed) as format 5 (zstd)
    /// and as format 4 or 3 (deflate), and through the tokenising alone, without compression.
    func expectRoundTrips<Shrink: SendableSequenceType>(_ texts: Generator<String, Shrink>) async {
        let zstd = CompactText.Compressor()
        let deflate = CompactText.Compressor(tokenisedFormat: .eventJSONRowTokens)
        let decompressor = CompactText.Decompressor()
        await propertyCheck(count: 1_000, input: texts) { text in
            let padded = text + String(repeating: "{\"event\":\"delivered\"}", count: 4)
            for compressor in [zstd, deflate] {
                let back = try compressor.encode(padded, tokens: self) { packed in
                    if let packed, compressor === zstd { #expect(packed[0] == 5) }
                    return try packed.map { try decompressor.decode($0, tokens: self) } ?? padded
                }
                #expect(Array(back.utf8) == Array(padded.utf8))
            }
            let bytes = Array(text.utf8)
            let tokenised = bytes.withUnsafeBufferPointer { tokenise($0) } ?? bytes
            #expect(tokenised.withUnsafeBufferPointer { detokenise($0) } == bytes)
        }
    }
}
