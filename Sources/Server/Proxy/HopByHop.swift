/// Headers that belong to one connection and are never forwarded (RFC 9110 §7.6.1), plus those the
/// proxy sets itself.
enum HopByHop {
    static let names: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
        "proxy-authenticate", "proxy-authorization",
    ]

    /// Header names to drop from a message: the fixed list, anything its `Connection` header values
    /// name, and `extra`.
    static func dropped(connection values: some Sequence<String>, extra: Set<String>) -> Set<String> {
        var drop = names.union(extra)
        for value in values {
            for token in value.split(separator: ",") {
                drop.insert(token.trimmingCharacters(in: .whitespaces).lowercased())
            }
        }
        return drop
    }
}
