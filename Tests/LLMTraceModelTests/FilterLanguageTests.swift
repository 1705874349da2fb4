import Foundation
import Testing

@testable import LLMTraceModel

// MARK: Helpers

private func filterRecord(
    env: String = "prod",
    host: String = "api.openai.com",
    path: String = "/v1/chat/completions",
    provider: String? = "openai",
    model: String? = "gpt-4o-mini",
    stream: Bool = false,
    status: Int? = 200,
    error: TraceError? = nil,
    durationMs: Double? = 1200,
    ttftMs: Double? = 300,
    usage: Usage = Usage(inputTokens: 100, outputTokens: 50, totalTokens: 150),
    cost: Double? = 0.002,
    text: String? = "Hello there",
    complete: Bool = true
) -> TraceSummary {
    TraceSummary(
        id: "r1",
        env: env,
        method: "POST",
        scheme: "https",
        host: host,
        path: path,
        provider: provider,
        endpoint: "chat.completions",
        model: model,
        stream: stream,
        status: status,
        error: error,
        startedAt: Date(timeIntervalSince1970: 0),
        durationMs: durationMs,
        ttftMs: ttftMs,
        usage: usage,
        estimatedCost: cost,
        text: text,
        complete: complete
    )
}

/// Parses and matches; a parse error fails the test with the error's description.
private func filterMatches(_ filter: String, _ r: TraceSummary, sourceLocation: SourceLocation = #_sourceLocation) -> Bool {
    do {
        return try FilterParser.parse(filter).matches(r)
    } catch {
        Issue.record("\(filter): \(error)", sourceLocation: sourceLocation)
        return false
    }
}

private func filterParseError(_ filter: String) -> FilterError? {
    FilterParser.validate(filter)
}

/// SplitMix64, so the robustness test reproduces.
private struct FilterFuzzRandom: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// MARK: Tests

@Suite struct FilterTests {
    // MARK: Empty

    @Test(arguments: ["", " ", "   \t\n ", "\u{00A0}"])
    func emptyFilterMatchesEverything(_ text: String) throws {
        let e = try FilterParser.parse(text)
        #expect(e == .all)
        #expect(e.matches(filterRecord()))
        #expect(e.matches(filterRecord(model: nil, status: nil)))
        #expect(e.description == "")
    }

    @Test func allOperator() throws {
        #expect(try FilterParser.parse("~all") == .all)
        #expect(filterMatches("~all", filterRecord()))
        #expect(!filterMatches("!~all", filterRecord()))
    }

    // MARK: Text operators

    @Test func modelIsCaseInsensitiveSubstring() {
        let r = filterRecord(model: "GPT-4o-mini-2024-07-18")
        #expect(filterMatches("~m gpt-4o", r))
        #expect(filterMatches("~m MINI", r))
        #expect(filterMatches("~M mini", r))
        #expect(!filterMatches("~m claude", r))
        #expect(!filterMatches("~m gpt", filterRecord(model: nil)))
        #expect(filterMatches("!~m gpt", filterRecord(model: nil)))
    }

    @Test func envIsExactCaseInsensitive() {
        let r = filterRecord(env: "Prod")
        #expect(filterMatches("~e prod", r))
        #expect(filterMatches("~e PROD", r))
        #expect(!filterMatches("~e pro", r))
        #expect(!filterMatches("~e preprod", r))
        #expect(!filterMatches("~e prod", filterRecord(env: "preprod")))
        #expect(filterMatches("~e /prod/", filterRecord(env: "preprod")))
    }

    @Test func providerIsSubstring() {
        #expect(filterMatches("~p openai", filterRecord(provider: "openai")))
        #expect(filterMatches("~p openai", filterRecord(provider: "azure-openai")))
        #expect(!filterMatches("~p /^openai$/", filterRecord(provider: "azure-openai")))
        #expect(!filterMatches("~p anthropic", filterRecord(provider: "openai")))
        #expect(!filterMatches("~p openai", filterRecord(provider: nil)))
    }

    @Test func hostIsSubstring() {
        let r = filterRecord(host: "api.anthropic.com")
        #expect(filterMatches("~h anthropic", r))
        #expect(filterMatches("~h API.ANTHROPIC.COM", r))
        #expect(!filterMatches("~h openai", r))
    }

    // MARK: Status

    @Test func statusCodesAndClasses() {
        let ok = filterRecord(status: 200)
        let notFound = filterRecord(status: 404)
        let bad = filterRecord(status: 502)
        #expect(filterMatches("~s 200", ok))
        #expect(!filterMatches("~s 200", notFound))
        #expect(filterMatches("~s 2xx", ok))
        #expect(filterMatches("~s 4xx", notFound))
        #expect(filterMatches("~s 4XX", notFound))
        #expect(filterMatches("~s 5Xx", bad))
        #expect(!filterMatches("~s 5xx", notFound))
        #expect(filterMatches("~s \"404\"", notFound))
        #expect(!filterMatches("~s 2xx", filterRecord(status: nil)))
        #expect(!filterMatches("~s 200", filterRecord(status: nil)))
    }

    // MARK: Flags

    @Test func flags() {
        #expect(filterMatches("~err", filterRecord(status: 500)))
        #expect(filterMatches("~err", filterRecord(status: 200, error: TraceError(type: "upstream_failed", message: "boom"))))
        #expect(!filterMatches("~err", filterRecord(status: 200)))
        #expect(filterMatches("~stream", filterRecord(stream: true)))
        #expect(!filterMatches("~stream", filterRecord(stream: false)))
        #expect(filterMatches("~done", filterRecord(complete: true)))
        #expect(!filterMatches("~done", filterRecord(complete: false)))
        #expect(filterMatches("~ERR", filterRecord(status: 500)))
    }

    // MARK: Numbers

    @Test func totalTokens() {
        let r = filterRecord(usage: Usage(inputTokens: 100, outputTokens: 50, totalTokens: 150))
        #expect(filterMatches("~tok>100", r))
        #expect(!filterMatches("~tok>150", r))
        #expect(filterMatches("~tok>=150", r))
        #expect(filterMatches("~tok<151", r))
        #expect(!filterMatches("~tok<150", r))
        #expect(filterMatches("~tok<=150", r))
        #expect(filterMatches("~tok=150", r))
        #expect(filterMatches("~tok==150", r))
        #expect(!filterMatches("~tok=149", r))
        #expect(filterMatches("~tok > 100", r))
        #expect(filterMatches("~tok >=150", r))
    }

    @Test func totalTokensFallsBackToInputPlusOutput() {
        let r = filterRecord(usage: Usage(inputTokens: 700, outputTokens: 400))
        #expect(filterMatches("~tok>1000", r))
        #expect(filterMatches("~tok=1100", r))
        #expect(!filterMatches("~tok>1100", r))
    }

    @Test func unknownNumbersNeverMatchAComparison() {
        let r = filterRecord(durationMs: nil, ttftMs: nil, usage: .unknown, cost: nil)
        for f in ["~tok>0", "~tok<1000000", "~tok=0", "~in>=0", "~out<=0", "~cost>=0", "~cost<1", "~ms>=0", "~ttft<10000"] {
            #expect(!filterMatches(f, r), "\(f)")
        }
        // Only input known: no total either.
        #expect(!filterMatches("~tok>=0", filterRecord(usage: Usage(inputTokens: 10))))
        // Negation is plain boolean negation, so it does match unknowns.
        #expect(filterMatches("!~tok>0", r))
    }

    @Test func inputOutputTokens() {
        let r = filterRecord(usage: Usage(inputTokens: 100, outputTokens: 50, totalTokens: 150))
        #expect(filterMatches("~in>99", r))
        #expect(!filterMatches("~in>100", r))
        #expect(filterMatches("~out<51", r))
        #expect(!filterMatches("~out<50", r))
        #expect(filterMatches("~in=100 ~out=50", r))
    }

    @Test func costAllowsDecimalsAndDollarSign() {
        let r = filterRecord(cost: 0.0125)
        #expect(filterMatches("~cost>0.01", r))
        #expect(filterMatches("~cost>$0.01", r))
        #expect(filterMatches("~cost>.01", r))
        #expect(!filterMatches("~cost>0.02", r))
        #expect(filterMatches("~cost<1", r))
        #expect(filterMatches("~cost<=0.0125", r))
    }

    @Test func durationAndTTFT() {
        let r = filterRecord(durationMs: 1200, ttftMs: 300.5)
        #expect(filterMatches("~ms>1000", r))
        #expect(!filterMatches("~ms>1200", r))
        #expect(filterMatches("~ms>=1200", r))
        #expect(filterMatches("~ttft>300", r))
        #expect(filterMatches("~ttft<300.6", r))
        #expect(!filterMatches("~ttft<300", r))
    }

    // MARK: Free text

    @Test func freeTextSearchesPathModelTextAndErrorMessage() {
        let r = filterRecord(
            host: "api.openai.com",
            path: "/v1/chat/completions",
            model: "gpt-4o",
            error: TraceError(type: "rate_limit", message: "Too Many Requests"),
            text: "The Weather is sunny"
        )
        #expect(filterMatches("completions", r))
        #expect(filterMatches("/v1/chat", r))
        #expect(filterMatches("GPT-4O", r))
        #expect(filterMatches("weather", r))
        #expect(filterMatches("many", r))
        #expect(filterMatches("\"too many requests\"", r))
        #expect(!filterMatches("api.openai.com", r))  // the host is not searched; use ~h
        #expect(!filterMatches("rate_limit", r))  // the error type is not searched
        #expect(!filterMatches("rain", r))
        #expect(filterMatches("weather sunny", r))  // two words: both must occur
        #expect(!filterMatches("weather rain", r))
        #expect(!filterMatches("\"weather rain\"", r))
    }

    @Test func freeTextHandlesNilFields() {
        let r = filterRecord(model: nil, text: nil)
        #expect(filterMatches("chat", r))
        #expect(!filterMatches("hello", r))
    }

    // MARK: Quoting

    @Test func quotedValues() throws {
        let r = filterRecord(model: "my model \"v2\"", text: "it's 'quoted' and back\\slash")
        #expect(filterMatches("~m \"my model\"", r))
        #expect(filterMatches("~m 'MY MODEL'", r))
        #expect(filterMatches(#"~m "model \"v2\"""#, r))
        #expect(filterMatches(#"~m 'model "v2"'"#, r))
        #expect(filterMatches(#""it's 'quoted'""#, r))
        #expect(filterMatches(#"'it\'s'"#, r))
        #expect(filterMatches(#""back\\slash""#, r))
        #expect(try FilterParser.parse(#""a\nb\tc\rd\qe""#) == .text("a\nb\tc\rdqe"))
        #expect(filterMatches("~m\"model\"", r))
    }

    @Test func wordsStopAtSyntaxButKeepInnerQuotes() throws {
        #expect(try FilterParser.parse("it's") == .text("it's"))
        #expect(try FilterParser.parse("a!b") == .text("a!b"))
        #expect(try FilterParser.parse("a~b") == .text("a~b"))
        #expect(try FilterParser.parse("~m gpt|~m claude") == .or([.field(.model, .text("gpt")), .field(.model, .text("claude"))]))
        #expect(try FilterParser.parse("~s 4xx|~s 5xx") == .or([.status(.family(4)), .status(.family(5))]))
        #expect(try FilterParser.parse("(~m gpt)") == .field(.model, .text("gpt")))
        #expect(try FilterParser.parse("a&b") == .and([.text("a"), .text("b")]))
        #expect(try FilterParser.parse("~m models/gemini-1.5") == .field(.model, .text("models/gemini-1.5")))
    }

    // MARK: Regex

    @Test func regexValues() throws {
        let r = filterRecord(env: "staging-eu", host: "eu.api.example.com", provider: "azure-openai", model: "gpt-4o-2024-08-06")
        #expect(filterMatches("~m /gpt-4o.*/", r))
        #expect(filterMatches("~m /^GPT-4O-\\d{4}/", r))
        #expect(!filterMatches("~m /^4o/", r))
        #expect(filterMatches("~m /claude|gpt/", r))
        #expect(filterMatches("~e /^staging/", r))
        #expect(!filterMatches("~e /^prod/", r))
        #expect(filterMatches("~h /^eu\\./", r))
        #expect(filterMatches("~p /azure/", r))
        #expect(filterMatches("~m/gpt/", r))
        #expect(!filterMatches("~m /x/", filterRecord(model: nil)))
        let slash = filterRecord(model: "models/gemini-pro")
        #expect(filterMatches(#"~m /models\/gemini/"#, slash))
        let e = try FilterParser.parse(#"~m /a\/b\d/"#)
        guard case .field(.model, .regex(let regex)) = e else {
            Issue.record("expected a regex, got \(e)")
            return
        }
        #expect(regex.pattern == #"a/b\d"#)
        #expect(e.description == #"~m /a\/b\d/"#)
    }

    @Test func regexIsNotUsedForFreeText() throws {
        #expect(try FilterParser.parse("/v1/messages") == .text("/v1/messages"))
    }

    // MARK: Combination

    @Test func notAndOrWork() {
        let gpt = filterRecord(model: "gpt-4o", status: 200)
        let claude = filterRecord(model: "claude-3", status: 500)
        #expect(filterMatches("!~err", gpt))
        #expect(!filterMatches("!~err", claude))
        #expect(filterMatches("~m gpt & !~err", gpt))
        #expect(!filterMatches("~m gpt & ~err", gpt))
        #expect(filterMatches("~m gpt | ~m claude", gpt))
        #expect(filterMatches("~m gpt | ~m claude", claude))
        #expect(!filterMatches("~m llama | ~m mistral", claude))
        #expect(filterMatches("~m gpt ~s 200", gpt))  // juxtaposition
        #expect(!filterMatches("~m gpt ~s 500", gpt))
        #expect(filterMatches("~m gpt && ~s 200", gpt))
        #expect(filterMatches("~m llama || ~m gpt", gpt))
    }

    @Test func precedence() throws {
        let a = FilterExpression.text("a")
        let b = FilterExpression.text("b")
        let c = FilterExpression.text("c")
        #expect(try FilterParser.parse("a | b & c") == .or([a, .and([b, c])]))
        #expect(try FilterParser.parse("a & b | c") == .or([.and([a, b]), c]))
        #expect(try FilterParser.parse("a | b c") == .or([a, .and([b, c])]))
        #expect(try FilterParser.parse("a b | c") == .or([.and([a, b]), c]))
        #expect(try FilterParser.parse("!a b") == .and([.not(a), b]))
        #expect(try FilterParser.parse("!a | b") == .or([.not(a), b]))
        #expect(try FilterParser.parse("a & b c") == .and([a, b, c]))
        #expect(try FilterParser.parse("a | b | c") == .or([a, b, c]))
    }

    @Test func grouping() throws {
        let a = FilterExpression.text("a")
        let b = FilterExpression.text("b")
        let c = FilterExpression.text("c")
        #expect(try FilterParser.parse("(a | b) c") == .and([.or([a, b]), c]))
        #expect(try FilterParser.parse("(a | b) & c") == .and([.or([a, b]), c]))
        #expect(try FilterParser.parse("a (b | c)") == .and([a, .or([b, c])]))
        #expect(try FilterParser.parse("!(a | b)") == .not(.or([a, b])))
        #expect(try FilterParser.parse("!(a b)") == .not(.and([a, b])))
        #expect(try FilterParser.parse("((a))") == a)
        #expect(try FilterParser.parse("a & (b & c)") == .and([a, b, c]))
        #expect(try FilterParser.parse("(a | b) | c") == .or([a, b, c]))
        #expect(try FilterParser.parse("!!a") == a)
        #expect(try FilterParser.parse("!(!a)") == a)
        #expect(try FilterParser.parse("!!!a") == .not(a))

        let gpt500 = filterRecord(model: "gpt-4o", status: 500)
        #expect(filterMatches("(~m claude | ~m gpt) ~err", gpt500))
        #expect(!filterMatches("~m claude | ~m gpt ~s 200", gpt500))
        #expect(filterMatches("~m claude | (~m gpt ~s 5xx)", gpt500))
        #expect(!filterMatches("!(~m gpt | ~m claude)", gpt500))
    }

    @Test func longChainsStayFlat() throws {
        let words = (0..<5000).map { "w\($0)" }
        let e = try FilterParser.parse(words.joined(separator: " "))
        guard case .and(let terms) = e else {
            Issue.record("expected and")
            return
        }
        #expect(terms.count == 5000)
        #expect(!e.matches(filterRecord()))
        let o = try FilterParser.parse(words.joined(separator: " | ") + " | chat")
        #expect(o.matches(filterRecord()))
    }

    // MARK: Canonical form

    @Test(arguments: [
        ("~M   gpt-4o", "~m gpt-4o"),
        ("~tok >= 1000", "~tok>=1000"),
        ("~tok==5", "~tok=5"),
        ("~cost>$0.010", "~cost>0.01"),
        ("~cost>.5", "~cost>0.5"),
        ("~s 4XX", "~s 4xx"),
        ("a b", "a & b"),
        ("a && b || c", "a & b | c"),
        ("(a | b) c", "(a | b) & c"),
        ("!(a | b)", "!(a | b)"),
        ("!(a b)", "!(a & b)"),
        ("((a))", "a"),
        ("~m 'my model'", "~m \"my model\""),
        (#""say \"hi\"""#, #""say \"hi\"""#),
        ("\"~m\"", "\"~m\""),
        ("~m \"/x\"", "~m \"/x\""),
        ("~m /a|b/", "~m /a|b/"),
        ("~err ~stream ~done", "~err & ~stream & ~done"),
        ("~all", ""),
        ("!~all", "!~all"),
        ("~ms<0.00001", "~ms<0.00001"),
        ("~M  gpt (~s 4XX||~s 5xx)", "~m gpt & (~s 4xx | ~s 5xx)"),
        ("~m gpt | ~m claude ~err", "~m gpt | ~m claude & ~err"),
    ])
    func canonicalDescription(_ input: String, _ expected: String) throws {
        let e = try FilterParser.parse(input)
        #expect(e.description == expected)
        #expect(try FilterParser.parse(e.description) == e)
    }

    // MARK: Errors

    struct ErrorCase: Sendable, CustomStringConvertible {
        var input: String
        var kind: FilterError.Kind
        var position: Int
        var length: Int
        var messageContains: String
        var description: String { input }
    }

    @Test(arguments: [
        // Unknown operators list the known ones.
        ErrorCase(
            input: "~x",
            kind: .unknownOperator,
            position: 0,
            length: 2,
            messageContains: "Unknown operator ~x; known operators: ~m ~e ~p ~h ~session ~s ~err ~stream ~done ~tok ~in ~out ~cost ~ms ~ttft ~all"
        ),
        ErrorCase(input: "~err ~model gpt", kind: .unknownOperator, position: 5, length: 6, messageContains: "did you mean ~m?"),
        ErrorCase(input: "~tokens>5", kind: .unknownOperator, position: 0, length: 7, messageContains: "did you mean ~tok?"),
        ErrorCase(input: "~status 200", kind: .unknownOperator, position: 0, length: 7, messageContains: "did you mean ~s?"),
        ErrorCase(input: "a ~ b", kind: .unknownOperator, position: 2, length: 1, messageContains: "~ must be followed by an operator name"),
        // Missing values.
        ErrorCase(input: "~m", kind: .missingValue, position: 0, length: 2, messageContains: "~m needs a value, e.g. ~m gpt-4o"),
        ErrorCase(input: "~e   ", kind: .missingValue, position: 0, length: 2, messageContains: "~e needs a value"),
        ErrorCase(input: "(~p)", kind: .missingValue, position: 1, length: 2, messageContains: "~p needs a value before )"),
        ErrorCase(input: "~h | a", kind: .missingValue, position: 0, length: 2, messageContains: "~h needs a value before |"),
        ErrorCase(input: "~m ~err", kind: .missingValue, position: 0, length: 2, messageContains: "quote a value that starts with ~"),
        ErrorCase(input: "~m !gpt", kind: .missingValue, position: 0, length: 2, messageContains: "!~m gpt-4o"),
        ErrorCase(input: "~m (a | b)", kind: .missingValue, position: 0, length: 2, messageContains: "~m /a|b/"),
        ErrorCase(input: "~m=gpt", kind: .missingValue, position: 0, length: 2, messageContains: "needs a space before its value"),
        ErrorCase(input: "~m \"\"", kind: .missingValue, position: 0, length: 5, messageContains: "non-empty value"),
        ErrorCase(input: "~m //", kind: .missingValue, position: 3, length: 2, messageContains: "empty regex"),
        ErrorCase(input: "a ''", kind: .missingValue, position: 2, length: 2, messageContains: "Empty quotes"),
        ErrorCase(input: "~s", kind: .missingValue, position: 0, length: 2, messageContains: "~s needs a status, e.g. ~s 200 or ~s 4xx"),
        ErrorCase(input: "~tok>", kind: .missingValue, position: 0, length: 5, messageContains: "~tok> needs a number, e.g. ~tok>1000"),
        ErrorCase(input: "~cost>= )", kind: .missingValue, position: 0, length: 7, messageContains: "~cost>= needs a number, e.g. ~cost>0.01"),
        // Missing comparisons.
        ErrorCase(input: "~tok", kind: .missingComparison, position: 0, length: 4, messageContains: "~tok needs a comparison such as ~tok>1000"),
        ErrorCase(input: "x ~ms 500", kind: .missingComparison, position: 2, length: 3, messageContains: "~ms needs a comparison such as ~ms>500"),
        ErrorCase(
            input: "~cost!=1",
            kind: .missingComparison,
            position: 0,
            length: 5,
            messageContains: "~cost needs a comparison such as ~cost>0.01"
        ),
        // Bad numbers.
        ErrorCase(
            input: "~tok>1k",
            kind: .badNumber,
            position: 5,
            length: 2,
            messageContains: "1k is not a valid number: ~tok takes a whole number of tokens"
        ),
        ErrorCase(input: "~in>1.5", kind: .badNumber, position: 4, length: 3, messageContains: "whole number"),
        ErrorCase(input: "~out>-3", kind: .badNumber, position: 5, length: 2, messageContains: "-3 is not a valid number"),
        ErrorCase(input: "~cost>1.2.3", kind: .badNumber, position: 6, length: 5, messageContains: "an amount in dollars"),
        ErrorCase(input: "~cost>1e5", kind: .badNumber, position: 6, length: 3, messageContains: "1e5"),
        ErrorCase(input: "~ms>12.", kind: .badNumber, position: 4, length: 3, messageContains: "milliseconds"),
        ErrorCase(input: "~ttft>$5", kind: .badNumber, position: 6, length: 2, messageContains: "$5"),
        ErrorCase(input: "~tok>1234567890123456", kind: .badNumber, position: 5, length: 16, messageContains: "at most 15"),
        ErrorCase(input: "~tok>nan", kind: .badNumber, position: 5, length: 3, messageContains: "nan"),
        // Bad statuses.
        ErrorCase(
            input: "~s 2x",
            kind: .badStatus,
            position: 3,
            length: 2,
            messageContains: "2x is not a status: ~s takes a code from 100 to 599 or a class from 1xx to 5xx"
        ),
        ErrorCase(input: "~s 6xx", kind: .badStatus, position: 3, length: 3, messageContains: "6xx is not a status"),
        ErrorCase(input: "~s 99", kind: .badStatus, position: 3, length: 2, messageContains: "99"),
        ErrorCase(input: "~s 600", kind: .badStatus, position: 3, length: 3, messageContains: "600"),
        ErrorCase(input: "~s ok", kind: .badStatus, position: 3, length: 2, messageContains: "ok"),
        ErrorCase(input: "~s /2../", kind: .badStatus, position: 3, length: 5, messageContains: "/2../"),
        ErrorCase(input: "~s200", kind: .unknownOperator, position: 0, length: 5, messageContains: "did you mean ~s?"),
        // Parentheses.
        ErrorCase(input: "(~err", kind: .unbalancedParentheses, position: 0, length: 1, messageContains: "This ( is never closed"),
        ErrorCase(input: "a (b (c)", kind: .unbalancedParentheses, position: 2, length: 1, messageContains: "never closed"),
        ErrorCase(input: "(", kind: .unbalancedParentheses, position: 0, length: 1, messageContains: "never closed"),
        ErrorCase(input: "~err)", kind: .unbalancedParentheses, position: 4, length: 1, messageContains: "Unmatched ): there is no ( before it"),
        ErrorCase(input: ")", kind: .unbalancedParentheses, position: 0, length: 1, messageContains: "Unmatched )"),
        ErrorCase(input: "(a)) b", kind: .unbalancedParentheses, position: 3, length: 1, messageContains: "Unmatched )"),
        ErrorCase(input: "a ()", kind: .emptyParentheses, position: 2, length: 2, messageContains: "Empty parentheses"),
        ErrorCase(input: "( )", kind: .emptyParentheses, position: 0, length: 3, messageContains: "Empty parentheses"),
        // Dangling operators.
        ErrorCase(input: "~err &", kind: .danglingOperator, position: 5, length: 1, messageContains: "& needs a filter on its right"),
        ErrorCase(input: "& ~err", kind: .danglingOperator, position: 0, length: 1, messageContains: "& needs a filter on its left"),
        ErrorCase(input: "~err |", kind: .danglingOperator, position: 5, length: 1, messageContains: "| needs a filter on its right"),
        ErrorCase(input: "| ~err", kind: .danglingOperator, position: 0, length: 1, messageContains: "| needs a filter on its left"),
        ErrorCase(input: "a | | b", kind: .danglingOperator, position: 2, length: 1, messageContains: "| needs a filter on its right"),
        ErrorCase(input: "a & | b", kind: .danglingOperator, position: 2, length: 1, messageContains: "& needs a filter on its right"),
        ErrorCase(input: "!", kind: .danglingOperator, position: 0, length: 1, messageContains: "! needs a filter after it, e.g. !~err"),
        ErrorCase(input: "a !", kind: .danglingOperator, position: 2, length: 1, messageContains: "! needs a filter after it"),
        ErrorCase(input: "(a !)", kind: .danglingOperator, position: 3, length: 1, messageContains: "! needs a filter after it"),
        ErrorCase(input: "(a |)", kind: .danglingOperator, position: 3, length: 1, messageContains: "| needs a filter on its right"),
        ErrorCase(input: "a &&", kind: .danglingOperator, position: 2, length: 2, messageContains: "& needs a filter on its right"),
        // Quotes.
        ErrorCase(input: "~m \"gpt", kind: .unterminatedQuote, position: 3, length: 1, messageContains: "Unterminated quote: add a closing \""),
        ErrorCase(input: "a 'b", kind: .unterminatedQuote, position: 2, length: 1, messageContains: "add a closing '"),
        ErrorCase(input: "\"abc\\", kind: .unterminatedQuote, position: 0, length: 1, messageContains: "lone \\"),
        ErrorCase(input: "\"a\\\"", kind: .unterminatedQuote, position: 0, length: 1, messageContains: "Unterminated quote"),
        // Regexes.
        ErrorCase(input: "~m /gpt", kind: .unterminatedRegex, position: 3, length: 1, messageContains: "Unterminated regex: add a closing /"),
        ErrorCase(input: "~m /a\\/", kind: .unterminatedRegex, position: 3, length: 1, messageContains: "Unterminated regex"),
        ErrorCase(input: "~m /a\\", kind: .unterminatedRegex, position: 3, length: 1, messageContains: "lone \\"),
        ErrorCase(input: "~err ~m /gpt(/", kind: .invalidRegex, position: 8, length: 6, messageContains: "/gpt(/ is not a valid regular expression"),
        ErrorCase(input: "~h /[a-/", kind: .invalidRegex, position: 3, length: 5, messageContains: "not a valid regular expression"),
        ErrorCase(input: "~m /*/", kind: .invalidRegex, position: 3, length: 3, messageContains: "not a valid regular expression"),
        // Things attached where they do not belong.
        ErrorCase(input: "~m /gpt/i", kind: .unexpectedValue, position: 8, length: 1, messageContains: "take no flags"),
        ErrorCase(input: "~err>5", kind: .unexpectedValue, position: 4, length: 2, messageContains: "~err takes no value: remove >5"),
        ErrorCase(input: "~stream\"x\"", kind: .unexpectedValue, position: 7, length: 3, messageContains: "~stream takes no value"),
    ])
    func errors(_ c: ErrorCase) {
        guard let e = filterParseError(c.input) else {
            Issue.record("\(c.input) parsed, expected \(c.kind)")
            return
        }
        #expect(e.kind == c.kind, "\(c.input): \(e)")
        #expect(e.position == c.position, "\(c.input): \(e)")
        #expect(e.length == c.length, "\(c.input): \(e)")
        #expect(e.message.contains(c.messageContains), "\(c.input): \(e.message)")
    }

    @Test func everyErrorKindIsCovered() {
        // Keep the table above honest: one input per kind.
        let samples: [FilterError.Kind: String] = [
            .unknownOperator: "~x", .missingValue: "~m", .missingComparison: "~tok", .badNumber: "~tok>x",
            .badStatus: "~s 2x", .unbalancedParentheses: "(", .danglingOperator: "a &", .emptyParentheses: "()",
            .unterminatedQuote: "\"", .unterminatedRegex: "~m /", .invalidRegex: "~m /(/", .unexpectedValue: "~err>1",
            .tooDeeplyNested: String(repeating: "(", count: 100) + "a" + String(repeating: ")", count: 100),
        ]
        for kind in FilterError.Kind.allCases {
            guard let input = samples[kind] else {
                Issue.record("no sample for \(kind)")
                continue
            }
            #expect(filterParseError(input)?.kind == kind, "\(kind)")
        }
    }

    @Test func nestingLimit() throws {
        let ok = String(repeating: "(", count: FilterParser.maxNesting) + "a" + String(repeating: ")", count: FilterParser.maxNesting)
        #expect(try FilterParser.parse(ok) == .text("a"))
        let deep = String(repeating: "(", count: FilterParser.maxNesting + 1) + "a" + String(repeating: ")", count: FilterParser.maxNesting + 1)
        let e = filterParseError(deep)
        #expect(e?.kind == .tooDeeplyNested)
        #expect(e?.position == FilterParser.maxNesting)
        // Many negations are collapsed, not nested.
        #expect(try FilterParser.parse(String(repeating: "!", count: 100_001) + "a") == .not(.text("a")))
    }

    @Test func positionsAreCharactersWithUTF16Alongside() throws {
        // "🧪" is one Character, two UTF-16 units; "é" (e + combining accent) is one Character, two units.
        let e = try #require(filterParseError("🧪 e\u{301} ~bogus"))
        #expect(e.kind == .unknownOperator)
        #expect(e.position == 4)
        #expect(e.length == 6)
        #expect(e.utf16Position == 6)
        #expect(e.utf16Length == 6)
        #expect(e.description.hasSuffix("(at column 5)"))
        let q = try #require(filterParseError("~m \"日本語"))
        #expect(q.position == 3)
        #expect(q.utf16Position == 3)
    }

    /// The examples in docs/FILTERS.md parse.
    @Test(arguments: [
        "~m gpt-4o ~err", "~p anthropic ~tok>10000", "~e prod !~done", "~s 5xx | ~ms>30000",
        "(~m claude | ~m gpt) ~cost>0.05", "~m /^gpt-4o(-mini)?$/", "\"rate limit\"", "~h anthropic.com",
        "~s 429", "~in>=50000", "~out<10", "~cost>$1", "~ttft>2000", "~e /^staging-/", "~tok >= 1000",
        "~cost>0.015", "~ms<12.5", "weather paris", "~s 4xx|~s 5xx", "\"a|b\"", "!~err ~stream",
        "~m \"my model\"", "~p 'open ai'",
    ])
    func documentedExamplesParse(_ text: String) {
        #expect(FilterParser.validate(text) == nil)
    }

    @Test func validateReturnsNilForGoodFilters() {
        #expect(FilterParser.validate("~m gpt ~tok>1000 | ~err") == nil)
        #expect(FilterParser.validate("") == nil)
        #expect(FilterParser.operators.count == 16)
    }

    @Test func unicodeWordsAndWhitespace() throws {
        #expect(try FilterParser.parse("日本語") == .text("日本語"))
        #expect(filterMatches("日本", filterRecord(text: "こんにちは日本")))
        #expect(try FilterParser.parse("a\u{3000}b") == .and([.text("a"), .text("b")]))
        #expect(try FilterParser.parse("~m\u{00A0}gpt") == .field(.model, .text("gpt")))
        // Syntax is read scalar by scalar: a combining mark does not hide the quote or `~` it follows.
        #expect(try FilterParser.parse("\"\u{301}x y\"") == .text("\u{301}x y"))
        #expect(filterParseError("~\u{301}m")?.kind == .unknownOperator)
        #expect(filterParseError("~\u{301}m")?.length == 2)
    }

    // MARK: Robustness

    @Test func randomInputsNeverCrash() {
        let alphabet: [String] = [
            "~", "~m", "~e", "~p", "~h", "~s", "~err", "~stream", "~done", "~tok", "~in", "~out", "~cost", "~ms",
            "~ttft", "~all", "!", "&", "|", "(", ")", "\"", "'", "\\", "/", ">", "<", "=", ">=", "$", ".", "-", "x",
            "X", " ", " ", " ", "\t", "\n", "a", "g", "p", "t", "4", "o", "0", "1", "5", "9", "xx", "e", "é",
            "e\u{301}", "\u{301}", "🧪", "日", "\u{00A0}", "\r\n", "\u{0}", "[", "]", "*", "?", "+", "{", "}",
        ]
        var rng = FilterFuzzRandom(state: 0x5EED_F11E)
        let records = [
            filterRecord(),
            filterRecord(
                provider: nil,
                model: nil,
                status: nil,
                durationMs: nil,
                ttftMs: nil,
                usage: .unknown,
                cost: nil,
                text: nil,
                complete: false
            ),
            filterRecord(status: 503, error: TraceError(type: "upstream_failed", message: "x(y)")),
        ]
        var parsed = 0
        var failed = 0
        for _ in 0..<5000 {
            let length = Int.random(in: 0...24, using: &rng)
            var input = ""
            for _ in 0..<length {
                input += alphabet[Int.random(in: 0..<alphabet.count, using: &rng)]
            }
            do {
                let e = try FilterParser.parse(input)
                parsed += 1
                for r in records { _ = e.matches(r) }
                // The canonical form parses back to the same expression.
                do {
                    let again = try FilterParser.parse(e.description)
                    #expect(again == e, "\(input.debugDescription) → \(e.description.debugDescription)")
                } catch {
                    Issue.record("canonical form of \(input.debugDescription) does not parse: \(e.description.debugDescription): \(error)")
                }
            } catch {
                failed += 1
                let count = input.count
                #expect(error.position >= 0 && error.position <= count, "\(input.debugDescription)")
                #expect(error.position + error.length <= count, "\(input.debugDescription)")
                #expect(!error.message.isEmpty)
            }
        }
        // Both outcomes are exercised.
        #expect(parsed > 200)
        #expect(failed > 200)
    }

    @Test func longRandomInputsNeverCrash() {
        let alphabet: [Character] = Array("~mephsrtdoinkcl!&|()\"'\\/<>=$.0123456789x   \té🧪日\u{301}")
        var rng = FilterFuzzRandom(state: 7)
        for _ in 0..<1000 {
            let input = String((0..<Int.random(in: 0...200, using: &rng)).map { _ in alphabet[Int.random(in: 0..<alphabet.count, using: &rng)] })
            if let e = try? FilterParser.parse(input) {
                _ = e.matches(filterRecord())
                #expect((try? FilterParser.parse(e.description)) == e, "\(input.debugDescription)")
            }
        }
    }

    /// Random trees print to text that parses back to a filter with the same meaning.
    @Test func printedTreesKeepTheirMeaning() throws {
        let leaves: [FilterExpression] = [
            .text("chat"), .text("hello there"), .text("~m"), .text("say \"hi\"\\"), .text("/v1"), .text("\u{301}x"),
            .field(.model, .text("gpt")), .field(.model, .text("/models")), .field(.env, .text("prod")),
            .field(.provider, .text("open ai")), .field(.host, .regex(try #require(FilterRegex(pattern: "^api\\.|a/b")))),
            .status(.family(2)), .status(.code(500)), .flag(.error), .flag(.stream), .flag(.complete),
            .compare(.totalTokens, .greaterThan, 100), .compare(.cost, .lessOrEqual, 0.005), .compare(.ttftMs, .equal, 300),
            .all,
        ]
        let records = [
            filterRecord(),
            filterRecord(model: "claude", status: 500, text: "hello there"),
            filterRecord(provider: "open ai", model: nil, stream: true, status: nil, usage: .unknown, cost: 0.001, complete: false),
            filterRecord(env: "dev", host: "x.com/a/b", path: "/v1/models", ttftMs: 300, text: "say \"hi\"\\"),
        ]
        var rng = FilterFuzzRandom(state: 99)
        func tree(_ depth: Int) -> FilterExpression {
            if depth == 0 || Int.random(in: 0..<3, using: &rng) == 0 {
                return leaves[Int.random(in: 0..<leaves.count, using: &rng)]
            }
            switch Int.random(in: 0..<3, using: &rng) {
            case 0: return .not(tree(depth - 1))
            case 1: return .and((0..<Int.random(in: 1...3, using: &rng)).map { _ in tree(depth - 1) })
            default: return .or((0..<Int.random(in: 1...3, using: &rng)).map { _ in tree(depth - 1) })
            }
        }
        for _ in 0..<2000 {
            let t = tree(4)
            let parsed = try FilterParser.parse(t.description)
            for r in records {
                #expect(parsed.matches(r) == t.matches(r), "\(t) → \(parsed)")
            }
        }
    }

    @Test func randomBytesNeverCrash() {
        var rng = FilterFuzzRandom(state: 42)
        for _ in 0..<2000 {
            let bytes = (0..<Int.random(in: 0...40, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            let input = String(decoding: bytes, as: UTF8.self)
            if let e = try? FilterParser.parse(input) { _ = e.matches(filterRecord()) }
        }
    }
}
