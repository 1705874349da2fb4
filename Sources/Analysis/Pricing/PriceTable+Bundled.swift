import Foundation

// MARK: - The bundled price list

extension PriceTable {

    /// The prices bundled with llmtrace (`Sources/Analysis/Resources/pricing.json`, embedded in the
    /// binary at build time by the EmbedResources plugin), decoded on first use.
    ///
    /// Never crashes: when the embedded table cannot be decoded, this is an empty table whose
    /// ``loadError`` says why.
    public static let bundled: PriceTable = loadBundled()

    /// The embedded file's name (under `Resources/`).
    static let resourceFileName = "pricing.json"

    /// Decodes the embedded price table.
    static func loadBundled() -> PriceTable {
        guard let file = EmbeddedFiles.all[resourceFileName] else {
            return PriceTable(models: [:], loadError: "no \(resourceFileName) was embedded in this build of llmtrace")
        }
        do {
            var table = try PriceTable(jsonData: Data(file.contents.utf8), file: "(built in) \(resourceFileName)")
            table.loadError = nil
            return table
        } catch {
            return PriceTable(
                models: [:],
                loadError: "the built-in \(resourceFileName) is unusable: \(error); regenerate it with scripts/update-pricing"
            )
        }
    }
}
