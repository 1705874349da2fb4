import Foundation
import Testing

@testable import Client

@Suite struct ChildProcessTests {
    @Test func outputAndErrorsAreCollectedApart() async throws {
        let child = try ChildProcess(["sh", "-c", "echo out; echo err >&2; exit 3"], captureOutput: true)
        #expect(await child.wait(timeout: .seconds(10)) == 3)
        await child.standardOutput.waitForEnd()
        await child.standardError.waitForEnd()
        #expect(child.standardOutput.text == "out\n")
        #expect(child.standardError.text == "err\n")
    }

    /// A child started from a thread that blocks SIGTERM (as Swift's worker threads can) still ends on
    /// a plain SIGTERM: it is spawned with an empty mask and default actions.
    @Test func aChildStartedFromAThreadThatBlocksSIGTERMStillEndsOnSIGTERM() async throws {
        let started = try await withCheckedThrowingContinuation { (done: CheckedContinuation<ChildProcess, any Error>) in
            let thread = Thread {
                var blocked = sigset_t()
                sigemptyset(&blocked)
                sigaddset(&blocked, SIGTERM)
                sigaddset(&blocked, SIGINT)
                pthread_sigmask(SIG_BLOCK, &blocked, nil)
                do { done.resume(returning: try ChildProcess(["sleep", "30"], captureOutput: false)) } catch { done.resume(throwing: error) }
            }
            thread.start()
        }
        #expect(ChildProcesses.contains(started.pid))
        #if os(Linux)
        let status = try String(contentsOfFile: "/proc/\(started.pid)/status", encoding: .utf8)
        #expect(status.split(separator: "\n").contains("SigBlk:\t0000000000000000"), "\(status)")
        #endif
        started.terminate(grace: .seconds(5))
        #expect(started.exitStatus == 128 + SIGTERM)  // not 128 + SIGKILL
        #expect(!ChildProcesses.contains(started.pid))
    }

    @Test func aMissingProgramIsReported() {
        #expect(throws: ChildProcess.SpawnError.self) { try ChildProcess(["llmtrace-no-such-program"], captureOutput: false) }
    }
}
