import Foundation
import LLMTraceModel

/// Finds SwiftPM resource bundles next to the running executable (or test bundle) without
/// `Bundle.module`, whose generated accessor calls `fatalError` on Linux when the bundle is missing.
public enum ResourceLocator {
    private final class BundleFinder {}

    /// Directories that may hold `<package>_<target>.resources`, most likely first.
    public static func searchDirectories() -> [URL] {
        var directories: [URL] = []
        func add(_ url: URL?) {
            guard let url else { return }
            let standardized = url.standardizedFileURL
            if !directories.contains(standardized) { directories.append(standardized) }
        }
        let main = Bundle.main
        if let executable = main.executableURL {
            add(executable.deletingLastPathComponent())
            add(executable.resolvingSymlinksInPath().deletingLastPathComponent())
        }
        add(main.bundleURL)
        add(main.resourceURL)
        let own = Bundle(for: BundleFinder.self)
        add(own.bundleURL)
        add(own.bundleURL.deletingLastPathComponent())
        add(own.resourceURL)
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            add(bundle.bundleURL.deletingLastPathComponent())
            add(bundle.bundleURL)
            add(bundle.resourceURL)
        }
        if let argument = CommandLine.arguments.first, !argument.isEmpty {
            let url = URL(fileURLWithPath: argument)
            add(url.deletingLastPathComponent())
            add(url.resolvingSymlinksInPath().deletingLastPathComponent())
        }
        return directories
    }

    /// The first existing `<bundle>.resources/<path>` (a file or directory), or `nil`.
    public static func find(bundle: String, path: String) -> URL? {
        for directory in searchDirectories() {
            for name in ["\(bundle).resources", "\(bundle).bundle/Contents/Resources", "\(bundle).bundle"] {
                let url = directory.appendingPathComponent(name).appendingPathComponent(path)
                if FileManager.default.fileExists(atPath: url.path) { return url }
            }
        }
        return nil
    }
}
