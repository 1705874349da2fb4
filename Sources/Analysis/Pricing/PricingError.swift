import Foundation

/// A pricing file or pricing data that could not be used, with a message that says what to fix.
public struct PricingError: Error, Sendable, Equatable, CustomStringConvertible, LocalizedError {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The file could not be read.
        case unreadableFile
        /// The data is not JSON.
        case invalidJSON
        /// The JSON is not an object of the expected shape.
        case invalidFormat
        /// One model's entry is wrong (missing price, unknown field, wrong type, negative price…).
        case invalidModel
    }

    /// What went wrong.
    public var kind: Kind
    /// The file the data came from, when it came from a file.
    public var file: String?
    /// The model whose entry is wrong, for `.invalidModel`.
    public var model: String?
    /// What exactly is wrong.
    public var detail: String

    /// Creates an error.
    public init(kind: Kind, file: String? = nil, model: String? = nil, detail: String) {
        self.kind = kind
        self.file = file
        self.model = model
        self.detail = detail
    }

    /// A one-paragraph, actionable message.
    public var description: String {
        var text = file.map { "pricing file \($0): " } ?? "pricing data: "
        if let model { text += "model \"\(model)\": " }
        text += detail
        if kind != .unreadableFile { text += ". " + Self.formatHint }
        return text
    }

    /// Same as `description`.
    public var errorDescription: String? { description }

    static let formatHint = """
        Expected a JSON object of models with prices per token, e.g. \
        {"my-model": {"input": 0.000003, "output": 0.000015, "cacheRead": 0.0000003}}, or per million \
        tokens, e.g. {"my-model": {"inputPerMillion": 3, "outputPerMillion": 15}}, or the \
        {"models": {...}} shape of the bundled pricing.json (see docs/PRICING.md)
        """
}

/// Per-token model prices, with model-name resolution and cost computation.
///
/// The bundled table (``bundled``) is generated from LiteLLM's `model_prices_and_context_window.json`
/// (MIT) by `scripts/update-pricing`. Users can add or replace prices with an override file
/// (``load(overridesFrom:)``) merged over the bundled table (``merging(_:)``).
