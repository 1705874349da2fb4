import Foundation
import LLMTraceModel

/// Detail lines built for one (record, tab, width, revision).
struct DetailCache: Sendable {
    var id: String
    var tab: DetailTab
    var width: Int
    var revision: Int
    var lines: [StyledLine]
}
