import AuditCore
@testable import ProviderSimulator
import Testing

@Suite("Address helpers")
struct AddressTextTests {
    static let samples = [
        "a@b.co", "alice@example.com", "Alice.Smith+rent@Example.CO.UK", "a..b@example.com", ".a@example.com",
        "a.@example.com", "a@example", "a@example.c", "a@example.c0m", "a@-example.com", "a@example-.com",
        "a@exa_mple.com", "a@@example.com", "a@b@example.com", "@example.com", "a@", "a@.com", "a@example..com",
        "tenant at example.com", "o'brien@example.ie", "x{y}@example.com", "é@example.com", "a@exämple.com",
        "a@example.com ", " a@example.com", String(repeating: "a", count: 64) + "@example.com",
        String(repeating: "a", count: 65) + "@example.com", "a@" + String(repeating: "b", count: 63) + ".com",
        "a@" + String(repeating: "b", count: 64) + ".com", "a@1.2.3.4", "a@xn--bcher-kva.example", "a_b-c@d-e.fg",
        "a@b.c-d", "a@b.cd.", "a@b-.cd", "a@b.-cd",
    ]

    @Test("agrees with EmailAddress.isValid", arguments: samples)
    func validityAgreesWithTheCore(address: String) {
        #expect(AddressText.isValid(address) == EmailAddress.isValid(address))
    }

    @Test func agreesOnGeneratedAddresses() {
        var random = SimulationRandom(seed: 99)
        let alphabet = Array("ab.-_@+xY9 ")
        for _ in 0..<20_000 {
            let length = random.int(in: 1...14)
            let address = String((0..<length).map { _ in random.pick(alphabet) })
            #expect(AddressText.isValid(address) == EmailAddress.isValid(address), "\(address)")
        }
    }

    @Test func bareAndDomainMatchTheCore() {
        for text in ["Alice <Alice@Example.net>", "  bob@example.org ", "Carol <carol@x.io> <dave@y.io>", "no-at-sign", "a@b@C.com"] {
            #expect(AddressText.bare(text) == EmailAddress.bare(text))
            #expect(AddressText.domain(of: text) == EmailAddress.domain(of: text))
        }
    }
}
