import Foundation

/// `llmtrace setup systemd`: sends a systemd service's HTTPS through llmtrace's forward proxy with
/// llmtrace's CA trusted, by a drop-in (`UNIT.d/llmtrace.conf`) that holds a clearly marked block of
/// `Environment=` lines; `undo` removes the block. Writing the same block again changes nothing.
public struct SystemdSetup: Sendable {
    /// The unit, e.g. `openclaw-gateway.service`.
    public var unit: String
    /// Where drop-ins go: `~/.config/systemd/user` for `--user`, else `/etc/systemd/system`.
    public var unitDirectory: String
    /// `systemctl --user` rather than the system manager.
    public var user: Bool
    /// The variables the service gets.
    public var environment: [(String, String)]

    public static let beginMarker = "# >>> llmtrace managed block: written by `llmtrace setup systemd`, removed by its --undo >>>"
    public static let endMarker = "# <<< llmtrace managed block <<<"

    public init(unit: String, unitDirectory: String, user: Bool, environment: [(String, String)]) {
        self.unit = unit
        self.unitDirectory = unitDirectory
        self.user = user
        self.environment = environment
    }

    /// The default drop-in directory for the user or system manager.
    public static func defaultUnitDirectory(user: Bool, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        guard user else { return "/etc/systemd/system" }
        let config =
            environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? ((environment["HOME"] ?? NSHomeDirectory()) as NSString).appendingPathComponent(".config")
        return (config as NSString).appendingPathComponent("systemd/user")
    }

    /// The drop-in file.
    public var dropInPath: String {
        ((unitDirectory as NSString).appendingPathComponent("\(unit).d") as NSString).appendingPathComponent("llmtrace.conf")
    }

    /// The marked block (`%` doubled and `"` escaped, as systemd reads `Environment=`).
    public var block: String {
        let lines = environment.map { name, value in
            let quoted = value.replacingOccurrences(of: "%", with: "%%").replacingOccurrences(of: "\"", with: "\\\"")
            return "Environment=\"\(name)=\(quoted)\""
        }
        return ([Self.beginMarker, "[Service]"] + lines + [Self.endMarker]).joined(separator: "\n") + "\n"
    }

    /// `text` with the managed block replaced by `block` (or removed, for `nil`), other lines kept.
    public static func replacingBlock(in text: String, with block: String?) -> String {
        var kept: [Substring] = []
        var inside = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line == beginMarker {
                inside = true
            } else if inside, line == endMarker {
                inside = false
            } else if !inside {
                kept.append(line)
            }
        }
        var rest = kept.joined(separator: "\n").trimmingCharacters(in: .newlines)
        if !rest.isEmpty { rest += "\n" }
        guard let block else { return rest }
        return rest.isEmpty ? block : rest + "\n" + block
    }

    /// What applying (or undoing) would leave in the drop-in: `nil` for no file at all.
    public func planned(undo: Bool) -> (current: String?, next: String?) {
        let current = try? String(contentsOfFile: dropInPath, encoding: .utf8)
        let next = Self.replacingBlock(in: current ?? "", with: undo ? nil : block)
        return (current, next.isEmpty ? nil : next)
    }

    /// Writes (or removes) the drop-in; returns whether it changed.
    public func write(undo: Bool) throws -> Bool {
        let (current, next) = planned(undo: undo)
        guard current != next else { return false }
        let files = FileManager.default
        if let next {
            try files.createDirectory(atPath: (dropInPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try next.write(toFile: dropInPath, atomically: true, encoding: .utf8)
        } else {
            try files.removeItem(atPath: dropInPath)
            // An empty UNIT.d this setup made goes too.
            let directory = (dropInPath as NSString).deletingLastPathComponent
            if (try? files.contentsOfDirectory(atPath: directory))?.isEmpty == true { try? files.removeItem(atPath: directory) }
        }
        return true
    }

    /// The `systemctl` calls that make the change take effect.
    public var systemctlCalls: [[String]] {
        let scope = user ? ["--user"] : []
        return [scope + ["daemon-reload"], scope + ["restart", unit]]
    }

    /// The unit `openclaw gateway status` names (the first `NAME.service` in its output), if any.
    public static func unitNamed(inStatus output: String) -> String? {
        output.split(whereSeparator: { $0.isWhitespace || "\"'(),:;[]".contains($0) })
            .first { $0.hasSuffix(".service") && $0.count > ".service".count && !$0.contains("/") }
            .map(String.init)
    }
}
