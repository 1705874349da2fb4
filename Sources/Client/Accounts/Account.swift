/// An account of a shared-mode server, as `/admin/login` and `/admin/me` describe it.
public struct Account: Codable, Sendable, Equatable {
    public var id: String
    public var email: String
    public var name: String?
    public var systemAdmin: Bool

    public init(id: String, email: String, name: String? = nil, systemAdmin: Bool = false) {
        self.id = id
        self.email = email
        self.name = name
        self.systemAdmin = systemAdmin
    }
}

/// A team the account belongs to, with its role there (`owner`, `admin` or `member`).
public struct AccountTeam: Codable, Sendable, Equatable {
    public var id: String
    public var slug: String
    public var name: String
    public var role: String

    public init(id: String, slug: String, name: String, role: String) {
        self.id = id
        self.slug = slug
        self.name = name
        self.role = role
    }
}

/// Who is signed in (`GET /admin/me`): the account and its teams.
public struct AccountIdentity: Codable, Sendable, Equatable {
    public var user: Account
    public var teams: [AccountTeam]

    public init(user: Account, teams: [AccountTeam]) {
        self.user = user
        self.teams = teams
    }

    /// `alice@example.com · alpha (admin), beta (member)`; a system administrator without teams is
    /// `root@example.com · system administrator`.
    public var summary: String {
        var parts = teams.map { "\($0.slug) (\($0.role))" }.joined(separator: ", ")
        if parts.isEmpty {
            parts = user.systemAdmin ? "system administrator" : "no team yet"
        } else if user.systemAdmin {
            parts += "; system administrator"
        }
        return "\(user.email) · \(parts)"
    }
}

/// `POST /admin/login` and `POST /admin/refresh`: a new access token and a new refresh token.
public struct TokenPair: Decodable, Sendable {
    public var accessToken: String
    public var refreshToken: String
    /// Seconds the access token lives.
    public var expiresIn: Int
    public var user: Account
}
