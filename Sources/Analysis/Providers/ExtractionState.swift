import LLMTraceModel
/// What the provider extractors have understood of a response so far. Extractors only add to it,
/// event by event (or once for a whole body), so the result never depends on how the bytes were cut.
struct ExtractionState: Sendable {
    /// The model the response reported.
    var model: String?
    var usage = Usage.unknown
    /// Visible assistant text so far.
    var text = ""
    /// Text produced since the last ``takeNewText()``.
    private(set) var newText = ""
    /// Reasoning / thinking text, kept apart from `text`.
    var thinking = ""
    var tools = ToolCallAssembler()
    var finishReason: String?
    var error: TraceError?
    /// Whether the protocol's end marker (or the whole body) was seen.
    var complete = false
    /// Anthropic reports usage in parts over several events.
    var anthropicUsage = AnthropicExtractor.UsageParts()

    mutating func appendText(_ s: String) {
        guard !s.isEmpty else { return }
        text += s
        newText += s
    }

    mutating func appendThinking(_ s: String) {
        thinking += s
    }

    /// Returns the text produced since the previous call and forgets it.
    mutating func takeNewText() -> String {
        guard !newText.isEmpty else { return "" }
        defer { newText = "" }
        return newText
    }

    /// Sets the reported model when the value is a non-empty string.
    mutating func noteModel(_ value: Any?) {
        if let m = JSONAccess.nonEmptyString(value) { model = m }
    }
}
