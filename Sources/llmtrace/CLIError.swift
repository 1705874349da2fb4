/// A command failure: ArgumentParser prints `Error: <message>` and exits with status 1.
struct CLIError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
