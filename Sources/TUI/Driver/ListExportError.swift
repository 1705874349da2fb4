/// Why `E`'s export of the filtered list failed, in words for the status line.
struct ListExportError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
