import Hummingbird
import LLMTraceModel

// The record model's answers are returned by API handlers as they are and encoded by the request
// context's encoder (``AppRequestContext``).

extension Page: ResponseEncodable {}
extension TraceRecord: ResponseEncodable {}
extension Stats: ResponseEncodable {}
extension Timeseries: ResponseEncodable {}
extension SessionList: ResponseEncodable {}
extension SessionDetail: ResponseEncodable {}
extension TurnDiff: ResponseEncodable {}
extension Report: ResponseEncodable {}
