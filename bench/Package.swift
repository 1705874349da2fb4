// swift-tools-version: 6.0
// llmtrace's benchmark tools, kept out of the root package so `swift build` and CI never compile them.
// The scripts beside this file (run, soak, store, tui-cpu) build what they need:
//
//     swift build -c release --package-path bench
//
// and find the tools in bench/.build/release (llmtrace itself is the root package's .build/release/llmtrace).
import PackageDescription

let nio: [Target.Dependency] = [
    .product(name: "ArgumentParser", package: "swift-argument-parser"),
    .product(name: "NIOCore", package: "swift-nio"),
    .product(name: "NIOPosix", package: "swift-nio"),
    .product(name: "NIOHTTP1", package: "swift-nio"),
    .product(name: "NIOSSL", package: "swift-nio-ssl"),
]

let package = Package(
    name: "llmtrace-bench",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "llmtrace", path: ".."),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.36.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // A fake LLM upstream (JSON, SSE with monotonic timestamps, big bodies) on NIO.
        .executableTarget(name: "bench-upstream", dependencies: nio, path: "Sources/BenchUpstream"),
        // A keep-alive HTTP load generator that measures latency, TTFB and per-event delay.
        .executableTarget(name: "loadgen", dependencies: nio, path: "Sources/LoadGen"),
        // The capture pipeline and the SQLite store without HTTP.
        .executableTarget(
            name: "capture-bench",
            dependencies: [
                .product(name: "Server", package: "llmtrace"),
                .product(name: "LLMTraceModel", package: "llmtrace"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            path: "Sources/CaptureBench"
        ),
        // Stream decoders and extractors on recorded transcripts.
        .executableTarget(
            name: "decoder-bench",
            dependencies: [
                .product(name: "Analysis", package: "llmtrace"),
                .product(name: "Server", package: "llmtrace"),
                .product(name: "LLMTraceModel", package: "llmtrace"),
            ],
            path: "Sources/DecoderBench"
        ),
        // Fills a SQLite store with realistic records for bench/store.
        .executableTarget(
            name: "store-gen",
            dependencies: [
                .product(name: "Server", package: "llmtrace"),
                .product(name: "Analysis", package: "llmtrace"),
                .product(name: "LLMTraceModel", package: "llmtrace"),
            ],
            path: "Sources/StoreGen"
        ),
        // Key press to frame with 100k requests in the TUI's reducer and widgets.
        .executableTarget(
            name: "tui-bench",
            dependencies: [
                .product(name: "TUI", package: "llmtrace"),
                .product(name: "LLMTraceModel", package: "llmtrace"),
            ],
            path: "Sources/TUIBench"
        ),
    ],
    swiftLanguageModes: [.v6]
)
