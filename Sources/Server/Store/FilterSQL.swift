import LLMTraceModel

/// SQL spellings shared by the SQL stores when they narrow a filter-language query: the column a
/// numeric field reads, and the operator of a comparison. Both stores use the same column names.
enum FilterSQL {
    /// The column (or expression) for `field`, or `nil` when the field has no column (it is then checked
    /// on the records read).
    static func column(_ field: FilterExpression.NumericField) -> String? {
        switch field {
        case .totalTokens: return "COALESCE(total_tokens, input_tokens + output_tokens)"
        case .inputTokens: return "input_tokens"
        case .outputTokens: return "output_tokens"
        case .cost: return "cost"
        case .durationMs: return "duration_ms"
        case .ttftMs: return nil
        }
    }

    /// The SQL operator of `comparison`.
    static func op(_ comparison: FilterExpression.Comparison) -> String {
        switch comparison {
        case .lessThan: return "<"
        case .lessOrEqual: return "<="
        case .greaterThan: return ">"
        case .greaterOrEqual: return ">="
        case .equal: return "="
        }
    }
}
