// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// A helper thread that runs `fdatasync` for the loop, so the loop keeps serving while the disk
/// works, and turns many appends into one sync (group commit).
///
/// The loop hands over `(tenant index, descriptor, position)` with ``request(tenant:descriptor:position:)``;
/// the helper takes every request waiting, syncs each tenant's newest descriptor once, and
/// queues a ``Completion`` per tenant, position being the last one now durable. The loop polls
/// ``fileDescriptor`` (the reading end of a pipe, readable once a sync finished) as a plain
/// descriptor, then takes the completions with ``completions()``.
///
/// The two sides share two lists under one lock. An inproc ZeroMQ pair did this before; a
/// socket in the loop's poll cost about 1,400 instructions a turn of the loop (libzmq asks each
/// socket for its events on every `zmq_poll`), where a descriptor costs the kernel's poll alone.
package final class Syncer: @unchecked Sendable {
    /// The descriptor to poll: readable when a sync finished.
    package let fileDescriptor: Int32
    private let writeDescriptor: Int32
    /// Guards ``pending``, ``finished`` and ``stopping``.
    private let lock = NSLock()
    /// Signalled once per request, and at stop.
    private let wake = DispatchSemaphore(value: 0)
    private let done = DispatchSemaphore(value: 0)
    /// The newest request of each tenant not yet taken by the helper.
    private var pending: [Int: (descriptor: Int32, position: UInt64)] = [:]
    private var finished: [Completion] = []
    private var stopping = false
    /// Set by ``stop()`` on the loop's side: a second call returns at once.
    private var stopped = false

    /// A finished sync.
    package struct Completion: Equatable, Sendable {
        package var tenant: Int
        /// Every record up to this position is durable (when `errno` is 0).
        package var position: UInt64
        package var errno: Int32
    }

    /// Makes the pipe and starts the helper.
    ///
    /// - Throws: ``ZMQError`` with the `errno` of `pipe` (out of descriptors).
    package init() throws(ZMQError) {
        var ends: [Int32] = [-1, -1]
        guard pipe(&ends) == 0 else { throw ZMQError(call: "pipe", errno: errno) }
        for end in ends {
            _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            // Neither end waits: the loop drains what is there, and a full pipe is readable
            // already, so the helper's byte may be dropped.
            _ = fcntl(end, F_SETFL, O_NONBLOCK)
        }
        self.fileDescriptor = ends[0]
        self.writeDescriptor = ends[1]
        let thread = Thread { [self] in
            self.serve()
            self.done.signal()
        }
        thread.name = "orisd-sync"
        thread.start()
    }

    deinit {
        Glibc.close(self.fileDescriptor)
        Glibc.close(self.writeDescriptor)
    }

    /// Asks for `descriptor` (a duplicate the helper closes) to be synced, covering `position`.
    package func request(tenant: Int, descriptor: Int32, position: UInt64) {
        self.lock.lock()
        let older = self.pending.updateValue((descriptor, position), forKey: tenant)
        self.lock.unlock()
        if let older { Glibc.close(older.descriptor) }
        self.wake.signal()
    }

    /// The syncs finished since the last call, without blocking.
    package func completions() -> [Completion] {
        var scratch = [UInt8](repeating: 0, count: 64)
        while read(self.fileDescriptor, &scratch, scratch.count) > 0 {}
        self.lock.lock()
        defer { self.lock.unlock() }
        let out = self.finished
        self.finished.removeAll(keepingCapacity: true)
        return out
    }

    /// Stops the helper and waits for it (it finishes the syncs asked for first). Called from
    /// the loop's thread; a second call does nothing.
    package func stop() {
        guard !self.stopped else { return }
        self.stopped = true
        self.lock.lock()
        self.stopping = true
        self.lock.unlock()
        self.wake.signal()
        self.done.wait()
    }

    private func serve() {
        while true {
            self.wake.wait()
            self.lock.lock()
            let taken = self.pending
            self.pending.removeAll(keepingCapacity: true)
            let stop = self.stopping
            self.lock.unlock()
            for (tenant, request) in taken.sorted(by: { $0.key < $1.key }) {
                var number: Int32 = 0
                while fdatasync(request.descriptor) != 0 {
                    if errno == EINTR { continue }
                    number = errno
                    break
                }
                Glibc.close(request.descriptor)
                self.lock.lock()
                self.finished.append(Completion(tenant: tenant, position: request.position, errno: number))
                self.lock.unlock()
                var byte: UInt8 = 1
                _ = write(self.writeDescriptor, &byte, 1)
            }
            if stop { return }
        }
    }
}
