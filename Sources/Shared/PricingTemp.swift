// TEMPORARY until the pricing table lands.
public struct PriceTable: Sendable {
    public init() {}
    public static let bundled = PriceTable()
    public var modelCount: Int { 0 }
    public var loadError: String? { nil }
    public func lookup(model: String, provider: String?) -> (name: String, price: Int)? { nil }
    public func cost(model: String?, provider: String?, usage: Usage) -> Double? { nil }
}
