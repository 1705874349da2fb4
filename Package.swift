// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "llmtrace",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "llmtrace", targets: ["llmtrace"]),
        .library(name: "LLMTraceModel", targets: ["LLMTraceModel"]),
        .library(name: "StreamDecoding", targets: ["StreamDecoding"]),
        .library(name: "Analysis", targets: ["Analysis"]),
        .library(name: "Server", targets: ["Server"]),
        .library(name: "Client", targets: ["Client"]),
        .library(name: "TUI", targets: ["TUI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.36.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird-auth", from: "2.5.0"),
        .package(url: "https://github.com/vapor/jwt-kit", from: "5.7.1"),
        .package(url: "https://github.com/apple/swift-crypto", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/apple/swift-certificates", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", from: "1.7.4"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        // OTLP over HTTP only: the OTLPGRPC trait would build gRPC and HTTP/2 (minutes of CI for a second wire).
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
    ],
    targets: [
        // Build-time embedding of data files (the price table, the web panel) so the installed binary
        // needs nothing beside it: the plugin runs the generator on each target that uses it.
        .executableTarget(name: "embed-resources", path: "Sources/EmbedResourcesTool"),
        .plugin(name: "EmbedResources", capability: .buildTool(), dependencies: ["embed-resources"]),
        // The wire model every client shares: records, usage, events, filters, statistics.
        .target(name: "LLMTraceModel"),
        // Incremental SSE, NDJSON and JSON-array decoders (the proxy's capture and the clients' event stream).
        .target(name: "StreamDecoding"),
        // Server-side analysis: provider detection and extraction, pricing, redaction, route parsing.
        // The price table (Resources/pricing.json) is embedded in the code by the EmbedResources plugin.
        .target(
            name: "Analysis",
            dependencies: ["LLMTraceModel", "StreamDecoding"],
            exclude: ["Resources"],
            plugins: ["EmbedResources"]
        ),
        .systemLibrary(name: "CNcursesw", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),
        // The MariaDB Connector/C client for the MySQL / MariaDB store (its calls block: they run on a thread pool).
        .systemLibrary(name: "CMariaDB", pkgConfig: "libmariadb", providers: [.apt(["libmariadb-dev"])]),
        .target(
            name: "Server",
            dependencies: [
                "LLMTraceModel", "StreamDecoding", "Analysis", "CMariaDB",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "HummingbirdBcrypt", package: "hummingbird-auth"),
                .product(name: "JWTKit", package: "jwt-kit"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            // The web panel's files (Web/) are embedded in the code by the EmbedResources plugin.
            exclude: ["Web"],
            plugins: ["EmbedResources"]
        ),
        .target(
            name: "Client",
            dependencies: [
                "LLMTraceModel", "StreamDecoding",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        .target(
            name: "TUI",
            dependencies: ["LLMTraceModel", "StreamDecoding", "Client", "CNcursesw"]
        ),
        .executableTarget(
            name: "llmtrace",
            dependencies: [
                "LLMTraceModel",
                "Analysis",
                "Server",
                "Client",
                "TUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "LLMTraceModelTests", dependencies: ["LLMTraceModel"]),
        .testTarget(name: "StreamDecodingTests", dependencies: ["StreamDecoding", "TestSupport"]),
        .testTarget(name: "AnalysisTests", dependencies: ["Analysis", "LLMTraceModel", "StreamDecoding", "TestSupport"]),
        .testTarget(
            name: "ServerTests",
            dependencies: [
                "Server", "LLMTraceModel", "Analysis",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        .testTarget(name: "ClientTests", dependencies: ["Client"]),
        .testTarget(name: "TUITests", dependencies: ["TUI", "LLMTraceModel", "Client"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "llmtrace",
                "Client",
                "Server",
                "LLMTraceModel",
                "StreamDecoding",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
