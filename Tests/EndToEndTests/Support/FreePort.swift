import Client
import Foundation

/// A TCP port free on 127.0.0.1 now (bound to port 0, then released), for a server the test starts
/// that cannot be told to pick its own.
func freePort() throws -> Int {
    try RunServer.freePort()
}
