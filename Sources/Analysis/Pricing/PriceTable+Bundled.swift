import Foundation

// MARK: - The bundled price list

extension PriceTable {

    /// The prices bundled with llmtrace (`Resources/pricing.json`), loaded on first use.
    ///
    /// Never crashes: when the resource cannot be found or read, this is an empty table whose
    /// ``loadError`` says what was searched.
    public static let bundled: PriceTable = loadBundled()

    static let resourceBundleNames = [
        "llmtrace_Analysis.resources", "llmtrace_Analysis.bundle/Contents/Resources", "llmtrace_Analysis.bundle",
    ]
    static let resourceFileName = "pricing.json"

    /// Locates and loads the bundled resource without SwiftPM's `Bundle.module` (which calls
    /// `fatalError` on Linux when the bundle is missing).
    static func loadBundled() -> PriceTable {
        var searched: [String] = []
        for directory in ResourceLocator.searchDirectories() {
            for bundleName in resourceBundleNames {
                let file = directory.appendingPathComponent(bundleName)
                    .appendingPathComponent(resourceFileName)
                guard !searched.contains(file.path) else { continue }
                searched.append(file.path)
                guard FileManager.default.isReadableFile(atPath: file.path) else { continue }
                do {
                    var table = try PriceTable(jsonData: try Data(contentsOf: file), file: file.path)
                    table.loadError = nil
                    return table
                } catch {
                    return PriceTable(
                        models: [:],
                        loadError: "bundled pricing \(file.path) is unusable: \(error); "
                            + "regenerate it with scripts/update-pricing"
                    )
                }
            }
        }
        return PriceTable(
            models: [:],
            loadError: "bundled pricing not found (\(resourceBundleNames[0])/\(resourceFileName) must sit "
                + "next to the llmtrace executable); searched: \(searched.joined(separator: ", "))"
        )
    }
}
