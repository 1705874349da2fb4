import LLMTraceModel

/// Assembles tool calls from streamed fragments, keyed by the provider's own handle for a call
/// (OpenAI's `index`, Anthropic's content-block index, a Responses API output index). Calls keep the order
/// in which they first appeared, however their fragments interleave.
struct ToolCallAssembler: Sendable {
    private struct Partial: Sendable {
        var id: String?
        var name: String
        var arguments: String
        /// Arguments to use when no fragment arrived (for example Anthropic's `input` on `content_block_start`).
        var fallbackArguments: String?
        var type: String?
        var output: String?
    }

    private var calls: [Partial] = []
    private var positions: [String: Int] = [:]
    private var anonymous = 0
    /// Results of built-in tools that arrived apart from their call (Anthropic `*_tool_result` blocks), by call id.
    private var outputsByID: [String: String] = [:]

    /// Whether no call was seen.
    var isEmpty: Bool { calls.isEmpty }

    /// Updates (or starts) the call under `key`: sets the id, name and type when given and not yet known,
    /// and appends an argument fragment.
    mutating func update(
        key: String,
        id: String? = nil,
        name: String? = nil,
        type: String? = nil,
        appendArguments: String? = nil
    ) {
        let i = position(for: key)
        if calls[i].id == nil, let id, !id.isEmpty { calls[i].id = id }
        if calls[i].name.isEmpty, let name { calls[i].name = name }
        if calls[i].type == nil, let type, !type.isEmpty { calls[i].type = type }
        if let appendArguments { calls[i].arguments += appendArguments }
    }

    /// Sets what is known for sure about the call under `key` (a "done" event or a whole call), replacing fragments.
    mutating func set(
        key: String,
        id: String? = nil,
        name: String? = nil,
        arguments: String? = nil,
        type: String? = nil,
        output: String? = nil
    ) {
        let i = position(for: key)
        if let id, !id.isEmpty { calls[i].id = id }
        if let name, !name.isEmpty { calls[i].name = name }
        if let arguments { calls[i].arguments = arguments }
        if let type, !type.isEmpty { calls[i].type = type }
        if let output { calls[i].output = output }
    }

    /// Sets the arguments to use for the call under `key` if no fragment ever arrives.
    mutating func setFallbackArguments(key: String, _ arguments: String) {
        let i = position(for: key)
        calls[i].fallbackArguments = arguments
    }

    /// Appends a whole call that has no key of its own (Gemini, Ollama, non-streamed bodies).
    mutating func append(id: String?, name: String, arguments: String, type: String? = nil, output: String? = nil) {
        anonymous += 1
        set(key: "#\(anonymous)", id: id, name: name, arguments: arguments, type: type, output: output)
    }

    /// Records the result of the call whose id is `id` (it may arrive before or after the call itself).
    mutating func setOutput(_ output: String, forID id: String) {
        outputsByID[id] = output
    }

    /// The assembled calls in order of first appearance.
    var toolCalls: [ToolCall] {
        calls.map { call in
            let arguments = call.arguments.isEmpty ? (call.fallbackArguments ?? "") : call.arguments
            let output = call.output ?? call.id.flatMap { outputsByID[$0] }
            return ToolCall(id: call.id, name: call.name, arguments: arguments, type: call.type, output: output)
        }
    }

    private mutating func position(for key: String) -> Int {
        if let i = positions[key] { return i }
        calls.append(Partial(id: nil, name: "", arguments: ""))
        positions[key] = calls.count - 1
        return calls.count - 1
    }
}
