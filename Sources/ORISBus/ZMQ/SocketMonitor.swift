// SPDX-License-Identifier: Apache-2.0
import CZMQ

/// One event a socket monitor reported: what happened, its value, and on which endpoint.
package struct SocketEvent: Sendable, Equatable {
    /// Exactly one of ``SocketEvents``.
    package var kind: SocketEvents
    /// The event's number: an errno, a reconnect interval, a ZAP status code or a protocol
    /// error code, as ``SocketEvents`` says for each kind.
    package var value: UInt32
    /// The endpoint the event concerns, as the socket was told to connect or bind.
    package var endpoint: String

    /// The value read as an errno, in words (`zmq_strerror`): for the kinds whose value is one.
    package var errnoText: String {
        String(cString: zmq_strerror(Int32(bitPattern: self.value)))
    }
}

/// Reads the events libzmq reports about one socket's connections (`zmq_socket_monitor`): a
/// PAIR socket connected to the `inproc://` endpoint the watched socket reports on.
///
/// Make it before the watched socket connects, so that no event is missed; like the watched
/// socket it belongs to one thread. ``close()`` stops the reports and closes the PAIR socket;
/// call it before closing the watched socket.
package final class SocketMonitor {
    private let pair: Socket
    private let watched: Socket
    private var isOpen = true

    /// Starts monitoring `socket` for `events`.
    ///
    /// - Throws: ``ZMQError`` from `zmq_socket_monitor`, `zmq_socket` or `zmq_connect`; nothing
    ///   is left running then.
    package init(watching socket: Socket, context: Context, events: SocketEvents) throws(ZMQError) {
        let endpoint = "inproc://oris.monitor.\(MonitorNumbers.shared.next())"
        try socket.monitor(endpoint, events: events)
        let pair: Socket
        do {
            pair = try Socket(context: context, type: .pair)
        } catch {
            try? socket.monitor(nil, events: [])
            throw error
        }
        do {
            try pair.set(.linger(milliseconds: 0))
            try pair.connect(endpoint)
        } catch {
            pair.close()
            try? socket.monitor(nil, events: [])
            throw error
        }
        self.pair = pair
        self.watched = socket
    }

    deinit {
        assert(!self.isOpen, "a socket monitor was never closed")
        self.close()
    }

    /// The next event, or nil when none came within `timeoutMilliseconds` (-1 waits for ever).
    ///
    /// - Throws: ``ZMQError``: `ETERM`, `EINTR` when a signal interrupted the wait.
    package func next(timeoutMilliseconds: Int) throws(ZMQError) -> SocketEvent? {
        var poller = Poller()
        poller.add(self.pair)
        while try poller.poll(timeoutMilliseconds: timeoutMilliseconds)[0] {
            guard let message = try self.pair.receive(wait: false) else { continue }
            if let event = Self.event(from: message.frames) {
                return event
            }
        }
        return nil
    }

    /// Stops the reports and closes the PAIR socket. Calling it twice does nothing more.
    package func close() {
        guard self.isOpen else { return }
        self.isOpen = false
        // The watched socket may be closed already, which stops its monitor too.
        if self.watched.isOpen {
            try? self.watched.monitor(nil, events: [])
        }
        self.pair.close()
    }

    /// An event from the two frames libzmq sends: 16 bits of event number and 32 bits of value
    /// in the machine's byte order, then the endpoint.
    static func event(from frames: [[UInt8]]) -> SocketEvent? {
        guard frames.count == 2, frames[0].count == 6 else { return nil }
        let (number, value) = frames[0].withUnsafeBytes { bytes in
            (bytes.loadUnaligned(as: UInt16.self), bytes.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
        }
        return SocketEvent(kind: SocketEvents(rawValue: Int32(number)), value: value,
                           endpoint: String(decoding: frames[1], as: UTF8.self))
    }
}

/// Numbers the monitors' `inproc://` endpoints, which must differ within a context.
private final class MonitorNumbers: @unchecked Sendable {
    // Sound: `last` is only read and written while holding `lock`.
    static let shared = MonitorNumbers()
    private let lock = Lock()
    private var last = 0

    func next() -> Int {
        self.lock.withLock {
            self.last += 1
            return self.last
        }
    }
}
