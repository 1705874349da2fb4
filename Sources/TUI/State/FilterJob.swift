import Foundation
import LLMTraceModel

/// A filter being applied to the summaries held, newest first, a step at a time.
struct FilterJob: Sendable {
    var expression: FilterExpression
    /// The last id checked (everything newer has been); `nil` before the first step.
    var lastScanned: String?
    var scanned = 0
    var total: Int
}
