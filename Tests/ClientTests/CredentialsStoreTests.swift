import Foundation
import Synchronization
import Testing

@testable import Client

#if canImport(Glibc)
import Glibc
#endif

@Suite struct CredentialsStoreTests {
    /// A store in a fresh directory that does not exist yet.
    static func freshStore() -> (CredentialsStore, String) {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("llmtrace-credentials-\(UUID().uuidString)").path
        return (CredentialsStore(path: dir + "/sub/credentials.json"), dir)
    }

    static func mode(_ path: String) -> Int {
        var st = stat()
        guard stat(path, &st) == 0 else { return -1 }
        return Int(st.st_mode & 0o777)
    }

    @Test func thePathComesFromTheEnvironment() {
        #expect(CredentialsStore.defaultPath(environment: ["HOME": "/home/alice"]) == "/home/alice/.llmtrace/credentials.json")
        #expect(CredentialsStore.defaultPath(environment: ["HOME": "/h", "LLMTRACE_CREDENTIALS": "/tmp/c.json"]) == "/tmp/c.json")
    }

    @Test func writesA0600FileInA0700DirectoryAndKeepsOneEntryPerServer() async throws {
        let (store, root) = Self.freshStore()
        defer { try? FileManager.default.removeItem(atPath: root) }
        #expect(try store.read().isEmpty)
        try await store.save(SavedSession(server: "http://a", email: "alice@example.com", refreshToken: "r1"))
        try await store.save(SavedSession(server: "http://b", email: "bob@example.com", refreshToken: "r2"))
        try await store.save(SavedSession(server: "http://a", email: "alice@example.com", refreshToken: "r3"))
        #expect(Self.mode(store.path) == 0o600)
        #expect(Self.mode((store.path as NSString).deletingLastPathComponent) == 0o700)
        let all = try store.read()
        #expect(all.count == 2 && all["http://a"]?.refreshToken == "r3" && all["http://b"]?.email == "bob@example.com")
        // Only refresh tokens are written down, and the file names its servers plainly.
        let text = try String(contentsOfFile: store.path, encoding: .utf8)
        #expect(text.contains("\"http://a\"") && !text.contains("accessToken"))
        #expect(try await store.remove("http://a")?.refreshToken == "r3")
        #expect(try await store.remove("http://a") == nil)
        #expect(try store.read().keys.sorted() == ["http://b"])
    }

    @Test func aRewriteIsAtomicAndRepairsLoosePermissions() async throws {
        let (store, root) = Self.freshStore()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await store.save(SavedSession(server: "http://a", email: "a@example.com", refreshToken: "old"))
        chmod(store.path, 0o644)
        // A reader holding the old file keeps reading the old contents: the new file replaces it by rename.
        let before = try #require(FileHandle(forReadingAtPath: store.path))
        var st = stat()
        stat(store.path, &st)
        let oldInode = st.st_ino
        try await store.save(SavedSession(server: "http://a", email: "a@example.com", refreshToken: "new"))
        stat(store.path, &st)
        #expect(st.st_ino != oldInode)
        #expect(String(decoding: before.readDataToEndOfFile(), as: UTF8.self).contains("old"))
        try before.close()
        #expect(Self.mode(store.path) == 0o600)
        #expect(try store.session(for: "http://a")?.refreshToken == "new")
        // No temporary file is left behind.
        let dir = (store.path as NSString).deletingLastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["credentials.json", "credentials.json.lock"])
    }

    @Test func aDamagedFileSaysWhatToDo() async throws {
        let (store, root) = Self.freshStore()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await store.save(SavedSession(server: "http://a", email: "a@example.com", refreshToken: "r"))
        try "{not json".write(toFile: store.path, atomically: true, encoding: .utf8)
        #expect(throws: ClientError.self) { try store.read() }
        do {
            _ = try store.read()
        } catch {
            #expect(error.description.contains("remove it and sign in again"))
        }
    }

    /// A server's refresh endpoint: every token works once; a spent one used again revokes the session.
    final class FakeRefreshServer: Sendable {
        struct State {
            var valid: Set<String> = ["t0"]
            var spent: Set<String> = []
            var issued = 0
            var reused = 0
        }
        let state = Mutex(State())

        func exchange(_ token: String) async throws(ClientError) -> TokenPair {
            let answer: String? = state.withLock { s in
                guard s.valid.remove(token) != nil else {
                    if s.spent.contains(token) {
                        s.reused += 1
                        s.valid = []
                    }
                    return nil
                }
                s.spent.insert(token)
                s.issued += 1
                let next = "t\(s.issued)"
                s.valid.insert(next)
                return next
            }
            try? await Task.sleep(for: .milliseconds(5))  // the network, while others wait for the lock
            guard let answer else { throw .sessionEnded(server: "http://a", signIn: "llmtrace login --server http://a") }
            return TokenPair(accessToken: "access-\(answer)", refreshToken: answer, expiresIn: 900, user: Account(id: "u", email: "a@example.com"))
        }
    }

    @Test func concurrentRefreshesNeverSpendATokenTwiceAndTheLastOneIsSaved() async throws {
        let (store, root) = Self.freshStore()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try await store.save(SavedSession(server: "http://a", email: "a@example.com", refreshToken: "t0"))
        let server = FakeRefreshServer()
        let httpKey = try ServerKey(address: ServerAddress("http://a"))
        // Sixteen "processes", each with a store of its own on the same file, refresh at once.
        try await withThrowingTaskGroup(of: TokenPair.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    try await SessionTokens.refresh(key: httpKey, store: CredentialsStore(path: store.path)) { token async throws(ClientError) in
                        try await server.exchange(token)
                    }
                }
            }
            var seen: Set<String> = []
            for try await pair in group { seen.insert(pair.refreshToken) }
            #expect(seen.count == 16)
        }
        let final = server.state.withLock { $0 }
        #expect(final.reused == 0 && final.issued == 16)
        #expect(try store.session(for: "http://a")?.refreshToken == "t16")
    }

    @Test func oneProcessSharesOneRefreshAndARefusedSessionIsForgotten() async throws {
        let (store, root) = Self.freshStore()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let key = try ServerKey(address: ServerAddress("http://a"))
        try await store.save(SavedSession(server: key.id, email: "a@example.com", refreshToken: "t0"))
        let server = FakeRefreshServer()
        let session = SessionTokens(key: key, store: store)
        let exchange: @Sendable (String) async throws(ClientError) -> TokenPair = { token async throws(ClientError) in
            try await server.exchange(token)
        }
        let tokens = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<8 { group.addTask { try await session.accessToken(exchange: exchange) } }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        #expect(tokens == ["access-t1"])
        #expect(server.state.withLock { $0.issued } == 1)
        // Another process spends the saved token meanwhile and writes the new one: this one re-reads it.
        _ = try await SessionTokens.refresh(key: key, store: store, exchange: exchange)
        await session.discard("access-t1")
        #expect(try await session.accessToken(exchange: exchange) == "access-t3")
        #expect(server.state.withLock { $0.reused } == 0)
        // The server refuses the saved token (revoked): the session ends with the sign-in command, and
        // the entry is removed.
        server.state.withLock { $0.valid = [] }
        await session.discard("access-t3")
        await #expect(throws: ClientError.sessionEnded(server: "http://a", signIn: "llmtrace login --server http://a")) {
            try await session.accessToken(exchange: exchange)
        }
        #expect(try store.session(for: key.id) == nil)
    }
}

@Suite struct ServerKeyTests {
    @Test func serversAreKeyedByTheirNormalizedBaseURL() throws {
        func key(_ s: String) throws -> String { try ServerKey(address: ServerAddress(s)).id }
        #expect(try key("HTTP://LocalHost:80/") == "http://localhost")
        #expect(try key("https://trace.example.com:443/base/") == "https://trace.example.com/base")
        #expect(try key("http://127.0.0.1:8080") == "http://127.0.0.1:8080")
        #expect(try key("127.0.0.1:8080") == "http://127.0.0.1:8080")
        #expect(try key("http://[::1]:8080/") == "http://[::1]:8080")
        #expect(try key("unix:///run/user/1/../1/llmtrace.sock") == "unix:///run/user/1/llmtrace.sock")
        let k = try ServerKey(address: ServerAddress("http://127.0.0.1:8080/"))
        #expect(k.signInCommand == "llmtrace login --server http://127.0.0.1:8080")
    }

    @Test func sshTargetsAreKeyedByTheTargetAndTheRemoteSocket() {
        let plain = ServerKey(sshTarget: "me@prod:2222", remoteSocket: nil)
        #expect(plain.id == "ssh://me@prod:2222" && plain.signInCommand == "llmtrace login --ssh me@prod:2222")
        let socket = ServerKey(sshTarget: "prod-box", remoteSocket: "/run/llmtrace.sock")
        #expect(socket.id == "ssh://prod-box/run/llmtrace.sock")
        #expect(socket.signInCommand == "llmtrace login --ssh prod-box --remote-socket /run/llmtrace.sock")
        #expect(
            ClientError.sessionEnded(server: socket.label, signIn: socket.signInCommand).description
                == "your session for ssh prod-box → /run/llmtrace.sock has ended; sign in again with: llmtrace login --ssh prod-box --remote-socket /run/llmtrace.sock"
        )
    }
}
