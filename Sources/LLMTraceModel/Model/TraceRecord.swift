import Foundation

/// A captured exchange with everything llmtrace kept: the summary fields plus headers (secrets redacted)
/// and bodies. Encodes flat, as docs/API.md's "Record".
public struct TraceRecord: Codable, Sendable, Equatable {
    public var summary: TraceSummary
    /// Request headers as sent upstream by the client, lower-cased names, secrets redacted.
    public var requestHeaders: [HeaderField]
    /// Response headers as the upstream sent them, secrets redacted.
    public var responseHeaders: [HeaderField]
    public var requestBody: CapturedBody?
    public var responseBody: CapturedBody?
    /// Every choice's text and finish reason, when the response had more than one (OpenAI's `n > 1`);
    /// `nil` (and absent from the JSON) otherwise. The summary's `text` and `finishReason` are choice 0's.
    public var choices: [Choice]?

    public init(
        summary: TraceSummary,
        requestHeaders: [HeaderField] = [],
        responseHeaders: [HeaderField] = [],
        requestBody: CapturedBody? = nil,
        responseBody: CapturedBody? = nil,
        choices: [Choice]? = nil
    ) {
        self.summary = summary
        self.requestHeaders = requestHeaders
        self.responseHeaders = responseHeaders
        self.requestBody = requestBody
        self.responseBody = responseBody
        self.choices = choices
    }

    public var id: String { summary.id }

    private enum CodingKeys: String, CodingKey {
        case requestHeaders, responseHeaders, requestBody, responseBody, choices
    }

    public init(from decoder: any Decoder) throws {
        summary = try TraceSummary(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        requestHeaders = try c.decode([HeaderField].self, forKey: .requestHeaders)
        responseHeaders = try c.decode([HeaderField].self, forKey: .responseHeaders)
        requestBody = try c.decodeIfPresent(CapturedBody.self, forKey: .requestBody)
        responseBody = try c.decodeIfPresent(CapturedBody.self, forKey: .responseBody)
        choices = try c.decodeIfPresent([Choice].self, forKey: .choices)
    }

    public func encode(to encoder: any Encoder) throws {
        try summary.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(requestHeaders, forKey: .requestHeaders)
        try c.encode(responseHeaders, forKey: .responseHeaders)
        try c.encode(requestBody, forKey: .requestBody)
        try c.encode(responseBody, forKey: .responseBody)
        try c.encodeIfPresent(choices, forKey: .choices)
    }
}

/// One HTTP header line. Kept as an ordered list so repeated headers survive.
public struct HeaderField: Codable, Sendable, Equatable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}
