import Foundation
import Hummingbird

/// A team: `{id, slug, name, createdAt, deletedAt}`. The slug is unique among teams not deleted.
public struct AdminTeam: Codable, Sendable, Equatable, ResponseEncodable {
    public var id: String
    public var slug: String
    public var name: String
    public var createdAt: Date
    public var deletedAt: Date?

    public init(id: String, slug: String, name: String, createdAt: Date, deletedAt: Date?) {
        self.id = id
        self.slug = slug
        self.name = name
        self.createdAt = createdAt
        self.deletedAt = deletedAt
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(slug, forKey: .slug)
        try c.encode(name, forKey: .name)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(deletedAt, forKey: .deletedAt)
    }
}
