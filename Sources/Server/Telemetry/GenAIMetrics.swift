import Analysis
import CoreMetrics
import LLMTraceModel

/// The GenAI client metrics of the conventions, recorded through swift-metrics into swift-otel's OTLP
/// factory: `gen_ai.client.token.usage` (by `gen_ai.token.type`) and `gen_ai.client.operation.duration`.
/// Models are folded as on `/metrics` (``MetricLabelFolder``), and upstream addresses past
/// ``maxServers`` are `other`, so attribute sets stay few. Used from the exporter's one task.
struct GenAIMetrics {
    static let tokenUsage = "gen_ai.client.token.usage"
    static let operationDuration = "gen_ai.client.operation.duration"
    /// The buckets the conventions advise.
    static let tokenBuckets: [Double] = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1_048_576, 4_194_304, 16_777_216, 67_108_864]
    static let durationBuckets: [Double] = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92]
    static let maxServers = 100

    /// The instruments of one attribute set.
    struct Instruments {
        var input: Recorder
        var output: Recorder
        var duration: Recorder
    }

    struct Key: Hashable {
        var operation: String
        var provider: String
        var requestModel: String
        var responseModel: String?
        var server: String
        var errorType: String?
    }

    let factory: any MetricsFactory
    private var folder: MetricLabelFolder
    private var servers: Set<String> = []
    private var instruments: [Key: Instruments] = [:]

    init(factory: any MetricsFactory, prices: PriceTable) {
        self.factory = factory
        folder = MetricLabelFolder(prices: prices)
    }

    mutating func record(_ genAI: GenAIExchange, summary: TraceSummary) {
        let instruments = self.instruments(for: genAI, provider: summary.provider)
        if let n = genAI.inputTokens { instruments.input.record(n) }
        if let n = genAI.outputTokens { instruments.output.record(n) }
        if let ms = summary.durationMs { instruments.duration.record(ms / 1000) }
    }

    private mutating func instruments(for genAI: GenAIExchange, provider: String?) -> Instruments {
        var server = genAI.serverAddress
        if !servers.contains(server) {
            if servers.count < Self.maxServers { servers.insert(server) } else { server = MetricLabelFolder.other }
        }
        let key = Key(
            operation: genAI.operationName,
            provider: genAI.providerName,
            requestModel: folder.fold(model: genAI.requestModel, provider: provider),
            responseModel: genAI.responseModel.map { folder.fold(model: $0, provider: provider) },
            server: server,
            errorType: genAI.errorType
        )
        if let known = instruments[key] { return known }
        var attributes = [
            ("gen_ai.operation.name", key.operation), ("gen_ai.provider.name", key.provider), ("gen_ai.request.model", key.requestModel),
            ("server.address", key.server),
        ]
        if let model = key.responseModel { attributes.append(("gen_ai.response.model", model)) }
        let made = Instruments(
            input: Recorder(
                label: Self.tokenUsage,
                dimensions: attributes + [("gen_ai.token.type", "input"), ("unit", "{token}")],
                aggregate: true,
                factory: factory
            ),
            output: Recorder(
                label: Self.tokenUsage,
                dimensions: attributes + [("gen_ai.token.type", "output"), ("unit", "{token}")],
                aggregate: true,
                factory: factory
            ),
            duration: Recorder(
                label: Self.operationDuration,
                dimensions: attributes + (key.errorType.map { [("error.type", $0)] } ?? []) + [("unit", "s")],
                aggregate: true,
                factory: factory
            )
        )
        instruments[key] = made
        return made
    }
}
