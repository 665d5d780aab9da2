// SPDX-License-Identifier: Apache-2.0
import CZMQ

/// Waits until one of several sockets or file descriptors has something to read (`zmq_poll`).
///
/// The poller refers to its sockets; they must stay open while it is used, and like them it
/// belongs to one thread.
package struct Poller {
    private var sockets: [Socket?] = []
    /// What `zmq_poll` is given, kept from call to call: building it anew cost two arrays a
    /// turn of the daemon's loop.
    private var items: [zmq_pollitem_t] = []

    package init() {}

    /// Adds a socket to watch for input.
    ///
    /// - Returns: its index in the array that ``poll(timeoutMilliseconds:)`` returns.
    @discardableResult
    package mutating func add(_ socket: Socket) -> Int {
        self.sockets.append(socket)
        var item = zmq_pollitem_t()
        item.events = ZMQConstant.pollIn
        self.items.append(item)
        return self.sockets.count - 1
    }

    /// Adds a plain file descriptor (a signal descriptor, a pipe) to watch for input.
    ///
    /// - Returns: its index in the array that ``poll(timeoutMilliseconds:)`` returns.
    @discardableResult
    package mutating func add(fileDescriptor: Int32) -> Int {
        self.sockets.append(nil)
        var item = zmq_pollitem_t()
        item.fd = fileDescriptor
        item.events = ZMQConstant.pollIn
        self.items.append(item)
        return self.sockets.count - 1
    }

    /// Which watched items have input, by index: what ``wait(timeoutMilliseconds:)`` returns.
    package struct Ready {
        fileprivate var bits: UInt64 = 0
        package subscript(index: Int) -> Bool { index < 64 && self.bits & (1 << UInt64(index)) != 0 }
    }

    /// Waits for input.
    ///
    /// - Parameter timeoutMilliseconds: how long to wait; -1 waits for ever, 0 only looks.
    /// - Returns: for each watched item in order, whether it has input.
    /// - Throws: ``ZMQError``: `ETERM` when a socket's context is terminated, `EINTR` when a
    ///   signal interrupted the wait (not retried, so the caller can look at its signals),
    ///   `ENOTSOCK` when a watched socket was closed.
    package mutating func poll(timeoutMilliseconds: Int) throws(ZMQError) -> [Bool] {
        let ready = try self.wait(timeoutMilliseconds: timeoutMilliseconds)
        return self.items.indices.map { ready[$0] }
    }

    /// ``poll(timeoutMilliseconds:)`` without an array: at most 64 watched items.
    package mutating func wait(timeoutMilliseconds: Int) throws(ZMQError) -> Ready {
        precondition(self.items.count <= 64, "Poller: more than 64 items")
        for index in self.items.indices {
            // A socket's handle is asked for at each wait, so a closed one is refused here
            // and never handed to libzmq.
            if let socket = self.sockets[index] {
                self.items[index].socket = try socket.withHandle("zmq_poll") { (handle) throws(ZMQError) in handle }
            }
            self.items[index].revents = 0
        }
        let count = Int32(self.items.count)
        let outcome = try self.items.withUnsafeMutableBufferPointer { (items) throws(ZMQError) in
            try zmqCall("zmq_poll", retryOnInterrupt: false) {
                zmq_poll(items.baseAddress, count, timeoutMilliseconds)
            }
        }
        var ready = Ready()
        guard case .done(let found) = outcome, found > 0 else { return ready }
        for index in self.items.indices where self.items[index].revents & ZMQConstant.pollIn != 0 {
            ready.bits |= 1 << UInt64(index)
        }
        return ready
    }
}
