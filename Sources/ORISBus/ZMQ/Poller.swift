// SPDX-License-Identifier: Apache-2.0
import CZMQ

/// Waits until one of several sockets or file descriptors has something to read (`zmq_poll`).
///
/// The poller refers to its sockets; they must stay open while it is used, and like them it
/// belongs to one thread.
package struct Poller {
    private var sockets: [Socket?] = []
    private var descriptors: [Int32] = []

    package init() {}

    /// Adds a socket to watch for input.
    ///
    /// - Returns: its index in the array that ``poll(timeoutMilliseconds:)`` returns.
    @discardableResult
    package mutating func add(_ socket: Socket) -> Int {
        self.sockets.append(socket)
        self.descriptors.append(-1)
        return self.sockets.count - 1
    }

    /// Adds a plain file descriptor (a signal descriptor, a pipe) to watch for input.
    ///
    /// - Returns: its index in the array that ``poll(timeoutMilliseconds:)`` returns.
    @discardableResult
    package mutating func add(fileDescriptor: Int32) -> Int {
        self.sockets.append(nil)
        self.descriptors.append(fileDescriptor)
        return self.sockets.count - 1
    }

    /// Waits for input.
    ///
    /// - Parameter timeoutMilliseconds: how long to wait; -1 waits for ever, 0 only looks.
    /// - Returns: for each watched item in order, whether it has input.
    /// - Throws: ``ZMQError``: `ETERM` when a socket's context is terminated, `EINTR` when a
    ///   signal interrupted the wait (not retried, so the caller can look at its signals).
    package func poll(timeoutMilliseconds: Int) throws(ZMQError) -> [Bool] {
        var items = [zmq_pollitem_t]()
        items.reserveCapacity(self.sockets.count)
        for (index, socket) in self.sockets.enumerated() {
            var item = zmq_pollitem_t()
            if let socket {
                item.socket = try socket.withHandle("zmq_poll") { (handle) throws(ZMQError) in handle }
            } else {
                item.fd = self.descriptors[index]
            }
            item.events = ZMQConstant.pollIn
            items.append(item)
        }
        let outcome = try zmqCall("zmq_poll", retryOnInterrupt: false) {
            zmq_poll(&items, Int32(items.count), timeoutMilliseconds)
        }
        guard case .done(let ready) = outcome, ready > 0 else {
            return Array(repeating: false, count: items.count)
        }
        return items.map { ($0.revents & ZMQConstant.pollIn) != 0 }
    }
}
