import Hummingbird
import NIOCore

/// `GET /metrics`: the Prometheus text exposition of ``ExchangeMetrics``, with the capture pipeline's
/// health and the event hub's subscribers read at each scrape.
public struct MetricsEndpoint: Sendable {
    public let metrics: ExchangeMetrics
    let pipeline: CapturePipeline
    let events: EventHub?
    /// Whether a client on loopback (or the unix socket) may scrape without the password or a token
    /// (`--metrics-public`).
    var publicOnLoopback: Bool

    /// The media type of the text exposition format.
    static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    init(metrics: ExchangeMetrics, pipeline: CapturePipeline, events: EventHub?, publicOnLoopback: Bool) {
        self.metrics = metrics
        self.pipeline = pipeline
        self.events = events
        self.publicOnLoopback = publicOnLoopback
    }

    /// The current exposition.
    func scrape() -> Response {
        let bytes = metrics.exposition(health: pipeline.health, subscriberCount: events?.subscriberCount ?? 0)
        return Response(
            status: .ok,
            headers: [.contentType: Self.contentType, .cacheControl: "no-store"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
        )
    }

    /// Adds `GET /metrics` to `router`, behind `guard` (the password or shared mode's bearer check) unless
    /// the scraper is on loopback and ``publicOnLoopback`` is set. In shared mode the metrics carry every
    /// team's environments, so only a system administrator's token reads them.
    func addRoute(to router: Router<AppRequestContext>, guard check: (any RouterMiddleware<AppRequestContext>)?, shared: Bool) {
        let group = router.group("metrics")
        group.add(middleware: MetricsAccessMiddleware(check: check, publicOnLoopback: publicOnLoopback, systemAdminOnly: shared))
        group.get { _, _ in scrape() }
    }
}
