import Logging
import NIOPosix
import Synchronization

/// The connections to one MySQL / MariaDB database and the threads that use them.
///
/// The MariaDB client's calls block, so they run on an `NIOThreadPool` of `url.poolSize` threads of
/// its own, never on an event loop or Swift's cooperative pool. A piece of work takes an idle
/// connection (or opens one) for as long as it runs; since there are as many threads as the pool
/// allows connections, no more than `url.poolSize` are ever open, and work beyond that waits for a
/// thread.
///
/// A connection that failed at the client level (lost, timed out) is closed, never reused. Work that
/// took an idle connection which turns out to have died meanwhile (the server restarted, `KILL`,
/// `wait_timeout`) runs once more on a new connection when the caller says it may.
final class MySQLConnectionPool: Sendable {
    let url: DatabaseURL
    private let threads: NIOThreadPool
    private let idle = Mutex<[MySQLConnection]>([])
    private let logger: Logger

    init(url: DatabaseURL, logger: Logger) {
        self.url = url
        self.logger = logger
        threads = NIOThreadPool(numberOfThreads: max(1, url.poolSize))
        threads.start()
    }

    /// Runs `body` with a connection on one of the pool's threads.
    ///
    /// With `retryingLostConnection`, work whose idle connection had died is run again once on a new
    /// connection; only for work that may safely run twice (reads, idempotent writes).
    func withConnection<T: Sendable>(
        retryingLostConnection: Bool = true,
        _ body: @escaping @Sendable (MySQLConnection) throws -> T
    ) async throws -> T {
        try await threads.runIfActive {
            let (connection, wasIdle) = try self.checkout()
            do {
                let result = try body(connection)
                self.checkin(connection)
                return result
            } catch let error as MySQLError where wasIdle && retryingLostConnection && error.isConnectionLost {
                connection.close()
                self.logger.debug("MySQL connection lost (\(error)); running again on a new one")
                let fresh = try MySQLConnection.connect(self.url)
                do {
                    let result = try body(fresh)
                    self.checkin(fresh)
                    return result
                } catch {
                    self.checkin(fresh)
                    throw error
                }
            } catch {
                self.checkin(connection)
                throw error
            }
        }
    }

    /// A new connection outside the pool, for a session that must outlive one piece of work (a named
    /// lock held while other work runs). Use it with ``run(on:_:)``; closing it ends the session.
    func openDedicated() async throws -> MySQLConnection {
        try await threads.runIfActive { try MySQLConnection.connect(self.url) }
    }

    /// Runs `body` with `connection` (from ``openDedicated()``) on one of the pool's threads.
    func run<T: Sendable>(on connection: MySQLConnection, _ body: @escaping @Sendable (MySQLConnection) throws -> T) async throws -> T {
        try await threads.runIfActive { try body(connection) }
    }

    /// A connection for a series of pieces of work (a transaction): an idle one, or a new one. Run work
    /// on it with ``run(on:_:)`` and hand it back with ``giveBack(_:)``.
    func lease() async throws -> MySQLConnection {
        try await threads.runIfActive { try self.checkout().0 }
    }

    /// Returns a connection from ``lease()`` to the idle set (or closes it when it is broken).
    func giveBack(_ connection: MySQLConnection) async {
        do {
            try await threads.runIfActive { self.checkin(connection) }
        } catch {
            connection.close()
        }
    }

    /// An idle connection (and `true`), or a new one.
    private func checkout() throws -> (MySQLConnection, Bool) {
        if let connection = idle.withLock({ $0.popLast() }) { return (connection, true) }
        return (try MySQLConnection.connect(url), false)
    }

    /// Returns `connection` to the idle set, or closes it when it is broken.
    private func checkin(_ connection: MySQLConnection) {
        if connection.isBroken {
            connection.close()
        } else {
            idle.withLock { $0.append(connection) }
        }
    }

    /// Closes the idle connections and stops the threads, after the work already queued.
    func shutdown() async {
        _ = try? await threads.runIfActive {
            let connections = self.idle.withLock { idle in
                defer { idle.removeAll() }
                return idle
            }
            for connection in connections { connection.close() }
        }
        try? await threads.shutdownGracefully()
    }
}
