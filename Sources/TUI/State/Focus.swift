/// Which pane of the Requests screen has the keyboard.
public enum Focus: Sendable, Hashable {
    case list
    case detail
}
