// swift-tools-version: 6.0
// libFuzzer targets for llmtrace's Shared library. See README.md.
//
//     swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//
// (bench/fuzz does this and runs every target.)
import PackageDescription

let fuzzTargets = ["fuzz-sse", "fuzz-ndjson", "fuzz-jsonarray", "fuzz-route", "fuzz-filter", "fuzz-accumulator"]

let package = Package(
    name: "llmtrace-fuzz",
    platforms: [.macOS(.v14)],
    dependencies: [
        .package(name: "llmtrace", path: "..")
    ],
    targets: [
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"]),
    ]
        + fuzzTargets.map { name in
            .executableTarget(
                name: name,
                dependencies: ["FuzzSupport", .product(name: "Shared", package: "llmtrace")]
            )
        },
    swiftLanguageModes: [.v6]
)
