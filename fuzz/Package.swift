// swift-tools-version: 6.0
// libFuzzer targets for llmtrace's decoders, route parser, filter language and accumulator. See README.md.
//
//     swift build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//
// (bench/fuzz does this and runs every target.)
import PackageDescription

/// Each target and the llmtrace libraries it fuzzes (and links: nothing else).
let fuzzTargets: [(name: String, libraries: [String])] = [
    ("fuzz-sse", ["StreamDecoding"]),
    ("fuzz-ndjson", ["StreamDecoding"]),
    ("fuzz-jsonarray", ["StreamDecoding"]),
    ("fuzz-route", ["Analysis"]),
    ("fuzz-filter", ["LLMTraceModel"]),
    ("fuzz-accumulator", ["Analysis", "LLMTraceModel"]),
]

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
        + fuzzTargets.map { target in
            .executableTarget(
                name: target.name,
                dependencies: ["FuzzSupport"] + target.libraries.map { .product(name: $0, package: "llmtrace") }
            )
        },
    swiftLanguageModes: [.v6]
)
