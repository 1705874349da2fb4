import HTTPTypes
import LLMTraceModel
import NIOHTTP1

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

    /// The client's request headers as they go upstream: `Host` first when given, then every field but
    /// the hop-by-hop ones and `unforwarded`, with their names as the client spelled them.
    static func forwardedRequest(_ fields: HTTPFields, host: String?, unforwarded: Set<String>) -> HTTPHeaders {
        var headers = HTTPHeaders()
        headers.reserveCapacity(fields.count + 1)
        if let host { headers.add(name: "host", value: host) }
        let drop = dropped(connection: fields[values: .connection], extra: unforwarded)
        for field in fields where !drop.contains(field.name.canonicalName) {
            headers.add(name: field.name.rawName, value: field.value)
        }
        return headers
    }

    /// The upstream's response headers as they go to the client (hop-by-hop ones dropped, names HTTP
    /// does not allow skipped, `x-llmtrace-id` set to `id`) and as they are recorded.
    static func forwardedResponse(_ headers: HTTPHeaders, id: String?) -> (fields: HTTPFields, captured: [HeaderField]) {
        var fields = HTTPFields()
        var captured: [HeaderField] = []
        captured.reserveCapacity(headers.count)
        let drop = dropped(connection: headers["connection"], extra: [])
        for (name, value) in headers where !drop.contains(name.lowercased()) {
            guard let fieldName = HTTPField.Name(name) else { continue }
            fields.append(HTTPField(name: fieldName, value: value))
            captured.append(HeaderField(name: name, value: value))
        }
        if let id { fields[ProxyHandler.idHeader] = id }
        return (fields, captured)
    }
}
