import Foundation

// MARK: - Name forms

extension PriceTable {
    /// The forms under which a table key is found: the key, its path suffixes, and Bedrock-style ids
    /// normalised (`us.anthropic.claude-x-v1:0` → `claude-x`, `claude-x@20250101` → `claude-x-20250101`).
    static func indexForms(of key: String) -> [String] {
        var forms: [String] = []
        for suffix in pathSuffixes(of: key.lowercased()) {
            for form in [suffix, vertexDate(suffix), bedrockNormalized(suffix)] {
                if let form, !form.isEmpty, !forms.contains(form) { forms.append(form) }
            }
        }
        return forms
    }

    /// The names tried for a lower-cased query, most specific first.
    static func candidates(for query: String) -> [String] {
        var list: [String] = []
        func add(_ name: String?) {
            if let name, !name.isEmpty, !list.contains(name) { list.append(name) }
        }
        var bases = [query]
        if query.hasPrefix("models/") { bases.append(String(query.dropFirst("models/".count))) }
        for base in bases {
            add(base)
            add(vertexDate(base))
        }
        for name in list { pathSuffixes(of: name).forEach(add) }
        for name in list { add(bedrockNormalized(name)) }
        for name in list {
            var current = name
            while let stripped = strippingDateOrLatest(current) {
                add(stripped)
                add(stripped + "-latest")
                current = stripped
            }
        }
        for name in list where name.contains(".") {
            add(name.replacingOccurrences(of: ".", with: "-"))
        }
        return list
    }

    /// `a/b/c` → [`a/b/c`, `b/c`, `c`].
    fileprivate static func pathSuffixes(of name: String) -> [String] {
        var result = [name]
        var rest = Substring(name)
        while let slash = rest.firstIndex(of: "/") {
            rest = rest[rest.index(after: slash)...]
            if !rest.isEmpty { result.append(String(rest)) }
        }
        return result
    }

    /// Vertex AI's `claude-x@20250101` → `claude-x-20250101`.
    fileprivate static func vertexDate(_ name: String) -> String? {
        guard let at = name.lastIndex(of: "@") else { return nil }
        let date = name[name.index(after: at)...]
        guard !date.isEmpty, date.allSatisfy(\.isASCIIDigit) else { return nil }
        return String(name[..<at]) + "-" + String(date)
    }

    /// Bedrock ids without region/vendor prefixes and version suffix:
    /// `us.anthropic.claude-sonnet-4-5-20250929-v1:0` → `claude-sonnet-4-5-20250929`.
    fileprivate static func bedrockNormalized(_ name: String) -> String? {
        var s = Substring(name)
        // Version suffix: "-v1:0" ("-v2:0" is kept as "-v2": there the version is part of the model's
        // name, as in `amazon.titan-embed-text-v2:0` or `anthropic.claude-v2:1`), or ":0" alone.
        if let colon = s.lastIndex(of: ":"), s.index(after: colon) < s.endIndex,
            s[s.index(after: colon)...].allSatisfy(\.isASCIIDigit)
        {
            s = s[..<colon]
            if s.hasSuffix("-v1"), s.count > 3 { s = s.dropLast(3) }
        }
        // Region and vendor prefixes: dot-terminated words of letters and dashes ("us.", "us-gov.",
        // "anthropic."), or "ai21.". A dot after a digit ("gpt-4.1", "gemini-2.5") is part of the name.
        while let dot = s.firstIndex(of: ".") {
            let word = s[..<dot]
            let isPrefix =
                word == "ai21" || (!word.isEmpty && word.allSatisfy { $0 == "-" || ("a"..."z").contains($0) })
            let rest = s[s.index(after: dot)...]
            guard isPrefix, !rest.isEmpty else { break }
            s = rest
        }
        let result = String(s)
        return result == name ? nil : result
    }

    /// Strips one trailing date or `latest` suffix: `-2024-08-06`, `-20250929`, `-08-2024`, `-0709`,
    /// `-latest`, `:latest`; `nil` when there is none.
    fileprivate static func strippingDateOrLatest(_ name: String) -> String? {
        for suffix in ["-latest", ":latest"] where name.hasSuffix(suffix) && name.count > suffix.count {
            return String(name.dropLast(suffix.count))
        }
        let parts = name.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 2 else { return nil }
        func digits(_ part: Substring, _ count: Int) -> Bool {
            part.count == count && part.allSatisfy(\.isASCIIDigit)
        }
        let n = parts.count
        var drop = 0
        if n >= 4, digits(parts[n - 3], 4), digits(parts[n - 2], 2), digits(parts[n - 1], 2) {
            drop = 3  // -2024-08-06
        } else if digits(parts[n - 1], 8) {
            drop = 1  // -20250929
        } else if n >= 3, digits(parts[n - 2], 2), digits(parts[n - 1], 4) {
            drop = 2  // -08-2024
        } else if digits(parts[n - 1], 4) {
            drop = 1  // -0709, -2407
        }
        guard drop > 0, parts.count - drop >= 1 else { return nil }
        let base = parts.dropLast(drop).joined(separator: "-")
        return base.isEmpty ? nil : base
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
