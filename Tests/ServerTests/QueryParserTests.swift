import Foundation
import Hummingbird
import LLMTraceModel
import Testing

@testable import Server

@Suite struct QueryParserTests {
    private func parser(_ target: String) -> QueryParser {
        let head = HTTPRequest(method: .get, scheme: "http", authority: "localhost", path: target)
        return QueryParser(Request(head: head, body: RequestBody(buffer: ByteBuffer())), now: Date(timeIntervalSince1970: 1_800_000_000))
    }

    @Test func plusIsASpaceAndPercentTwoBIsAPlus() {
        #expect(QueryParser.value(of: "q", inQuery: "q=rate+limit") == "rate limit")
        #expect(QueryParser.value(of: "q", inQuery: "q=rate%20limit") == "rate limit")
        #expect(QueryParser.value(of: "q", inQuery: "q=a%2Bb") == "a+b")
        #expect(QueryParser.value(of: "q", inQuery: "limit=5&q=c%2B%2B+templates&q=second") == "c++ templates")
        #expect(QueryParser.value(of: "q", inQuery: "q") == "")
        #expect(QueryParser.value(of: "q", inQuery: "qq=1&x=q") == nil)
        #expect(QueryParser.value(of: "q", inQuery: nil) == nil)
        // Encoded names, and malformed percent-encoding kept as it is.
        #expect(QueryParser.value(of: "last Event", inQuery: "last+Event=1") == "1")
        #expect(QueryParser.value(of: "q", inQuery: "q=100%+sure") == "100% sure")
        #expect(QueryParser.value(of: "q", inQuery: "q=caf%C3%A9") == "café")
    }

    @Test func everyFilterParameterReadsPlusAsASpace() throws {
        let q = parser(
            "/api/requests?q=rate+limit&env=my+env&model=my+model&since=2026-11-29T12%3A00%3A00Z&filter=~m+gpt-4o+%26+!~err&cursor=0192f3a1c2d4-00a3f1b2"
        )
        let f = try q.filter()
        #expect(f.text == "rate limit")
        #expect(f.env == "my env")
        #expect(f.model == "my model")
        #expect(f.since == JSONCoding.parseDate("2026-11-29T12:00:00Z"))
        #expect(f.expression == (try FilterParser.parse("~m gpt-4o & !~err")))
        #expect(try q.page().cursor == "0192f3a1c2d4-00a3f1b2")
    }

    @Test func aCursorThatIsNoRecordIDIsRefused() {
        for bad in ["a+b", "abc", "0192f3a1c2d4_00a3f1b2", "0192F3A1C2D4-00A3F1B2", "0192f3a1c2d4-00a3f1b2x", "%00"] {
            #expect(throws: APIError.self, "\(bad)") { try parser("/api/requests?cursor=\(bad)").page() }
        }
        #expect(throws: Never.self) { try parser("/api/requests?cursor=\(RecordIDGenerator().next())").page() }
    }
}
