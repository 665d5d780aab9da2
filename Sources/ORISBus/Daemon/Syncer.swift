// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A helper thread that runs `fdatasync` for the loop, so the loop keeps serving while the disk
/// works, and turns many appends into one sync (group commit).
///
/// The loop sends `[tenant index, descriptor, position]` on an inproc PAIR socket; the helper
/// takes every request queued, syncs each tenant's newest descriptor once, and answers
/// `[tenant index, position, errno]` per tenant, position being the last one now durable. Each
/// PAIR end belongs to one thread.
package final class Syncer {
    /// The loop's end: poll it, then call ``completions()``.
    package let socket: Socket
    private let done = DispatchSemaphore(value: 0)
    private static let endpoint = "inproc://orisd-sync"

    /// A finished sync.
    package struct Completion: Equatable, Sendable {
        package var tenant: Int
        /// Every record up to this position is durable (when `errno` is 0).
        package var position: UInt64
        package var errno: Int32
    }

    /// Binds the loop's end and starts the helper.
    package init(context: Context) throws(ZMQError) {
        self.socket = try Socket(context: context, type: .pair)
        try self.socket.set(.linger(milliseconds: 0))
        try self.socket.bind(Syncer.endpoint)
        let done = self.done
        let thread = Thread {
            Syncer.serve(context: context)
            done.signal()
        }
        thread.name = "orisd-sync"
        thread.start()
    }

    /// Asks for `descriptor` (a duplicate the helper closes) to be synced, covering `position`.
    package func request(tenant: Int, descriptor: Int32, position: UInt64) throws(ZMQError) {
        var frame = [UInt8]()
        frame.appendLittleEndian(UInt32(tenant))
        frame.appendLittleEndian(descriptor)
        frame.appendLittleEndian(position)
        try self.socket.send([frame])
    }

    /// The syncs finished since the last call, without blocking.
    package func completions() throws(ZMQError) -> [Completion] {
        var out = [Completion]()
        while let message = try self.socket.receive(wait: false) {
            guard let frame = message.frames.first, frame.count == 16 else { continue }
            frame.withUnsafeBytes { raw in
                var reader = ByteReader(raw)
                if let tenant = reader.u32(), let position = reader.u64(), let number = reader.u32() {
                    out.append(Completion(tenant: Int(tenant), position: position, errno: Int32(bitPattern: number)))
                }
            }
        }
        return out
    }

    /// Stops the helper and waits for it (it finishes the sync in progress first).
    package func stop() {
        _ = try? self.socket.send([[]])
        self.done.wait()
        self.socket.close()
    }

    private static func serve(context: Context) {
        guard let socket = try? Socket(context: context, type: .pair) else { return }
        defer { socket.close() }
        do {
            try socket.set(.linger(milliseconds: 0))
            try socket.connect(Syncer.endpoint)
            while true {
                guard let first = try socket.receive() else { continue }
                var pending: [Int: (descriptor: Int32, position: UInt64)] = [:]
                var stop = false
                var next: ReceivedMessage? = first
                while let message = next {
                    guard let frame = message.frames.first, frame.count == 16 else {
                        stop = true
                        break
                    }
                    frame.withUnsafeBytes { raw in
                        var reader = ByteReader(raw)
                        guard let tenant = reader.u32(), let fd = reader.u32(), let position = reader.u64() else {
                            return
                        }
                        if let older = pending[Int(tenant)] { Glibc.close(older.descriptor) }
                        pending[Int(tenant)] = (Int32(bitPattern: fd), position)
                    }
                    next = try socket.receive(wait: false)
                }
                for (tenant, request) in pending.sorted(by: { $0.key < $1.key }) {
                    var number: Int32 = 0
                    while fdatasync(request.descriptor) != 0 {
                        if errno == EINTR { continue }
                        number = errno
                        break
                    }
                    Glibc.close(request.descriptor)
                    var reply = [UInt8]()
                    reply.appendLittleEndian(UInt32(tenant))
                    reply.appendLittleEndian(request.position)
                    reply.appendLittleEndian(UInt32(bitPattern: number))
                    try socket.send([reply])
                }
                if stop { return }
            }
        } catch {
            return
        }
    }
}
