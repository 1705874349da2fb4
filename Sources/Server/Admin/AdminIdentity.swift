/// The signed-in caller of a shared-mode request: the account and its live teams with roles.
struct AdminIdentity: Sendable {
    var user: AdminUser
    /// Role per team id, for the live teams the user is a live member of.
    var roles: [String: TeamRole]

    var isSystemAdmin: Bool { user.systemAdmin }

    /// The caller's role in `teamID`, if a member.
    func role(in teamID: String) -> TeamRole? { roles[teamID] }
}
