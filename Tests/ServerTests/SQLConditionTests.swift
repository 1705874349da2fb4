import Testing

@testable import LLMTraceModel
@testable import Server

@Suite struct SQLConditionTests {
    /// Every bound value has its placeholder: an `or` that SQL cannot say (a host term) binds nothing,
    /// also for the terms before it.
    @Test(arguments: ["~p anthropic | ~h openai", "~s 500 | ~m gpt", "(~e prod | ~h x) & ~tok>5", "~p a | (~s 4xx & ~h b)", "~e ci | ~s 200"])
    func placeholdersAndValuesPairUp(expression: String) throws {
        var condition = SQLCondition(.mysql)
        condition.add(RequestFilter(expression: try FilterParser.parse(expression)))
        let placeholders = condition.whereClause.filter { $0 == "?" }.count
        #expect(placeholders == condition.values.count, "\(condition.whereClause) \(condition.values)")
    }
}
