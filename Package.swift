// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "email-audit",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "email-audit", targets: ["email-audit"]),
        .executable(name: "email-audit-bench", targets: ["email-audit-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/LebJe/TOMLKit", from: "0.6.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // Micro-benchmarks (`make bench`). Only the malloc interposer trait: no jemalloc, and not the
        // Swift 6.3 runtime interposer, whose package is not in the package mirror.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        // Property tests that shrink and print their seed on failure.
        .package(url: "https://github.com/x-sheep/swift-property-based", from: "2.0.1"),
        // The PostgreSQL backend (issue 13): the wire protocol, TLS through swift-nio-ssl.
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.0"),
    ],
    targets: [
        // Pure domain: statuses, derivation, filters, date ranges, advice, the reader protocol; the one JSON writer. Foundation only.
        .target(name: "AuditCore"),
        // Mailgun wire format: event JSON, webhook bodies, send responses. Foundation, swift-crypto and AuditCore's JSON writer.
        .target(name: "Mailgun", dependencies: ["AuditCore", .product(name: "Crypto", package: "swift-crypto")]),
        // In-process stand-in for Mailgun that emits real Mailgun event JSON.
        .target(name: "ProviderSimulator", dependencies: ["Mailgun", "AuditCore"]),
        // The only module that knows SQL.
        .target(name: "AuditStore", dependencies: ["AuditCore", "CStoreZlib", "CStoreZstd", .product(name: "GRDB", package: "GRDB.swift")]),
        // The PostgreSQL backend: its location (URL, pgpass), a blocking connection, its schema and
        // migrations. All PostgreSQL SQL lives here, as all SQLite SQL lives in AuditStore.
        // AuditStore for the stored forms both backends share (StoredEventCoding: compact raw events, keys).
        .target(name: "AuditStorePostgres", dependencies: [
            "AuditCore", "AuditStore",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // zlib, for the store's compact raw provider events.
        .systemLibrary(name: "CStoreZlib", path: "Sources/CStoreZlib", providers: [.apt(["zlib1g-dev"])]),
        // zstd, for the store's compact raw provider events (format 5). Declared in its own header and
        // linked by file name: Debian 12 has libzstd.so.1 everywhere but no zstd.h or libzstd.so (see include/StoreZstd.h).
        .target(name: "CStoreZstd", linkerSettings: [.linkedLibrary(":libzstd.so.1", .when(platforms: [.linux]))]),
        // What production runs: the ingest pipeline, batch feeder, suppression removal, simulator persistence.
        .target(name: "AuditEngine", dependencies: ["AuditStore", "ProviderSimulator", "Mailgun", "AuditCore"]),
        // The demo: agencies, seeding, live simulation, the demo's providers and its seeded random numbers.
        .target(name: "Demo", dependencies: ["AuditEngine", "AuditStore", "ProviderSimulator", "AuditCore"]),
        // `serve`: intake API, webhook receiver, Mailgun sending client, configuration, health.
        .target(name: "Server", dependencies: [
            "AuditEngine", "Mailgun", "AuditStore", "AuditCore", "ProviderSimulator",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "TOMLKit", package: "TOMLKit"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),
        // Streaming exports of filtered summaries (text table, CSV, JSON, Excel, PDF).
        .target(name: "Export", dependencies: ["AuditCore", "CExportZlib"]),
        // zlib, for the Export module's zip writer and PDF streams.
        .systemLibrary(name: "CExportZlib", path: "Sources/CExportZlib", providers: [.apt(["zlib1g-dev"])]),
        // ncurses, imported by one backend file only.
        .systemLibrary(name: "CNcurses", path: "Sources/CNcurses", providers: [.apt(["libncurses-dev"])]),
        // Screens as pure functions of state rendered into a cell buffer, plus the curses backend.
        .target(name: "TerminalUI", dependencies: ["AuditCore", "CNcurses", "CTerminalSignals"]),
        // The terminal's signal handlers and their state: one C definition for the whole process.
        .target(name: "CTerminalSignals"),
        .executableTarget(name: "email-audit", dependencies: [
            "AuditEngine", "AuditStore", "AuditStorePostgres", "AuditCore", "Demo", "TerminalUI", "Export", "Mailgun", "ProviderSimulator", "Server",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Writes one small store on SQLite and on PostgreSQL for the CLI and tmux tests of the
        // commands that read both (the CLI cannot write a PostgreSQL store yet).
        .executableTarget(name: "email-audit-test-fixture", dependencies: ["AuditCore", "AuditStore", "AuditStorePostgres"]),
        .executableTarget(name: "email-audit-bench", dependencies: [
            "AuditEngine", "AuditStore", "AuditStorePostgres", "AuditCore", "Demo", "TerminalUI", "Export", "Mailgun", "ProviderSimulator",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        // Micro-benchmarks run by `make bench` (`swift package benchmark`); built, not run, in CI.
        .executableTarget(name: "DecoderBenchmarks",
                          dependencies: ["Mailgun", "ProviderSimulator", .product(name: "Benchmark", package: "benchmark")],
                          path: "Benchmarks/DecoderBenchmarks",
                          plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
        .testTarget(name: "AuditCoreTests", dependencies: ["AuditCore", .product(name: "PropertyBased", package: "swift-property-based")]),
        .testTarget(name: "MailgunTests", dependencies: ["Mailgun", "AuditCore", "Demo"]),
        .testTarget(name: "ProviderSimulatorTests", dependencies: ["ProviderSimulator", "Mailgun", "AuditCore"]),
        // Location and pgpass tests need nothing; the schema and copy (migrate) tests need a server named by
        // EMAIL_AUDIT_TEST_POSTGRES_URL (scripts/pg_throwaway.sh; `make unit` and .ci/run start one).
        .testTarget(name: "AuditStorePostgresTests", dependencies: ["AuditStorePostgres", "AuditStore", "AuditCore", "Demo",
                                                                 .product(name: "GRDB", package: "GRDB.swift")]),
        // One contract suite (portfolio, recording, ingest, feeder queue; the batch feeder over the queue) run against both backends; the
        // PostgreSQL case needs EMAIL_AUDIT_TEST_POSTGRES_URL as AuditStorePostgresTests does.
        // `sync` (Server's EventsSync) against the HTTP simulator on loopback, on both backends.
        .testTarget(name: "StoreContractTests", dependencies: ["AuditStore", "AuditStorePostgres", "AuditCore", "AuditEngine", "Demo",
                                                             "ProviderSimulator", "Mailgun", "Server",
                                                             .product(name: "GRDB", package: "GRDB.swift"),
                                                             .product(name: "PostgresNIO", package: "postgres-nio"),
                                                             .product(name: "Hummingbird", package: "hummingbird"),
                                                             .product(name: "HummingbirdTesting", package: "hummingbird"),
                                                             .product(name: "AsyncHTTPClient", package: "async-http-client"),
                                                             .product(name: "Logging", package: "swift-log")]),
        .testTarget(name: "AuditStoreTests", dependencies: ["AuditStore", "AuditCore", "Demo", .product(name: "PropertyBased", package: "swift-property-based")]),
        // Fixtures and snapshots are read from the source tree (#filePath), not bundled.
        .testTarget(name: "AuditEngineTests", dependencies: ["AuditEngine", "AuditStore", "ProviderSimulator", "Mailgun", "AuditCore", "Demo"],
                    exclude: ["Fixtures"]),
        .testTarget(name: "DemoTests", dependencies: ["Demo", "AuditEngine", "AuditStore", "ProviderSimulator", "AuditCore",
                                                  .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(name: "ExportTests", dependencies: ["Export", "AuditCore", .product(name: "ZIPFoundation", package: "ZIPFoundation")]),
        .testTarget(name: "ServerTests", dependencies: [
            "Server", "AuditEngine", "AuditStore", "AuditCore", "Mailgun", "ProviderSimulator",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "TerminalUITests", dependencies: ["TerminalUI", "AuditCore"], exclude: ["Snapshots"]),
    ],
    swiftLanguageModes: [.v6]
)
