import Foundation
import Testing

@testable import Client

@Suite struct SSHTunnelTests {
    @Test func destinationsCoverAliasesPortsAndIPv6() throws {
        #expect(try SSHTunnel.destination("prod-box") == ["prod-box"])
        #expect(try SSHTunnel.destination("me@prod-box") == ["me@prod-box"])
        #expect(try SSHTunnel.destination("me@host:2222") == ["-p", "2222", "me@host"])
        #expect(try SSHTunnel.destination("host:2222") == ["-p", "2222", "host"])
        #expect(try SSHTunnel.destination("me@[::1]:2222") == ["-p", "2222", "me@::1"])
        #expect(try SSHTunnel.destination("me@[fe80::1%eth0]") == ["me@fe80::1%eth0"])
        #expect(try SSHTunnel.destination("[2001:db8::5]:22") == ["-p", "22", "2001:db8::5"])
        #expect(try SSHTunnel.destination("me@2001:db8::5") == ["me@2001:db8::5"])
        #expect(try SSHTunnel.destination("ssh://me@host:2222") == ["ssh://me@host:2222"])
        for bad in ["", "-oProxyCommand=x", "me@[::1", "me@[::1]x", "me@[::1]:0", "me@host:ssh", "me host"] {
            #expect(throws: ClientError.self, "\(bad)") { try SSHTunnel.destination(bad) }
        }
    }

    @Test func userOptionsComeFirstSoTheyOverrideTheDefaults() {
        let arguments = SSHTunnel.commonArguments(options: ["ConnectTimeout=30", "ProxyJump=bastion"], configFile: "/tmp/cfg")
        #expect(Array(arguments.prefix(6)) == ["-F", "/tmp/cfg", "-o", "ConnectTimeout=30", "-o", "ProxyJump=bastion"])
        #expect(arguments.contains("BatchMode=yes"))
        #expect((arguments.firstIndex(of: "ConnectTimeout=30") ?? .max) < (arguments.firstIndex(of: "ConnectTimeout=10") ?? -1))
    }

    @Test func theSocketAnswerIsFoundAmongALoginShellsNoise() {
        let noisy = """
            Welcome to prod-box!
            You have new mail.

            <llmtrace-socket ok /run/user/1000/llmtrace.sock llmtrace-socket>
            bye

            """
        let found = SSHTunnel.parseSocketAnswer(noisy)
        #expect(found?.exists == true)
        #expect(found?.path == "/run/user/1000/llmtrace.sock")
        let missing = SSHTunnel.parseSocketAnswer("\n<llmtrace-socket missing /root/.llmtrace/llmtrace.sock llmtrace-socket>\n")
        #expect(missing?.exists == false)
        #expect(missing?.path == "/root/.llmtrace/llmtrace.sock")
        // A path with spaces survives; the query echoed by a shell (`set -v` to stdout) is not an answer.
        #expect(SSHTunnel.parseSocketAnswer("<llmtrace-socket ok /home/a b/x.sock llmtrace-socket>")?.path == "/home/a b/x.sock")
        #expect(SSHTunnel.parseSocketAnswer("printf \"\\n<llmtrace-socket %s %s llmtrace-socket>\\n\"") == nil)
        #expect(SSHTunnel.parseSocketAnswer("/root/.llmtrace/llmtrace.sock") == nil)
        #expect(SSHTunnel.parseSocketAnswer("") == nil)
    }

    @Test func sshFailuresAreExplained() {
        let destination = ["-p", "2222", "me@server"]
        let password = SSHTunnel.explain(
            status: 255,
            errors:
                "Warning: Permanently added '[server]:2222' (ED25519) to the list of known hosts.\nme@server: Permission denied (publickey,password).\n",
            target: "me@server:2222",
            destination: destination
        )
        #expect(password.hasPrefix("ssh could not log in to me@server:2222 without asking for a password: load your key into ssh-agent"))
        #expect(password.contains("`ssh -p 2222 me@server true` first"))
        #expect(!password.contains("Permanently added"))
        let hostKey = SSHTunnel.explain(status: 255, errors: "Host key verification failed.\n", target: "box", destination: ["box"])
        #expect(hostKey.contains("run `ssh box true` once"))
        #expect(hostKey.contains("StrictHostKeyChecking=accept-new"))
        let other = SSHTunnel.explain(
            status: 255,
            errors: "ssh: Could not resolve hostname nope: Name or service not known\n",
            target: "nope",
            destination: ["nope"]
        )
        #expect(other == "ssh to nope exited with 255: ssh: Could not resolve hostname nope: Name or service not known")
    }
}
