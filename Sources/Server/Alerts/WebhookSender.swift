import AsyncHTTPClient
import Foundation
import LLMTraceModel
import Logging
import NIOCore
import NIOHTTP1

/// POSTs budget alerts to their rules' webhooks as JSON, trying again on failure (a connection error, a
/// timeout or a 5xx/429 answer) after 1, 4 and 16 s, and logging the outcome. The body is the
/// ``BudgetAlert``, as the live stream's `alert` event carries it.
struct WebhookSender: Sendable {
    let client: HTTPClient
    let logger: Logger
    /// The pauses before each retry.
    var backoff: [Duration] = [.seconds(1), .seconds(4), .seconds(16)]
    var timeout: Duration = .seconds(10)

    /// Sends `alert` to `url`, in the background.
    func send(_ alert: BudgetAlert, to url: String) {
        Task { _ = await deliver(alert, to: url) }
    }

    /// Sends `alert` to `url` with retries; whether it was accepted (a 2xx answer).
    func deliver(_ alert: BudgetAlert, to url: String) async -> Bool {
        let body: Data
        do {
            body = try JSONCoding.makeEncoder().encode(alert)
        } catch {
            logger.error("budget alert webhook: cannot encode the alert: \(error)")
            return false
        }
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.headers.add(name: "user-agent", value: "llmtrace/\(LLMTraceVersion.current)")
        request.body = .bytes(ByteBuffer(data: body))
        let target = Self.redacted(url)
        for attempt in 0...backoff.count {
            if attempt > 0 { try? await Task.sleep(for: backoff[attempt - 1]) }
            let problem: String
            do {
                let response = try await client.execute(request, timeout: .seconds(timeout.components.seconds))
                _ = try? await response.body.collect(upTo: 64 * 1024)
                let code = Int(response.status.code)
                if (200..<300).contains(code) {
                    logger.info("budget alert sent to \(target) (\(code))")
                    return true
                }
                problem = "answered \(code)"
                if code < 500 && code != 429 {
                    logger.error("budget alert webhook \(target) \(problem); not trying again")
                    return false
                }
            } catch {
                problem = "\(error)"
            }
            let next = attempt < backoff.count ? "; trying again in \(backoff[attempt])" : "; giving up"
            logger.warning("budget alert webhook \(target) failed (attempt \(attempt + 1)): \(problem)\(next)")
        }
        return false
    }

    /// The URL without user info or query (which may hold a secret), for logs.
    static func redacted(_ url: String) -> String {
        guard var parts = URLComponents(string: url) else { return "(invalid URL)" }
        parts.user = nil
        parts.password = nil
        let hadQuery = parts.query != nil
        parts.query = nil
        return (parts.string ?? "(invalid URL)") + (hadQuery ? "?…" : "")
    }
}
