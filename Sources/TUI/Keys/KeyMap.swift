/// The key bindings: the single table from which the reducer dispatches keys and the help overlay
/// and footer are generated.
public struct KeyMap: Sendable, Hashable {
    public var bindings: [KeyBinding]

    public init(bindings: [KeyBinding]) { self.bindings = bindings }

    /// The bindings that work in `contexts`, in table order.
    public func bindings(in contexts: [KeyContext]) -> [KeyBinding] {
        bindings.filter { contexts.contains($0.context) }
    }

    /// The command for `key` in the first of `contexts` (in order) that binds it.
    public func command(for key: Key, in contexts: [KeyContext]) -> Command? {
        for context in contexts {
            if let b = bindings.first(where: { $0.context == context && $0.keys.contains(key) }) { return b.command }
        }
        return nil
    }

    /// The contexts active in `state`, most specific first.
    public static func activeContexts(for state: AppState) -> [KeyContext] {
        if state.helpVisible { return [.help] }
        if state.confirmation != nil { return [.confirm] }
        if state.replayResult != nil { return [.replayResult] }
        if state.replayPrompt != nil { return [.replayKey] }
        if state.filter.editing { return [.filter] }
        switch state.screen {
        case .requests: return [state.focus == .list ? .list : .detail, .requests, .global]
        case .stats: return [.stats, .global]
        case .sessions: return [state.focus == .list ? .sessions : .turns, .global]
        }
    }

    /// The built-in bindings.
    public static let standard = KeyMap(bindings: [
        // List
        KeyBinding([.down, .char("j")], .moveDown, "Select the next (older) request", .list, footer: "move"),
        KeyBinding([.up, .char("k")], .moveUp, "Select the previous (newer) request", .list),
        KeyBinding([.char("g"), .home], .top, "Select the newest request", .list, footer: "top/end"),
        KeyBinding([.char("G"), .end], .bottom, "Select the oldest loaded request", .list),
        KeyBinding([.pageDown], .pageDown, "One page down", .list),
        KeyBinding([.pageUp], .pageUp, "One page up", .list),
        KeyBinding([.ctrl("d")], .halfPageDown, "Half a page down", .list),
        KeyBinding([.ctrl("u")], .halfPageUp, "Half a page up", .list),
        KeyBinding([.enter, .tab, .backTab], .focusDetail, "Focus the detail pane", .list, footer: "detail"),
        KeyBinding([.char("e")], .export, "Export the selected record as JSON", .list, footer: "export"),
        KeyBinding([.char("r")], .replay, "Replay: send the selected request again (asks for an API key)", .list, footer: "replay"),
        KeyBinding([.escape], .clearFilter, "Clear the filter", .list),
        // Detail
        KeyBinding([.down, .char("j")], .moveDown, "Scroll down", .detail, footer: "scroll"),
        KeyBinding([.up, .char("k")], .moveUp, "Scroll up", .detail),
        KeyBinding([.char("g"), .home], .top, "Scroll to the top", .detail),
        KeyBinding([.char("G"), .end], .bottom, "Scroll to the end", .detail),
        KeyBinding([.pageDown], .pageDown, "One page down", .detail),
        KeyBinding([.pageUp], .pageUp, "One page up", .detail),
        KeyBinding([.ctrl("d")], .halfPageDown, "Half a page down", .detail),
        KeyBinding([.ctrl("u")], .halfPageUp, "Half a page up", .detail),
        KeyBinding([.enter, .tab, .backTab, .escape], .focusList, "Back to the request list", .detail, footer: "list"),
        KeyBinding([.char("e")], .export, "Export this record as JSON", .detail, footer: "export"),
        KeyBinding([.char("r")], .replay, "Replay: send this request again (asks for an API key)", .detail, footer: "replay"),
        // Requests screen (either pane)
        KeyBinding([.char("]"), .char("l"), .right], .nextTab, "Next detail tab", .requests, footer: "tabs"),
        KeyBinding([.char("["), .char("h"), .left], .previousTab, "Previous detail tab", .requests),
        KeyBinding([.char("/")], .startFilter, "Filter the list (see docs/FILTERS.md)", .requests, footer: "filter"),
        KeyBinding([.char("F")], .toggleFollow, "Follow the newest request", .requests, footer: "follow"),
        KeyBinding(
            [.char("E")],
            .exportList,
            "Export every request the filter matches to a CSV file in the export directory",
            .requests,
            footer: "export list"
        ),
        // Stats screen
        KeyBinding([.down, .char("j")], .moveDown, "Scroll down", .stats, footer: "scroll"),
        KeyBinding([.up, .char("k")], .moveUp, "Scroll up", .stats),
        KeyBinding([.char("g"), .home], .top, "Scroll to the top", .stats),
        KeyBinding([.char("G"), .end], .bottom, "Scroll to the end", .stats),
        KeyBinding([.pageDown, .ctrl("d")], .pageDown, "Page down", .stats),
        KeyBinding([.pageUp, .ctrl("u")], .pageUp, "Page up", .stats),
        KeyBinding([.char("s")], .sortNext, "Sort the tables by the next column", .stats, footer: "sort"),
        KeyBinding([.char("S")], .sortReverse, "Reverse the sort order", .stats, footer: "reverse"),
        // Sessions screen
        KeyBinding([.down, .char("j")], .moveDown, "Select the next (older) session", .sessions, footer: "move"),
        KeyBinding([.up, .char("k")], .moveUp, "Select the previous (newer) session", .sessions),
        KeyBinding([.char("g"), .home], .top, "Select the most recent session", .sessions),
        KeyBinding([.char("G"), .end], .bottom, "Select the oldest session", .sessions),
        KeyBinding([.pageDown, .ctrl("d")], .pageDown, "One page down", .sessions),
        KeyBinding([.pageUp, .ctrl("u")], .pageUp, "One page up", .sessions),
        KeyBinding([.enter, .tab, .backTab], .focusDetail, "Go into the session's turns", .sessions, footer: "turns"),
        KeyBinding(
            [.char("m")],
            .toggleMultiTurn,
            "Only sessions of more than one turn (agent runs, conversations), or all",
            .sessions,
            footer: "multi-turn"
        ),
        KeyBinding([.down, .char("j")], .moveDown, "Select the next turn", .turns, footer: "move"),
        KeyBinding([.up, .char("k")], .moveUp, "Select the previous turn", .turns),
        KeyBinding([.char("g"), .home], .top, "Select the first turn", .turns),
        KeyBinding([.char("G"), .end], .bottom, "Select the last turn", .turns),
        KeyBinding([.pageDown, .ctrl("d")], .pageDown, "One page down", .turns),
        KeyBinding([.pageUp, .ctrl("u")], .pageUp, "One page up", .turns),
        KeyBinding([.enter], .openTurn, "Show the turn on the Requests screen (filtered to its session)", .turns, footer: "open"),
        KeyBinding([.escape, .tab, .backTab], .focusList, "Back to the sessions", .turns, footer: "sessions"),
        // Everywhere
        KeyBinding([.char("1")], .showRequests, "Requests screen", .global, footer: "requests"),
        KeyBinding([.char("2")], .showStats, "Stats screen", .global, footer: "stats"),
        KeyBinding([.char("3")], .showSessions, "Sessions screen: agent runs and conversations with their totals", .global, footer: "sessions"),
        KeyBinding([.char("Z")], .togglePause, "Pause / resume live updates", .global, footer: "pause"),
        KeyBinding([.char("c")], .clear, "Clear all records (asks first)", .global, footer: "clear"),
        KeyBinding([.char("?"), .f(1)], .showHelp, "This help", .global, footer: "help"),
        KeyBinding([.char("q"), .ctrl("c")], .quit, "Quit", .global, footer: "quit"),
        // Filter input
        KeyBinding([.enter], .filterAccept, "Keep the filter and go back to the list", .filter, footer: "accept"),
        KeyBinding([.escape], .filterCancel, "Clear the filter and go back to the list", .filter, footer: "clear"),
        KeyBinding([.backspace], .filterBackspace, "Delete the character before the cursor", .filter),
        KeyBinding([.delete, .ctrl("d")], .filterDelete, "Delete the character under the cursor", .filter),
        KeyBinding([.left, .ctrl("b")], .filterLeft, "Cursor left", .filter),
        KeyBinding([.right, .ctrl("f")], .filterRight, "Cursor right", .filter),
        KeyBinding([.home, .ctrl("a")], .filterHome, "Cursor to the start", .filter),
        KeyBinding([.end, .ctrl("e")], .filterEnd, "Cursor to the end", .filter),
        KeyBinding([.ctrl("u")], .filterClearLine, "Delete everything before the cursor", .filter),
        KeyBinding([.ctrl("w")], .filterDeleteWord, "Delete the word before the cursor", .filter),
        KeyBinding([.ctrl("c")], .quit, "Quit", .filter),
        // Replay
        KeyBinding([.enter], .replayKeyAccept, "Send (an empty key uses the provider's variable, e.g. $OPENAI_API_KEY)", .replayKey, footer: "send"),
        KeyBinding([.escape], .replayKeyCancel, "Cancel", .replayKey, footer: "cancel"),
        KeyBinding([.backspace], .replayKeyBackspace, "Delete the last character", .replayKey),
        KeyBinding([.ctrl("c")], .quit, "Quit", .replayKey),
        KeyBinding([.escape, .enter, .char("q")], .closeReplay, "Close", .replayResult, footer: "close"),
        KeyBinding([.ctrl("c")], .quit, "Quit", .replayResult),
        // Confirmation
        KeyBinding([.char("y"), .char("Y")], .confirmYes, "Yes", .confirm, footer: "yes"),
        KeyBinding([.char("n"), .char("N"), .escape], .confirmNo, "No (any other key too)", .confirm, footer: "no"),
        KeyBinding([.ctrl("c")], .quit, "Quit", .confirm),
        // Help
        KeyBinding([.down, .char("j")], .moveDown, "Scroll down", .help, footer: "scroll"),
        KeyBinding([.up, .char("k")], .moveUp, "Scroll up", .help),
        KeyBinding([.pageDown, .ctrl("d")], .pageDown, "Page down", .help),
        KeyBinding([.pageUp, .ctrl("u")], .pageUp, "Page up", .help),
        KeyBinding([.escape, .char("?"), .char("q"), .enter], .closeHelp, "Close help", .help, footer: "close"),
        KeyBinding([.ctrl("c")], .quit, "Quit", .help),
    ])

    /// The footer entries for `contexts`: the bindings with footer text, most specific context first,
    /// as `(keys, text, command)` with a compact key label (``footerKeyLabel(_:)``).
    public func footerEntries(in contexts: [KeyContext]) -> [(keys: String, text: String, command: Command)] {
        var out: [(keys: String, text: String, command: Command)] = []
        for context in contexts {
            for b in bindings where b.context == context {
                guard let text = b.footer else { continue }
                out.append((footerKeyLabel(b), text, b.command))
            }
        }
        return out
    }

    /// A compact key label for the footer: the binding's first character key (or first key), joined
    /// with its partner's for paired commands (`j/k`, `g/G`, `[/]`).
    public func footerKeyLabel(_ b: KeyBinding) -> String {
        func short(_ binding: KeyBinding) -> String {
            (binding.keys.first { if case .char = $0 { true } else { false } } ?? binding.keys[0]).label
        }
        let partners: [Command: (partner: Command, partnerFirst: Bool)] = [
            .moveDown: (.moveUp, false), .top: (.bottom, false), .nextTab: (.previousTab, true),
        ]
        if let p = partners[b.command], let other = bindings.first(where: { $0.context == b.context && $0.command == p.partner }) {
            return p.partnerFirst ? short(other) + "/" + short(b) : short(b) + "/" + short(other)
        }
        return b.keys.first.map(\.label) ?? ""
    }
}
