import Foundation
import Hummingbird
import NIOCore

/// A Hummingbird `FileProvider` over files held in memory: the web panel as embedded in the binary at
/// build time (`EmbeddedFiles`, from `Sources/Server/Web` by the EmbedResources plugin), so an installed
/// `llmtrace` serves its panel with nothing beside it.
///
/// `FileMiddleware` does the HTTP part as it does for files on disk: content types from the
/// extension, `index.html` for a directory, `ETag` / `Last-Modified` (from the source file's
/// modification time and size at build time) with `304 Not Modified`, ranges, `HEAD`.
struct EmbeddedFileProvider: FileProvider {
    /// What `FileMiddleware` needs to know about a file or directory.
    struct FileAttributes: Sendable, FileMiddlewareFileAttributes {
        let isFolder: Bool
        let size: Int
        let modificationDate: Date
    }

    /// A file or directory: its path without leading or trailing `/` (`""` is the root).
    struct FileIdentifier: Sendable, Hashable {
        let path: String
    }

    private struct File: Sendable {
        let body: ByteBuffer
        let modificationDate: Date
    }

    private let files: [String: File]
    private let folders: Set<String>
    private let newest: Date

    /// Serves `files` (relative path, `/`-separated → contents and modification time in seconds since 1970).
    init(files: [String: (contents: String, modified: Int)]) {
        var stored: [String: File] = [:]
        var folders: Set<String> = [""]
        var newest = Date(timeIntervalSince1970: 0)
        for (path, file) in files {
            let date = Date(timeIntervalSince1970: TimeInterval(file.modified))
            stored[path] = File(body: ByteBuffer(string: file.contents), modificationDate: date)
            newest = max(newest, date)
            var parts = path.split(separator: "/").dropLast()
            while !parts.isEmpty {
                folders.insert(parts.joined(separator: "/"))
                parts = parts.dropLast()
            }
        }
        self.files = stored
        self.folders = folders
        self.newest = newest
    }

    /// The web panel embedded in this build.
    static let panel = EmbeddedFileProvider(files: EmbeddedFiles.all.mapValues { ($0.contents, $0.modified) })

    /// Whether `path` (relative, e.g. `index.html`) is one of the provider's files.
    func contains(_ path: String) -> Bool { files[path] != nil }

    func getFileIdentifier(_ path: String) -> FileIdentifier? {
        var key = Substring(path)
        while key.first == "/" { key = key.dropFirst() }
        while key.last == "/" { key = key.dropLast() }
        let id = String(key)
        return files[id] != nil || folders.contains(id) ? FileIdentifier(path: id) : nil
    }

    func getAttributes(id: FileIdentifier) async throws -> FileAttributes? {
        if let file = files[id.path] {
            return FileAttributes(isFolder: false, size: file.body.readableBytes, modificationDate: file.modificationDate)
        }
        return folders.contains(id.path) ? FileAttributes(isFolder: true, size: 0, modificationDate: newest) : nil
    }

    func loadFile(id: FileIdentifier, context: some RequestContext) async throws -> ResponseBody {
        guard let file = files[id.path] else { throw HTTPError(.notFound) }
        return ResponseBody(byteBuffer: file.body)
    }

    func loadFile(id: FileIdentifier, range: ClosedRange<Int>, context: some RequestContext) async throws -> ResponseBody {
        guard let file = files[id.path] else { throw HTTPError(.notFound) }
        let lower = max(range.lowerBound, 0)
        let upper = min(range.upperBound, file.body.readableBytes - 1)
        guard lower <= upper, let slice = file.body.getSlice(at: file.body.readerIndex + lower, length: upper - lower + 1) else {
            throw HTTPError(.rangeNotSatisfiable)
        }
        return ResponseBody(byteBuffer: slice)
    }
}
