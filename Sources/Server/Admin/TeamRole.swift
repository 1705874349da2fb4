/// A member's role in one team: `owner` (everything, including deleting the team), `admin` (members
/// and environments), `member` (reads the team's traffic).
public enum TeamRole: String, Codable, Sendable, CaseIterable, Comparable {
    case member
    case admin
    case owner

    /// Ranks roles: `member` < `admin` < `owner`.
    var rank: Int {
        switch self {
        case .member: return 0
        case .admin: return 1
        case .owner: return 2
        }
    }

    public static func < (lhs: TeamRole, rhs: TeamRole) -> Bool { lhs.rank < rhs.rank }
}
