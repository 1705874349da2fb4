import Foundation
import Hummingbird

/// One admin change: `{id, at, actor, action, resourceType, resourceId, address, details}`. `teamId`
/// (not encoded) says which team's admins may read it.
public struct AuditEntry: Codable, Sendable, Equatable, ResponseEncodable {
    public var id: String
    public var at: Date
    /// The id of the user who made the change (`nil` for the command line).
    public var actor: String?
    /// What was done, e.g. `team.create`, `member.role`, `environment.rotate-key`.
    public var action: String
    public var resourceType: String
    public var resourceId: String
    /// The client address the change came from.
    public var address: String?
    /// Before/after and other facts, as short strings (never a secret).
    public var details: [String: String]
    public var teamId: String?

    public init(
        id: String = UUID().uuidString.lowercased(),
        at: Date = Date(),
        actor: String?,
        action: String,
        resourceType: String,
        resourceId: String,
        address: String?,
        details: [String: String] = [:],
        teamId: String?
    ) {
        self.id = id
        self.at = at
        self.actor = actor
        self.action = action
        self.resourceType = resourceType
        self.resourceId = resourceId
        self.address = address
        self.details = details
        self.teamId = teamId
    }

    enum CodingKeys: String, CodingKey {
        case id, at, actor, action, resourceType, resourceId, address, details
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        at = try c.decode(Date.self, forKey: .at)
        actor = try c.decodeIfPresent(String.self, forKey: .actor)
        action = try c.decode(String.self, forKey: .action)
        resourceType = try c.decode(String.self, forKey: .resourceType)
        resourceId = try c.decode(String.self, forKey: .resourceId)
        address = try c.decodeIfPresent(String.self, forKey: .address)
        details = try c.decodeIfPresent([String: String].self, forKey: .details) ?? [:]
        teamId = nil
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(at, forKey: .at)
        try c.encode(actor, forKey: .actor)
        try c.encode(action, forKey: .action)
        try c.encode(resourceType, forKey: .resourceType)
        try c.encode(resourceId, forKey: .resourceId)
        try c.encode(address, forKey: .address)
        try c.encode(details, forKey: .details)
    }
}
