/// llmtrace's version, printed by `llmtrace --version` and served by `/api/health`.
public enum LLMTraceVersion {
    public static let current = "0.1.0"
}
