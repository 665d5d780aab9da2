// SPDX-License-Identifier: Apache-2.0
import CZMQ
#if canImport(Glibc)
import Glibc
#endif

/// The frames of one message as libzmq received them, read where they lie, and the `User-Id`
/// of its connection: the ingest loop reads a publish through them without copying a frame,
/// and ``copy(into:)`` makes the copies for the general path.
///
/// A class that owns one `zmq_msg_t` per kept frame, reused from message to message; used by one
/// thread.
package final class ReceivedFrames {
    /// Frames kept at most; further ones are received and dropped.
    let capacity: Int
    /// One message per kept frame, and a last one that receives the dropped frames.
    private let messages: UnsafeMutablePointer<zmq_msg_t>
    /// The frames kept of the last message.
    private(set) var count = 0
    /// The frames the last message had, dropped ones included.
    private(set) var received = 0
    /// The `User-Id` the ZAP handler gave the last message's connection, if any: the same
    /// string from one message to the next while it does not change.
    private(set) var userID: String?

    package init(capacity: Int) {
        self.capacity = capacity
        self.messages = .allocate(capacity: capacity + 1)
        for n in 0...capacity {
            zmq_msg_init(self.messages + n)
        }
    }

    deinit {
        for n in 0...self.capacity {
            zmq_msg_close(self.messages + n)
        }
        self.messages.deallocate()
    }

    /// Frame `n` (below ``count``), valid until the next receive.
    func frame(_ n: Int) -> UnsafeRawBufferPointer {
        precondition(n < self.count, "ReceivedFrames: no frame \(n)")
        let size = zmq_msg_size(self.messages + n)
        return UnsafeRawBufferPointer(start: size > 0 ? zmq_msg_data(self.messages + n) : nil, count: size)
    }

    /// Whether frame `n` holds exactly `bytes`.
    func frame(_ n: Int, is bytes: [UInt8]) -> Bool {
        let frame = self.frame(n)
        guard frame.count == bytes.count else { return false }
        return bytes.withUnsafeBytes { mine in
            frame.isEmpty || memcmp(frame.baseAddress!, mine.baseAddress!, frame.count) == 0
        }
    }

    /// Receives one whole message (`zmq_msg_recv` into the kept messages).
    ///
    /// - Parameter wait: false to return at once when nothing is queued (`ZMQ_DONTWAIT`).
    /// - Returns: false when no message was queued; the frames are then those of the last one.
    func receive(from handle: UnsafeMutableRawPointer, wait: Bool) throws(ZMQError) -> Bool {
        var received = 0
        var userIDRead = false
        var more = true
        while more {
            // The first frame decides whether a message is there; the rest are atomic.
            let flags: Int32 = (!wait && received == 0) ? ZMQConstant.dontWait : 0
            let target = self.messages + min(received, self.capacity)
            let outcome = try zmqCall("zmq_msg_recv") { zmq_msg_recv(target, handle, flags) }
            if outcome == .wouldBlock {
                precondition(received == 0, "libzmq delivered part of a message")
                return false
            }
            if !userIDRead, let value = zmq_msg_gets(target, ReceivedMessage.userIDPropertyName) {
                // The first frame that carries it (a ROUTER's routing-id frame has none).
                userIDRead = true
                if !ReceivedMessage.equal(self.userID, value) { self.userID = String(cString: value) }
            }
            more = zmq_msg_more(target) != 0
            received += 1
        }
        if !userIDRead { self.userID = nil }
        self.received = received
        self.count = min(received, self.capacity)
        return true
    }

    /// The message's frames copied into `message`, as ``Socket/receive(into:wait:properties:maximumFrames:)``
    /// with `maximumFrames` ``capacity`` gives them: past that many, one empty frame more.
    func copy(into message: inout ReceivedMessage) {
        let count = self.received > self.capacity ? self.capacity + 1 : self.count
        while message.frames.count < count { message.frames.append([]) }
        message.frames.removeLast(message.frames.count - count)
        for n in 0..<count {
            if n < self.count, case let frame = self.frame(n), !frame.isEmpty {
                message.frames[n].replaceSubrange(message.frames[n].indices, with: frame)
            } else {
                message.frames[n].removeAll(keepingCapacity: true)
            }
        }
        message.receivedFrameCount = self.received
    }
}

extension Socket {
    /// Receives one whole message into `frames` (see ``ReceivedFrames``).
    package func receive(into frames: ReceivedFrames, wait: Bool = true) throws(ZMQError) -> Bool {
        try self.withHandle("zmq_msg_recv") { (handle) throws(ZMQError) -> Bool in
            try frames.receive(from: handle, wait: wait)
        }
    }
}
