import Client
import Foundation

/// A TCP port free on 127.0.0.1 now (bound to port 0, then released), for a server the test starts
/// that cannot be told to pick its own.
func freePort() throws -> Int {
    try RunServer.freePort()
}

/// Whether something accepts connections on 127.0.0.1:`port`.
func portAnswers(_ port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { return false }
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}
