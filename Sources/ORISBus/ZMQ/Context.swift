// SPDX-License-Identifier: Apache-2.0
import CZMQ

/// A libzmq context: the I/O threads and the `inproc://` namespace that sockets share.
///
/// A context is safe to use from several threads (libzmq documents `zmq_ctx_*` as thread-safe),
/// which is what makes the `@unchecked Sendable` sound: the handle itself is never mutated after
/// `init`, and `terminate` is guarded by a lock.
package final class Context: @unchecked Sendable {
    private let handle: UnsafeMutableRawPointer
    private let lock = Lock()
    private var isTerminated = false

    /// Makes a context (`zmq_ctx_new`).
    ///
    /// - Throws: ``ZMQError`` naming `zmq_ctx_new` (`EMFILE` when out of file descriptors).
    package init() throws(ZMQError) {
        guard let handle = zmq_ctx_new() else {
            throw ZMQError(call: "zmq_ctx_new", errno: zmq_errno())
        }
        zmq_ctx_set(handle, ZMQ_BLOCKY, 0)
        self.handle = handle
    }

    /// Runs `body` with the raw handle; for the socket wrapper only.
    func withHandle<T>(_ body: (UnsafeMutableRawPointer) throws(ZMQError) -> T) throws(ZMQError) -> T {
        let terminated = self.lock.withLock { self.isTerminated }
        guard !terminated else {
            throw ZMQError(call: "zmq_socket", errno: ETERM)
        }
        return try body(self.handle)
    }

    /// Terminates the context (`zmq_ctx_term`), waiting until every socket made from it is
    /// closed. Calling it twice does nothing the second time.
    package func terminate() {
        let first = self.lock.withLock { () -> Bool in
            defer { self.isTerminated = true }
            return !self.isTerminated
        }
        guard first else { return }
        _ = try? zmqCall("zmq_ctx_term") { zmq_ctx_term(self.handle) }
    }

    /// The libzmq version this process linked against, as "major.minor.patch".
    package static var libraryVersion: String {
        var major: Int32 = 0
        var minor: Int32 = 0
        var patch: Int32 = 0
        zmq_version(&major, &minor, &patch)
        return "\(major).\(minor).\(patch)"
    }

    deinit {
        self.terminate()
    }
}
