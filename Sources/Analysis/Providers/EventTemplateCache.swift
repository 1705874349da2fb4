import LLMTraceModel

/// A few ``EventTemplate``s learned from one response's hot events, most recently used first.
struct EventTemplateCache: Sendable {
    /// How many templates are kept; a stream has only a handful of hot event shapes.
    static let capacity = 4

    private var templates: [EventTemplate] = []

    /// Applies the event through a matching template; `false` (state untouched) when none matches.
    mutating func apply(_ bytes: UnsafeBufferPointer<UInt8>, to state: inout ExtractionState) -> Bool {
        for i in templates.indices where templates[i].apply(bytes, to: &state) {
            if i > 0 { templates.swapAt(i, 0) }
            return true
        }
        return false
    }

    /// Learns a template from an event that was just parsed and applied, when its extractor called it hot.
    mutating func learn(_ bytes: UnsafeBufferPointer<UInt8>, shape: EventTemplate.Shape) {
        guard let template = EventTemplate(bytes, shape: shape) else { return }
        if templates.count == Self.capacity { templates.removeLast() }
        templates.insert(template, at: 0)
    }
}
