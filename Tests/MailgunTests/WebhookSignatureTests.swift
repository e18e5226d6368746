import Foundation
import Mailgun
import Testing

@Suite struct WebhookSignatureTests {
    let key = Data("whsec-invented-0123456789abcdef".utf8)

    @Test func referenceTestVectorVerifies() {
        let signature = MailgunWebhookSignature(
            timestamp: "1741947310", token: "3f9c1e0b7a5d4c2e8f6a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d",
            signature: "0bc43bd965377db8ff3d5e39b6519a3d9b85e190f12c780afacd435c74a67fe4")
        #expect(signature.isValid(signingKey: key))
        #expect(MailgunWebhookSignature.expectedSignature(timestamp: signature.timestamp, token: signature.token, signingKey: key)
            == signature.signature)
    }

    @Test func anyChangedPartFailsVerification() {
        let good = MailgunWebhookSignature(timestamp: "1741947310", token: "3f9c1e0b7a5d4c2e8f6a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d", signingKey: key)
        var otherTime = good; otherTime.timestamp = "1741947311"
        var otherToken = good; otherToken.token = String(good.token.dropLast()) + "e"
        var truncated = good; truncated.signature = String(good.signature.dropLast(2))
        var notHex = good; notHex.signature = String(repeating: "z", count: 64)
        #expect(!otherTime.isValid(signingKey: key))
        #expect(!otherToken.isValid(signingKey: key))
        #expect(!truncated.isValid(signingKey: key))
        #expect(!notHex.isValid(signingKey: key))
        #expect(!good.isValid(signingKey: Data("another-key".utf8)))
        var upper = good; upper.signature = good.signature.uppercased()
        #expect(upper.isValid(signingKey: key))
    }
}
