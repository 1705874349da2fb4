import Analysis
import CoreMetrics
import Foundation
import LLMTraceModel
import Logging
import OTel
import ServiceLifecycle
import Synchronization
import Tracing

/// Exports every finished exchange to an OpenTelemetry collector over OTLP/HTTP (`--otlp-endpoint`): a
/// client span per exchange following the GenAI semantic conventions, started and ended at the exchange's
/// real times and joined to the caller's trace when the request carried a W3C `traceparent`; and the
/// `gen_ai.client.token.usage` and `gen_ai.client.operation.duration` histograms.
///
/// The forwarding path only hands the record over (``exchangeFinished(_:timing:)`` puts it in a bounded buffer);
/// spans and metrics are made on the exporter's own task, and swift-otel batches them out.
public final class OTLPExporter: ExchangeObserver, Service, Sendable {
    /// Records waiting to be exported; past this, further ones are not exported (and counted).
    static let bufferSize = 10_000

    /// What holds swift-otel's exporters: taken by ``run()`` and let go on ``OffLoopExecutor`` (see there why).
    private struct Parts: Sendable {
        var tracer: any Tracer
        var backends: ServiceGroup
    }

    private let parts: Mutex<Parts?>
    private let factory: any MetricsFactory
    private let content: Bool
    private let prices: PriceTable
    private let logger: Logger
    private let records: AsyncStream<TraceRecord>
    private let continuation: AsyncStream<TraceRecord>.Continuation
    private let dropped = Atomic<Int>(0)

    /// - Parameters:
    ///   - endpoint: the collector's OTLP/HTTP base URL (`http://127.0.0.1:4318`): spans go to
    ///     `/v1/traces` under it, metrics to `/v1/metrics`. The standard `OTEL_*` variables
    ///     (`OTEL_EXPORTER_OTLP_HEADERS`, `OTEL_BSP_SCHEDULE_DELAY`, `OTEL_METRIC_EXPORT_INTERVAL`, …) apply on top.
    ///   - content: whether spans carry the prompts and answers.
    ///   - prices: which models are known (others are folded into `other` in the metrics' attributes).
    public init(endpoint: String, content: Bool, prices: PriceTable, logger: Logger) throws(ConfigurationError) {
        let base = endpoint.hasSuffix("/") ? String(endpoint.dropLast()) : endpoint
        var configuration = OTel.Configuration.default
        configuration.serviceName = "llmtrace"
        configuration.resourceAttributes["service.version"] = LLMTraceVersion.current
        configuration.diagnosticLogger = .custom(logger)
        configuration.propagators = [.traceContext]
        configuration.logs.enabled = false
        configuration.traces.otlpExporter.endpoint = base + "/v1/traces"
        configuration.traces.otlpExporter.protocol = .httpProtobuf
        configuration.metrics.otlpExporter.endpoint = base + "/v1/metrics"
        configuration.metrics.otlpExporter.protocol = .httpProtobuf
        // A collector that is down must not hold the server's shutdown past its grace period (10 s by default).
        configuration.traces.otlpExporter.timeout = .seconds(3)
        configuration.traces.batchSpanProcessor.exportTimeout = .seconds(3)
        configuration.metrics.otlpExporter.timeout = .seconds(3)
        configuration.metrics.exportTimeout = .seconds(3)
        configuration.metrics.valueHistogramBuckets = [
            GenAIMetrics.tokenUsage: GenAIMetrics.tokenBuckets,
            GenAIMetrics.operationDuration: GenAIMetrics.durationBuckets,
        ]
        do {
            let tracing = try OTel.makeTracingBackend(configuration: configuration)
            let metrics = try OTel.makeMetricsBackend(configuration: configuration)
            factory = metrics.factory
            let backends = ServiceGroup(
                configuration: .init(
                    services: [
                        .init(service: tracing.service, successTerminationBehavior: .gracefullyShutdownGroup),
                        .init(service: metrics.service, successTerminationBehavior: .gracefullyShutdownGroup),
                    ],
                    logger: logger
                )
            )
            parts = Mutex(Parts(tracer: tracing.factory, backends: backends))
        } catch {
            throw ConfigurationError(
                "the OpenTelemetry export cannot start: \(error); llmtrace exports over OTLP/HTTP (protobuf) only, so unset OTEL_EXPORTER_OTLP_PROTOCOL=grpc and give the collector's HTTP port (4318)"
            )
        }
        self.content = content
        self.prices = prices
        self.logger = logger
        (records, continuation) = AsyncStream.makeStream(of: TraceRecord.self, bufferingPolicy: .bufferingOldest(Self.bufferSize))
    }

    public func exchangeFinished(_ record: TraceRecord, timing: ExchangeTiming) {
        if case .dropped = continuation.yield(record) { dropped.add(1, ordering: .relaxed) }
    }

    /// Exchanges not exported because the buffer was full (the collector is slower than the traffic).
    public var droppedCount: Int { dropped.load(ordering: .relaxed) }

    deinit {
        // Never run (the server did not start): the exporters still go off the event loops.
        if let parts = parts.withLock({ $0.take() }) { OffLoopExecutor.shared.release(parts) }
    }

    /// Exports records as they come until shutdown, then what is still buffered, and only then lets the
    /// OTLP backends flush and stop. The export runs in a task of its own on ``OffLoopExecutor``, apart
    /// from the server's shutdown (which only ends the buffer), and lets go of the exporters there.
    public func run() async throws {
        let exporting = Task.detached(executorPreference: OffLoopExecutor.shared) {
            guard let parts = self.parts.withLock({ $0.take() }) else { return }
            try await self.export(with: parts)
        }
        try await withTaskCancellationHandler {
            try await withGracefulShutdownHandler {
                try await exporting.value
            } onGracefulShutdown: {
                self.continuation.finish()
            }
        } onCancel: {
            self.continuation.finish()
            exporting.cancel()
        }
        let lost = droppedCount
        if lost > 0 { logger.warning("otlp: \(lost) exchange(s) were not exported: the collector was slower than the traffic") }
    }

    private func export(with parts: Parts) async throws {
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await parts.backends.run() }
            var metrics = GenAIMetrics(factory: factory, prices: prices)
            for await record in records { export(record, tracer: parts.tracer, metrics: &metrics) }
            await parts.backends.triggerGracefulShutdown()
        }
    }

    /// The span and the metrics of one exchange.
    func export(_ record: TraceRecord, tracer: any Tracer, metrics: inout GenAIMetrics) {
        let genAI = GenAIExchange(record)
        let s = record.summary
        var parent = InstrumentationContext.topLevel
        tracer.extract(record.requestHeaders, into: &parent, using: HeaderFieldExtractor())
        let start = Self.instant(s.startedAt)
        let span = tracer.startSpan(genAI.spanName, context: parent, ofKind: .client, at: start)
        span.updateAttributes { attributes in
            attributes["gen_ai.operation.name"] = genAI.operationName
            attributes["gen_ai.provider.name"] = genAI.providerName
            if let model = genAI.requestModel { attributes["gen_ai.request.model"] = model }
            if let model = genAI.responseModel { attributes["gen_ai.response.model"] = model }
            if let n = genAI.inputTokens { attributes["gen_ai.usage.input_tokens"] = n }
            if let n = genAI.outputTokens { attributes["gen_ai.usage.output_tokens"] = n }
            if let n = s.usage.cachedInputTokens { attributes["gen_ai.usage.cache_read.input_tokens"] = n }
            if !genAI.finishReasons.isEmpty { attributes["gen_ai.response.finish_reasons"] = genAI.finishReasons }
            attributes["server.address"] = genAI.serverAddress
            if let port = genAI.serverPort { attributes["server.port"] = port }
            if let status = s.status { attributes["http.response.status_code"] = status }
            if let type = genAI.errorType { attributes["error.type"] = type }
            attributes["llmtrace.id"] = s.id
            attributes["llmtrace.env"] = s.env
            attributes["llmtrace.stream"] = s.stream
            if let ms = s.ttftMs { attributes["llmtrace.ttft_ms"] = ms }
            if let cost = s.estimatedCost { attributes["llmtrace.cost_usd"] = cost }
            if content {
                if let input = GenAIContent.inputMessages(record.requestBody) { attributes["gen_ai.input.messages"] = input }
                if let output = GenAIContent.outputMessages(record) { attributes["gen_ai.output.messages"] = output }
            }
        }
        if let error = s.error {
            span.setStatus(SpanStatus(code: .error, message: error.message))
        } else if genAI.errorType != nil {
            span.setStatus(SpanStatus(code: .error))
        }
        let end = Self.instant(s.startedAt.addingTimeInterval((s.durationMs ?? 0) / 1000))
        span.end(at: end)
        metrics.record(genAI, summary: s)
    }

    /// A tracer instant at `date`.
    static func instant(_ date: Date) -> DefaultTracerClock.Timestamp {
        DefaultTracerClock.Timestamp(nanosecondsSinceEpoch: UInt64(max(0, date.timeIntervalSince1970 * 1e9)))
    }
}
