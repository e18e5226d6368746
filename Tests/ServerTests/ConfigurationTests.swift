import Foundation
@testable import Server
import Testing

@Suite struct ConfigurationTests {
    @Test func theFileSetsEverySection() throws {
        let settings = try ServerConfiguration.parse("""
            [server]
            listen = "0.0.0.0:9000"
            db = "/srv/audit.sqlite"
            [webhooks]
            signing_key_file = "/etc/email-audit/signing-key"
            timestamp_window_seconds = 600
            [intake]
            tokens_file = "/etc/email-audit/tokens"
            [provider]
            kind = "mailgun"
            domain = "mg.example.com"
            api_base_url = "https://api.eu.mailgun.net"
            api_key_file = "/etc/email-audit/api-key"
            hand_over_interval_seconds = 60
            """, path: "config.toml")
        #expect(settings.host == "0.0.0.0" && settings.port == 9000)
        #expect(settings.databasePath == "/srv/audit.sqlite")
        #expect(settings.signingKeyFile == "/etc/email-audit/signing-key")
        #expect(settings.timestampWindow == 600)
        #expect(settings.intakeTokensFile == "/etc/email-audit/tokens")
        #expect(settings.provider == .mailgun)
        #expect(settings.domain == "mg.example.com")
        #expect(settings.apiBaseURL == "https://api.eu.mailgun.net")
        #expect(settings.handOverInterval == 60)
    }

    @Test func mistakesNameTheFileAndTheKey() {
        #expect(throws: ConfigurationError(path: "c.toml", problem: "unknown setting server.lisen")) {
            try ServerConfiguration.parse("[server]\nlisen = \"x\"", path: "c.toml")
        }
        #expect(throws: ConfigurationError(path: "c.toml", problem: "webhooks.timestamp_window_seconds must be a positive whole number")) {
            try ServerConfiguration.parse("[webhooks]\ntimestamp_window_seconds = -5", path: "c.toml")
        }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration.parse("[server\n", path: "c.toml") }
        #expect(throws: ConfigurationError.self) { try ServerConfiguration.listenAddress("localhost") }
    }

    @Test func retentionMonthsDefaultsToKeepingEverything() throws {
        #expect(try ServerConfiguration.parse("", path: "c.toml").retentionMonths == nil)
        #expect(try ServerConfiguration.parse("[server]\nretention_months = 24", path: "c.toml").retentionMonths == 24)
        #expect(try ServerConfiguration.parse("[server]\nretention_months = 0", path: "c.toml").retentionMonths == 0)
        for bad in ["-3", "\"abc\"", "1.5", "1201"] {
            #expect(throws: ConfigurationError(path: "c.toml", problem:
                "server.retention_months must be a whole number of months from 0 (keep everything) to 1200")) {
                try ServerConfiguration.parse("[server]\nretention_months = \(bad)", path: "c.toml")
            }
        }
    }

    @Test func theFileIsFoundUnderXDGConfigHome() {
        #expect(ServerConfiguration.defaultFilePath(environment: ["XDG_CONFIG_HOME": "/x"]) == "/x/email-audit/config.toml")
        #expect(ServerConfiguration.defaultFilePath(environment: ["HOME": "/home/a"]) == "/home/a/.config/email-audit/config.toml")
    }

    @Test func secretsAreReadFromFilesAndNeverEchoed() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try "# comment\n1 token-for-account-one-0001\n\n2 token-for-account-two-0002\n".write(toFile: path, atomically: true, encoding: .utf8)
        let tokens = try IntakeTokens.load(path)
        #expect(tokens.account(forToken: "token-for-account-two-0002") == 2)
        #expect(tokens.account(forToken: "token-for-account-two-0003") == nil)
        try "1 short\n".write(toFile: path, atomically: true, encoding: .utf8)
        do {
            _ = try IntakeTokens.load(path)
            Issue.record("a short token was accepted")
        } catch {
            #expect(!error.description.contains("short"))
        }
    }
}
