// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif
import CZMQ

/// One libzmq socket with one owner.
///
/// Sockets are not thread-safe, so this type is not `Sendable`: it lives on the thread that made
/// it (the daemon's loop, a test, a command). Close it explicitly with ``close()``; `deinit`
/// checks in debug builds that this happened and closes a forgotten socket in release builds.
package final class Socket {
    private var handle: UnsafeMutableRawPointer?
    /// The type it was made with.
    package let type: SocketType
    /// Kept so that the context outlives its sockets: `zmq_ctx_term` would wait for ever on a
    /// socket still open.
    private let context: Context

    /// Makes a socket (`zmq_socket`).
    ///
    /// - Throws: ``ZMQError``: `ETERM` when the context is terminated, `EMFILE` when the
    ///   context's socket limit is reached.
    package init(context: Context, type: SocketType) throws(ZMQError) {
        self.type = type
        self.context = context
        let made = try context.withHandle { (ctx) throws(ZMQError) -> UnsafeMutableRawPointer in
            guard let socket = zmq_socket(ctx, type.rawValue) else {
                throw ZMQError(call: "zmq_socket", errno: zmq_errno())
            }
            return socket
        }
        self.handle = made
    }

    deinit {
        assert(self.handle == nil, "a \(self.type) socket was never closed")
        if self.handle != nil {
            self.close()
        }
    }

    /// Whether ``close()`` has not yet been called.
    package var isOpen: Bool { self.handle != nil }

    /// Runs `body` with the raw handle, refusing a closed socket with `ENOTSOCK`.
    func withHandle<T>(
        _ call: String,
        _ body: (UnsafeMutableRawPointer) throws(ZMQError) -> T
    ) throws(ZMQError) -> T {
        guard let handle = self.handle else {
            throw ZMQError(call: call, errno: ENOTSOCK)
        }
        return try body(handle)
    }

    /// Sets an option (`zmq_setsockopt`).
    ///
    /// - Throws: ``ZMQError``: `EINVAL` for an option this socket type does not take.
    package func set(_ option: SocketOption) throws(ZMQError) {
        let (number, bytes) = option.encoded
        try self.withHandle("zmq_setsockopt") { (handle) throws(ZMQError) in
            _ = try zmqCall("zmq_setsockopt", subject: option.name) {
                bytes.withUnsafeBytes { zmq_setsockopt(handle, number, $0.baseAddress, $0.count) }
            }
        }
    }

    /// Binds to an endpoint (`zmq_bind`).
    ///
    /// - Throws: ``ZMQError``: `EADDRINUSE`, `EINVAL` for a malformed endpoint,
    ///   `EPROTONOSUPPORT` for an unknown transport, `EADDRNOTAVAIL`.
    package func bind(_ endpoint: String) throws(ZMQError) {
        try self.withHandle("zmq_bind") { (handle) throws(ZMQError) in
            _ = try zmqCall("zmq_bind", subject: endpoint) { zmq_bind(handle, endpoint) }
        }
    }

    /// Connects to an endpoint (`zmq_connect`); the connection itself happens in the background.
    ///
    /// - Throws: ``ZMQError``: `EINVAL` for a malformed endpoint, `EPROTONOSUPPORT`.
    package func connect(_ endpoint: String) throws(ZMQError) {
        try self.withHandle("zmq_connect") { (handle) throws(ZMQError) in
            _ = try zmqCall("zmq_connect", subject: endpoint) { zmq_connect(handle, endpoint) }
        }
    }

    /// Starts reporting `events` on a PAIR socket bound at `endpoint`, an `inproc://` address
    /// (`zmq_socket_monitor`), or stops reporting when `endpoint` is nil. ``SocketMonitor`` reads
    /// what comes; start it before ``connect(_:)`` so that no event is missed.
    ///
    /// - Throws: ``ZMQError``: `EPROTONOSUPPORT` for an endpoint that is not `inproc://`,
    ///   `EINVAL` for an unknown event bit, `ETERM`.
    package func monitor(_ endpoint: String?, events: SocketEvents) throws(ZMQError) {
        try self.withHandle("zmq_socket_monitor") { (handle) throws(ZMQError) in
            _ = try zmqCall("zmq_socket_monitor", subject: endpoint) {
                zmq_socket_monitor(handle, endpoint, endpoint == nil ? 0 : events.rawValue)
            }
        }
    }

    /// The endpoint last bound, with a wildcard port resolved (`ZMQ_LAST_ENDPOINT`).
    package func lastEndpoint() throws(ZMQError) -> String {
        try self.withHandle("zmq_getsockopt") { (handle) throws(ZMQError) -> String in
            var buffer = [CChar](repeating: 0, count: 1024)
            var size = buffer.count
            _ = try zmqCall("zmq_getsockopt", subject: "ZMQ_LAST_ENDPOINT") {
                zmq_getsockopt(handle, ZMQConstant.lastEndpoint, &buffer, &size)
            }
            return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
    }

    /// Sends a multipart message (`zmq_send`, with `ZMQ_SNDMORE` on all but the last frame).
    ///
    /// - Parameters:
    ///   - frames: the frames, at least one.
    ///   - wait: false to fail fast when the message cannot be queued (`ZMQ_DONTWAIT`).
    /// - Returns: false when the message was not queued because it would have blocked (or a send
    ///   timeout passed); true once every frame is queued.
    /// - Throws: ``ZMQError``: `EHOSTUNREACH` from a ROUTER with mandatory routing, `EFSM` for a
    ///   REQ/REP out of turn, `ETERM`.
    @discardableResult
    package func send(_ frames: [[UInt8]], wait: Bool = true) throws(ZMQError) -> Bool {
        precondition(!frames.isEmpty, "a message has at least one frame")
        return try self.withHandle("zmq_send") { (handle) throws(ZMQError) -> Bool in
            for (index, frame) in frames.enumerated() {
                guard try Self.send(frame, index: index, isLast: index == frames.count - 1, wait: wait,
                                    handle: handle)
                else { return false }
            }
            return true
        }
    }

    /// ``send(_:wait:)`` for a message of three frames whose bytes the caller holds where they
    /// are, without an array made to hold them: the feed sends every ingest delivery this way.
    @discardableResult
    package func send(
        _ first: UnsafeRawBufferPointer,
        _ second: UnsafeRawBufferPointer,
        _ third: UnsafeRawBufferPointer,
        wait: Bool = true
    ) throws(ZMQError) -> Bool {
        try self.withHandle("zmq_send") { (handle) throws(ZMQError) -> Bool in
            guard try Self.send(first, index: 0, isLast: false, wait: wait, handle: handle) else { return false }
            _ = try Self.send(second, index: 1, isLast: false, wait: wait, handle: handle)
            _ = try Self.send(third, index: 2, isLast: true, wait: wait, handle: handle)
            return true
        }
    }

    /// ``send(_:wait:)`` for a message of `count` frames whose bytes the caller holds where they
    /// are, frame `n` given by `frame(n)`: the api endpoint sends its held replies this way.
    @discardableResult
    package func send(
        count: Int,
        wait: Bool = true,
        frame: (Int) -> UnsafeRawBufferPointer
    ) throws(ZMQError) -> Bool {
        precondition(count > 0, "a message has at least one frame")
        return try self.withHandle("zmq_send") { (handle) throws(ZMQError) -> Bool in
            for n in 0..<count {
                guard try Self.send(frame(n), index: n, isLast: n == count - 1, wait: wait, handle: handle)
                else { return false }
            }
            return true
        }
    }

    /// Sends frame `index` of a message; false when the first frame would have blocked.
    private static func send(
        _ frame: [UInt8],
        index: Int,
        isLast: Bool,
        wait: Bool,
        handle: UnsafeMutableRawPointer
    ) throws(ZMQError) -> Bool {
        // withUnsafeBytes rethrows untyped errors: the outcome comes out as a value.
        let outcome = frame.withUnsafeBytes { bytes in
            Result { () throws(ZMQError) -> Bool in
                try Self.send(bytes, index: index, isLast: isLast, wait: wait, handle: handle)
            }
        }
        return try outcome.get()
    }

    private static func send(
        _ frame: UnsafeRawBufferPointer,
        index: Int,
        isLast: Bool,
        wait: Bool,
        handle: UnsafeMutableRawPointer
    ) throws(ZMQError) -> Bool {
        var flags: Int32 = isLast ? 0 : ZMQConstant.sendMore
        // Once the first frame is queued the rest of the message is guaranteed to go.
        if !wait && index == 0 {
            flags |= ZMQConstant.dontWait
        }
        let outcome = try zmqCall("zmq_send") { zmq_send(handle, frame.baseAddress, frame.count, flags) }
        if outcome == .wouldBlock {
            precondition(index == 0, "libzmq refused a later frame of a multipart message")
            return false
        }
        return true
    }

    /// Receives one whole multipart message (`zmq_msg_recv`).
    ///
    /// - Parameters:
    ///   - wait: false to return at once when nothing is queued (`ZMQ_DONTWAIT`).
    ///   - properties: connection properties to read (`zmq_msg_gets`), each from the first frame
    ///     that carries it.
    ///   - maximumFrames: frames past this many are received and dropped, not copied; the
    ///     message then holds `maximumFrames + 1` frames, the last one empty, so that a caller
    ///     checking the frame count still refuses it.
    /// - Returns: the message, or nil when none was queued (or a receive timeout passed).
    /// - Throws: ``ZMQError``: `ETERM`, `EFSM` for a REQ/REP out of turn.
    package func receive(
        wait: Bool = true,
        properties: [String] = [],
        maximumFrames: Int = .max
    ) throws(ZMQError) -> ReceivedMessage? {
        var message = ReceivedMessage(frames: [])
        let received = try self.receive(into: &message, wait: wait, properties: properties,
                                        maximumFrames: maximumFrames)
        return received ? message : nil
    }

    /// ``receive(wait:properties:maximumFrames:)`` into a message the caller keeps from one call
    /// to the next: a frame's storage is reused when nothing else holds it any more, so that a
    /// loop receiving many messages does not allocate for each one.
    ///
    /// - Returns: false when no message was queued (or a receive timeout passed); `message` is
    ///   then left as it was.
    /// - Throws: ``ZMQError``: `ETERM`, `EFSM` for a REQ/REP out of turn.
    package func receive(
        into message: inout ReceivedMessage,
        wait: Bool = true,
        properties: [String] = [],
        maximumFrames: Int = .max
    ) throws(ZMQError) -> Bool {
        try self.withHandle("zmq_msg_recv") { (handle) throws(ZMQError) -> Bool in
            // One zmq_msg_t for every frame: zmq_msg_recv releases what it held before.
            var msg = zmq_msg_t()
            zmq_msg_init(&msg)
            defer { zmq_msg_close(&msg) }
            var count = 0
            var total = 0
            var more = true
            while more {
                // The first frame decides whether a message is there; the rest are atomic.
                let flags: Int32 = (!wait && count == 0) ? ZMQConstant.dontWait : 0
                let outcome = try zmqCall("zmq_msg_recv") { zmq_msg_recv(&msg, handle, flags) }
                if outcome == .wouldBlock {
                    precondition(count == 0, "libzmq delivered part of a message")
                    return false
                }
                if count == 0 {
                    message.beginProperties(properties)
                }
                more = zmq_msg_more(&msg) != 0
                total += 1
                if count > maximumFrames {
                    continue
                }
                if count == message.frames.count {
                    message.frames.append([])
                }
                let size = zmq_msg_size(&msg)
                if count < maximumFrames, size > 0, let data = zmq_msg_data(&msg) {
                    // One call that empties the frame kept from the last message and fills it.
                    let bytes = UnsafeRawBufferPointer(start: data, count: size)
                    message.frames[count].replaceSubrange(message.frames[count].indices, with: bytes)
                } else {
                    message.frames[count].removeAll(keepingCapacity: true)
                }
                count += 1
                // A ROUTER makes the routing-id frame itself, without the connection's
                // properties, so each property is read from the first frame that has it.
                message.readProperties { zmq_msg_gets(&msg, $0) }
            }
            message.endProperties()
            message.frames.removeLast(message.frames.count - count)
            message.receivedFrameCount = total
            return true
        }
    }

    /// Closes the socket (`zmq_close`). Unsent messages stay for the linger period.
    package func close() {
        guard let handle = self.handle else { return }
        self.handle = nil
        let rc = zmq_close(handle)
        precondition(rc == 0, "zmq_close failed on a valid socket: errno \(zmq_errno())")
    }
}
