import Foundation
import PackagePlugin

/// Embeds a target's data files in the target itself, so the installed `llmtrace` binary needs nothing
/// beside it (no SwiftPM resource bundle to copy).
///
/// For each of the target's directories named in ``embeddedDirectories`` that exists, every file under
/// it becomes an entry of a generated `EmbeddedFiles` enum (path relative to that directory → contents,
/// as a raw string literal, which the compiler places in read-only data as it is). The directories
/// must be `exclude:`d from the target in Package.swift. The generator is `embed-resources`
/// (`Sources/EmbedResourcesTool`).
@main
struct EmbedResources: BuildToolPlugin {
    /// The directories, relative to a target's source directory, whose files are embedded.
    static let embeddedDirectories = ["Resources", "Web"]

    func createBuildCommands(context: PluginContext, target: any Target) async throws -> [Command] {
        let tool = try context.tool(named: "embed-resources")
        let fileManager = FileManager.default
        var roots: [URL] = []
        var inputs: [URL] = []
        let directory = target.directoryURL
        for name in Self.embeddedDirectories {
            let root = directory.appending(path: name, directoryHint: .isDirectory)
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: root.path, isDirectory: &isDirectory), isDirectory.boolValue else { continue }
            roots.append(root)
            guard let walker = fileManager.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { continue }
            for case let file as URL in walker {
                if (try? file.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true { inputs.append(file) }
            }
        }
        guard !roots.isEmpty else { return [] }
        let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedFiles.swift")
        return [
            .buildCommand(
                displayName: "Embedding \(inputs.count) files in \(target.name)",
                executable: tool.url,
                arguments: [output.path] + roots.map(\.path),
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
