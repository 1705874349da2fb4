import Foundation
import Hummingbird

/// An environment: the `{env}` of `/proxy/{env}/…`, owned by one team. Its ingest key is kept only as a
/// SHA-256 hash (``keyHash``), which is never encoded.
public struct AdminEnvironment: Codable, Sendable, Equatable, ResponseEncodable {
    public var id: String
    /// The name in proxy URLs; unique among environments not deleted.
    public var envId: String
    public var teamId: String
    public var name: String?
    /// Whether traffic must carry the ingest key (`/proxy/{env}:{key}/…` or `x-llmtrace-key`).
    public var requireKey: Bool
    /// The SHA-256 (hex) of the ingest key, when one was generated.
    public var keyHash: String?
    /// What this environment's traffic may reach, within the server's own policy (empty: the server's
    /// policy alone).
    public var allowUpstreams: [UpstreamPattern] = []
    public var createdAt: Date
    public var deletedAt: Date?

    public init(
        id: String,
        envId: String,
        teamId: String,
        name: String?,
        requireKey: Bool,
        keyHash: String?,
        allowUpstreams: [UpstreamPattern] = [],
        createdAt: Date,
        deletedAt: Date?
    ) {
        self.allowUpstreams = allowUpstreams
        self.id = id
        self.envId = envId
        self.teamId = teamId
        self.name = name
        self.requireKey = requireKey
        self.keyHash = keyHash
        self.createdAt = createdAt
        self.deletedAt = deletedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, envId, teamId, name, requireKey, allowUpstreams, proxyBaseUrl, createdAt, deletedAt
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        envId = try c.decode(String.self, forKey: .envId)
        teamId = try c.decode(String.self, forKey: .teamId)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        requireKey = try c.decode(Bool.self, forKey: .requireKey)
        keyHash = nil
        allowUpstreams = try (c.decodeIfPresent([String].self, forKey: .allowUpstreams) ?? []).map { try UpstreamPattern($0) }
        createdAt = try c.decode(Date.self, forKey: .createdAt)
        deletedAt = try c.decodeIfPresent(Date.self, forKey: .deletedAt)
    }

    /// The environment as the API shows it; `proxyBaseUrl` is the path clients put before
    /// `/{scheme}/{host}/…` (the server's address in front of it is the client's to know).
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(envId, forKey: .envId)
        try c.encode(teamId, forKey: .teamId)
        try c.encode(name, forKey: .name)
        try c.encode(requireKey, forKey: .requireKey)
        try c.encode(allowUpstreams.map(\.description), forKey: .allowUpstreams)
        try c.encode("/proxy/\(envId)", forKey: .proxyBaseUrl)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(deletedAt, forKey: .deletedAt)
    }
}
