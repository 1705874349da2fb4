import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Server

/// The web panel compiled into the binary, served by `FileMiddleware` over `EmbeddedFileProvider`.
@Suite struct EmbeddedPanelTests {
    @Test func theWholePanelIsEmbedded() {
        let panel = EmbeddedFileProvider.panel
        for file in ["index.html", "app.js", "api.js", "style.css", "favicon.svg", "views/requests.js", "views/detail.js", "views/stats.js"] {
            #expect(panel.contains(file), "\(file)")
        }
        // The text is exactly the file's (checked against the source tree the test was built from).
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Sources/Server/Web/index.html").standardizedFileURL
        if let onDisk = try? String(contentsOf: source, encoding: .utf8) {
            #expect(EmbeddedFiles.all["index.html"]?.contents == onDisk)
        }
    }

    @Test func servesTheEmbeddedPanelWithoutAWebRoot() async throws {
        try await APITestApp.with { _, client in
            let index = try await client.execute(uri: "/", method: .get)
            #expect(index.status == .ok)
            #expect(index.headers[.contentType]?.hasPrefix("text/html") == true)
            #expect(index.text == EmbeddedFiles.all["index.html"]?.contents)
            #expect(index.headers[.cacheControl] == "no-cache")
            #expect(try await client.execute(uri: "/index.html", method: .get).text == index.text)

            let script = try await client.execute(uri: "/views/stats.js", method: .get)
            #expect(script.status == .ok)
            #expect(script.headers[.contentType]?.contains("javascript") == true)
            #expect(script.headers[.contentLength] == String(script.body.readableBytes))
            let svg = try await client.execute(uri: "/favicon.svg", method: .get)
            #expect(svg.headers[.contentType]?.hasPrefix("image/svg+xml") == true)

            let etag = try #require(script.headers[.eTag])
            #expect(try await client.execute(uri: "/views/stats.js", method: .get, headers: [.ifNoneMatch: etag]).status == .notModified)
            let lastModified = try #require(script.headers[.lastModified])
            #expect(try await client.execute(uri: "/views/stats.js", method: .get, headers: [.ifModifiedSince: lastModified]).status == .notModified)

            let head = try await client.execute(uri: "/style.css", method: .head)
            #expect(head.status == .ok && head.body.readableBytes == 0)
            let range = try await client.execute(uri: "/style.css", method: .get, headers: [.range: "bytes=5-"])
            #expect(range.status == .partialContent)
            let css = try #require(EmbeddedFiles.all["style.css"]?.contents)
            #expect(range.text == String(decoding: Array(css.utf8.dropFirst(5)), as: UTF8.self))

            #expect(try await client.execute(uri: "/views", method: .get).status == .movedPermanently)
            #expect(try await client.execute(uri: "/views/", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/nope.js", method: .get).status == .notFound)
            #expect(try await client.execute(uri: "/../Package.swift", method: .get).status == .badRequest)
            #expect(try await client.execute(uri: "/app.js", method: .post).status == .notFound)
            // An API 404 is never answered from the panel.
            #expect(try await client.execute(uri: "/api/requests/nope", method: .get).status == .notFound)
        }
    }

    @Test func aFileProviderOverStrings() async throws {
        let provider = EmbeddedFileProvider(files: ["a/b/c.txt": ("hello", 1_000), "top.txt": ("x", 2_000)])
        #expect(provider.getFileIdentifier("/a/b/c.txt") != nil)
        #expect(provider.getFileIdentifier("/a/b/") != nil)
        #expect(provider.getFileIdentifier("/a/missing") == nil)
        let folderID = try #require(provider.getFileIdentifier("/a"))
        let folder = try #require(try await provider.getAttributes(id: folderID))
        #expect(folder.isFolder && folder.modificationDate == Date(timeIntervalSince1970: 2_000))
        let fileID = try #require(provider.getFileIdentifier("a/b/c.txt"))
        let file = try #require(try await provider.getAttributes(id: fileID))
        #expect(!file.isFolder && file.size == 5 && file.modificationDate == Date(timeIntervalSince1970: 1_000))
    }
}
