/// `r`: the API key being typed for a replay. It lives in this state only (shown masked), goes with
/// the replay's request to the proxy, and is gone when the prompt closes: never stored, never shown.
public struct ReplayPrompt: Sendable, Equatable {
    /// The record to send again.
    public var recordID: String
    /// The environment variable an empty key falls back to (`OPENAI_API_KEY`, …).
    public var variable: String
    public var key = ""

    public init(recordID: String, variable: String) {
        self.recordID = recordID
        self.variable = variable
    }
}
