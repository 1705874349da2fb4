import Foundation

// MARK: - Decoding

extension PriceTable {
    /// Describes a decoding error, leaving out the first `skip` coding-path components.
    static func describe(_ error: any Error, from skip: Int) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            let parts = codingPath.dropFirst(skip).map { key in
                key.intValue.map { "[\($0)]" } ?? key.stringValue
            }
            return parts.isEmpty ? "" : "`\(parts.joined(separator: "."))`: "
        }
        switch error {
        case DecodingError.typeMismatch(let type, let context):
            return "\(path(context.codingPath))expected \(Self.typeName(type)) (\(context.debugDescription))"
        case DecodingError.valueNotFound(let type, let context):
            return "\(path(context.codingPath))expected \(Self.typeName(type)), found null"
        case DecodingError.keyNotFound(let key, let context):
            return "\(path(context.codingPath))missing field `\(key.stringValue)`"
        case DecodingError.dataCorrupted(let context):
            return "\(path(context.codingPath))\(context.debugDescription)"
        default:
            return String(describing: error)
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Double.Type, is Int.Type: return "a number"
        case is String.Type: return "a string"
        default: return "\(type)"
        }
    }
}

/// The two accepted file shapes, decoded model by model so errors name the model.
struct PriceFileShape: Decodable {
    var models: [String: ModelPrice] = [:]
    var source: String?
    var litellmVersion: String?
    var generated: String?

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    private static let metadataKeys = ["source", "litellmVersion", "generated"]

    init(from decoder: any Decoder) throws {
        let top: KeyedDecodingContainer<Key>
        do {
            top = try decoder.container(keyedBy: Key.self)
        } catch {
            throw PricingError(kind: .invalidFormat, detail: "the top level must be a JSON object")
        }
        let modelsKey = Key(stringValue: "models")
        let isResourceShape =
            top.contains(modelsKey)
            && (try? top.nestedContainer(keyedBy: Key.self, forKey: modelsKey)) != nil
            && top.allKeys.allSatisfy { $0.stringValue == "models" || Self.metadataKeys.contains($0.stringValue) }
        let container: KeyedDecodingContainer<Key>
        let depth: Int
        if isResourceShape {
            source = try Self.metadata(top, "source")
            litellmVersion = try Self.metadata(top, "litellmVersion")
            generated = try Self.metadata(top, "generated")
            container = try top.nestedContainer(keyedBy: Key.self, forKey: modelsKey)
            depth = 2
        } else {
            container = top
            depth = 1
        }
        for key in container.allKeys {
            let name = key.stringValue
            guard !name.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw PricingError(kind: .invalidFormat, detail: "a model name is empty")
            }
            do {
                models[name] = try container.decode(ModelPrice.self, forKey: key)
            } catch {
                throw PricingError(
                    kind: .invalidModel,
                    model: name,
                    detail: PriceTable.describe(error, from: depth)
                )
            }
        }
    }

    private static func metadata(_ c: KeyedDecodingContainer<Key>, _ name: String) throws -> String? {
        do {
            return try c.decodeIfPresent(String.self, forKey: Key(stringValue: name))
        } catch {
            throw PricingError(kind: .invalidFormat, detail: "`\(name)` must be a string")
        }
    }
}
