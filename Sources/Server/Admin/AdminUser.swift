import Foundation
import Hummingbird

/// An account of shared mode: `{id, email, name, systemAdmin, createdAt, deletedAt}`. Its password hash
/// never leaves the store but for the login check (``AdminStore/credentials(email:)``).
public struct AdminUser: Codable, Sendable, Equatable, ResponseEncodable {
    public var id: String
    /// Lowercased; unique among accounts that are not deleted.
    public var email: String
    public var name: String?
    /// A system administrator sees every team's traffic and manages accounts.
    public var systemAdmin: Bool
    public var createdAt: Date
    public var deletedAt: Date?

    public init(id: String, email: String, name: String?, systemAdmin: Bool, createdAt: Date, deletedAt: Date?) {
        self.id = id
        self.email = email
        self.name = name
        self.systemAdmin = systemAdmin
        self.createdAt = createdAt
        self.deletedAt = deletedAt
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(email, forKey: .email)
        try c.encode(name, forKey: .name)
        try c.encode(systemAdmin, forKey: .systemAdmin)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(deletedAt, forKey: .deletedAt)
    }
}
