import Testing

@testable import Analysis
@testable import LLMTraceModel

@Suite struct RedactorTests {
    @Test func redactsEverySecretHeaderKeepingOnlyTheLastFour() {
        let key = "sk-proj-abcdefghijklmnopqrstuvwxyz1234"
        let headers = Redactor.secretHeaders.map { HeaderField(name: $0.uppercased(), value: "Bearer \(key)") }
        for h in Redactor.redact(headers: headers) {
            #expect(h.value == "<redacted:…1234>")
            #expect(h.name == h.name.lowercased())
        }
    }

    @Test func shortSecretsShowNothing() {
        #expect(Redactor.redact("abc123") == "<redacted>")
    }

    @Test func leavesOrdinaryHeadersAlone() {
        let h = Redactor.redact(headers: [HeaderField(name: "Content-Type", value: "application/json")])
        #expect(h == [HeaderField(name: "content-type", value: "application/json")])
    }

    @Test func redactsTheKeyQueryParameterOnly() {
        let q = Redactor.redact(query: "alt=sse&key=AIzaSyDUMMYDUMMYDUMMYDUMMY9876&x=1")
        #expect(!q.contains("AIzaSy"))
        #expect(q.hasPrefix("alt=sse&key="))
        #expect(q.hasSuffix("&x=1"))
        #expect(q.contains("9876"))
        #expect(Redactor.redact(query: "a=1&&b") == "a=1&&b")
    }
}
