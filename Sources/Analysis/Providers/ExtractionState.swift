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
    /// Text and finish reason of every choice but the first (OpenAI's `n > 1`), by index. Choice 0 is
    /// `text` and `finishReason`; these never reach `newText`, so live deltas stay choice 0's.
    var otherChoices: [Int: ChoiceParts] = [:]

    /// What is known of one choice other than choice 0.
    struct ChoiceParts: Sendable, Equatable {
        var text = ""
        var finishReason: String?
    }

    mutating func appendText(_ s: String) {
        guard !s.isEmpty else { return }
        text += s
        newText += s
    }

    /// Appends visible text of choice `index` (choice 0's goes to `text`, as ``appendText(_:)``).
    mutating func appendText(_ s: String, choice index: Int) {
        if index == 0 {
            appendText(s)
        } else {
            otherChoices[index, default: ChoiceParts()].text += s
        }
    }

    /// Sets the finish reason of choice `index` (choice 0's is `finishReason`).
    mutating func setFinishReason(_ reason: String, choice index: Int) {
        if index == 0 {
            finishReason = reason
        } else {
            otherChoices[index, default: ChoiceParts()].finishReason = reason
        }
    }

    /// Every choice's text and finish reason when more than one choice appeared, else `nil`.
    var choices: [Choice]? {
        guard !otherChoices.isEmpty else { return nil }
        let first = Choice(index: 0, text: text.isEmpty ? nil : text, finishReason: finishReason)
        let others = otherChoices.keys.sorted().compactMap { index in
            otherChoices[index].map { Choice(index: index, text: $0.text.isEmpty ? nil : $0.text, finishReason: $0.finishReason) }
        }
        return [first] + others
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
