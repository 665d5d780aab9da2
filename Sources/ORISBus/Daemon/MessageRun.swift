// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// Messages held before they go out: the feed deliveries and api replies of a run of requests
/// until the run's journal records are written (``Daemon/releaseHeld(_:)``), and under fsync
/// `always` a tenant's until a sync covers their items (``TenantDurability/waiting``). Their
/// frames' bytes are kept in one buffer that serves run after run, so that holding a message
/// makes no value and allocates nothing.
///
/// A class that owns its buffer; used by the daemon's loop alone.
package final class MessageRun {
    /// One held message.
    struct Entry {
        /// Its frames, as places in ``frameRanges``: a delivery's topic, header and body; a
        /// reply's envelope, signature, word and body.
        var frames: Range<Int>
        /// A delivery's tier; nil for a reply on the api endpoint.
        var tier: Tier?
        /// The tenant it belongs to, by its place in ``Daemon/tenantIndex``; -1 for none.
        var tenant: Int
        /// The journal position that must be durable before it goes out under fsync `always`
        /// (0 when it waits for none).
        var position: UInt64
        /// For an ACK: where its item's id is, for the NAK sent in its place when the item
        /// could not be made to last.
        var id: Range<Int>?
    }

    private var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    /// The bytes written so far.
    private(set) var byteCount = 0
    /// Every held message, the released ones (before ``released``) included.
    private(set) var entries: [Entry] = []
    /// Where each frame of ``entries`` is in the buffer.
    private(set) var frameRanges: [Range<Int>] = []
    /// How many of the first entries went out (``release(while:_:)``).
    private(set) var released = 0

    package init(capacity: Int = 64 * 1024) {
        self.capacity = min(max(capacity, 64), Self.keptCapacity)
        // Without memory the daemon cannot run at all.
        self.base = malloc(self.capacity)!
    }

    deinit {
        free(self.base)
    }

    /// How many messages are held and not released.
    package var count: Int { self.entries.count - self.released }

    /// The messages held and not released.
    var pending: ArraySlice<Entry> { self.entries[self.released...] }

    /// Forgets every message and byte, keeping the buffer unless a run of large items grew it
    /// past ``keptCapacity``: then it goes back to that size, so that one burst of large bodies
    /// does not stay allocated for the daemon's life.
    package func removeAll() {
        self.generation &+= 1
        self.entries.removeAll(keepingCapacity: true)
        self.frameRanges.removeAll(keepingCapacity: true)
        self.byteCount = 0
        self.released = 0
        self.lastCopied = nil
        if self.capacity > Self.keptCapacity {
            self.base = realloc(self.base, Self.keptCapacity)!
            self.capacity = Self.keptCapacity
        }
    }

    /// The most a buffer keeps from one run to the next.
    static let keptCapacity = 1024 * 1024

    /// Makes room for `more` bytes past those written.
    private func reserve(_ more: Int) {
        let needed = self.byteCount + more
        guard needed > self.capacity else { return }
        var capacity = self.capacity * 2
        while capacity < needed { capacity *= 2 }
        // Ranges are offsets, so moving the bytes invalidates nothing held.
        self.base = realloc(self.base, capacity)!
        self.capacity = capacity
    }

    /// Copies `bytes` in; returns where they are.
    @discardableResult
    func append(_ bytes: UnsafeRawBufferPointer) -> Range<Int> {
        self.reserve(bytes.count)
        let start = self.byteCount
        if let from = bytes.baseAddress { (self.base + start).copyMemory(from: from, byteCount: bytes.count) }
        self.byteCount += bytes.count
        return start..<self.byteCount
    }

    /// Copies `bytes` in; returns where they are.
    @discardableResult
    func append(_ bytes: [UInt8]) -> Range<Int> {
        bytes.withUnsafeBytes { self.append($0) }
    }

    /// Copies bytes already written at `range` to the end; returns where the copy is.
    func appendCopy(of range: Range<Int>) -> Range<Int> {
        self.reserve(range.count)
        let start = self.byteCount
        (self.base + start).copyMemory(from: self.base + range.lowerBound, byteCount: range.count)
        self.byteCount += range.count
        return start..<self.byteCount
    }

    /// Forgets the bytes written from `byteCount` on (those of an item that was not held).
    func truncate(to byteCount: Int) {
        let held = max(self.frameRanges.lazy.map(\.upperBound).max() ?? 0,
                       self.entries.lazy.compactMap(\.id?.upperBound).max() ?? 0)
        precondition(byteCount <= self.byteCount && held <= byteCount, "MessageRun: truncated a held message")
        self.generation &+= 1
        self.byteCount = byteCount
    }

    /// Writes at most `bound` bytes through a ``ByteWriter``; returns where they are.
    func write(bound: Int, _ write: (inout ByteWriter) -> Void) -> Range<Int> {
        self.reserve(bound)
        let start = self.byteCount
        let room = (self.base + start).assumingMemoryBound(to: UInt8.self)
        var writer = ByteWriter(UnsafeMutableBufferPointer(start: room, count: bound))
        write(&writer)
        self.byteCount += writer.count
        return start..<self.byteCount
    }

    /// The bytes at `range`, valid until the next write.
    func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: self.base + range.lowerBound, count: range.count)
    }

    /// Frame `n` of `entry`, valid until the next write.
    func frame(_ n: Int, of entry: Entry) -> UnsafeRawBufferPointer {
        self.bytes(self.frameRanges[entry.frames.lowerBound + n])
    }

    /// Holds a delivery whose frames are already written in.
    func hold(topic: Range<Int>, header: Range<Int>, body: Range<Int>, tier: Tier, tenant: Int?,
              position: UInt64 = 0) {
        let first = self.frameRanges.count
        self.frameRanges.append(topic)
        self.frameRanges.append(header)
        self.frameRanges.append(body)
        self.entries.append(Entry(frames: first..<(first + 3), tier: tier, tenant: tenant ?? -1,
                                  position: position, id: nil))
    }

    /// Holds a delivery of the general path, copying its topic and header in.
    func hold(topic: [UInt8], header: [UInt8], body: Range<Int>, tier: Tier, tenant: Int?, position: UInt64 = 0) {
        let topic = self.append(topic)
        let header = self.append(header)
        self.hold(topic: topic, header: header, body: body, tier: tier, tenant: tenant, position: position)
    }

    /// How many frames the held messages have, and so where the next one's first frame goes.
    var frameCount: Int { self.frameRanges.count }

    /// Adds a frame already written in to the message about to be held
    /// (``holdReply(framesFrom:tenant:position:id:)``).
    func addFrame(_ range: Range<Int>) {
        self.frameRanges.append(range)
    }

    /// Holds a reply whose frames are those added from frame `first` on (``addFrame(_:)``).
    func holdReply(framesFrom first: Int, tenant: Int?, position: UInt64, id: Range<Int>?) {
        self.entries.append(Entry(frames: first..<self.frameRanges.count, tier: nil, tenant: tenant ?? -1,
                                  position: position, id: id))
    }

    /// Holds a reply, copying its frames (and the id of the item it answers) in.
    func holdReply(_ frames: [[UInt8]], tenant: Int?, position: UInt64, id: String?) {
        let first = self.frameRanges.count
        for frame in frames { self.frameRanges.append(self.append(frame)) }
        let id = id.map { self.append(Array($0.utf8)) }
        self.entries.append(Entry(frames: first..<self.frameRanges.count, tier: nil, tenant: tenant ?? -1,
                                  position: position, id: id))
    }

    /// Holds a copy of `entry` of `run`, to wait for `position`. A delivery whose body is the
    /// last copied delivery's (the deliveries of one item share it) shares its copy.
    func hold(copyOf entry: Entry, from run: MessageRun, position: UInt64) {
        let first = self.frameRanges.count
        for (k, n) in entry.frames.enumerated() {
            let source = run.frameRanges[n]
            let isBody = entry.tier != nil && k == 2
            if isBody, let last = self.lastCopied, last.run == ObjectIdentifier(run),
               last.generation == run.generation, last.source == source {
                self.frameRanges.append(last.copy)
                continue
            }
            let copy = self.append(run.bytes(source))
            if isBody { self.lastCopied = (ObjectIdentifier(run), run.generation, source, copy) }
            self.frameRanges.append(copy)
        }
        let id = entry.id.map { self.append(run.bytes($0)) }
        self.entries.append(Entry(frames: first..<self.frameRanges.count, tier: entry.tier, tenant: entry.tenant,
                                  position: position, id: id))
    }

    /// The body ``hold(copyOf:from:position:)`` copied last: where it came from (the run, the
    /// run's ``generation`` then, the bytes' range), and its copy.
    private var lastCopied: (run: ObjectIdentifier, generation: Int, source: Range<Int>, copy: Range<Int>)?

    /// Changes whenever byte ranges of this run may come to name other bytes (emptied,
    /// truncated, released and moved): a range copied from it before is then no longer the same
    /// bytes. A run refilled after ``removeAll()`` puts the next item's body at the offsets of
    /// the last one, so a waiting list that compared ranges alone shared a body two items apart.
    private(set) var generation = 0

    /// Hands `send` each held message, in order, while `isDue` says it may go; then forgets
    /// those that went, moving the bytes of the rest to the front of the buffer once the
    /// released ones are the larger part of it.
    func release(
        while isDue: (Entry) -> Bool,
        _ send: (Entry) throws(ZMQError) -> Void
    ) throws(ZMQError) {
        while self.released < self.entries.count, isDue(self.entries[self.released]) {
            let entry = self.entries[self.released]
            self.released += 1
            try send(entry)
        }
        self.forgetReleased()
    }

    private func forgetReleased() {
        self.lastCopied = nil
        guard self.released > 0 else { return }
        self.generation &+= 1
        if self.released == self.entries.count {
            self.removeAll()
            return
        }
        // The rest's bytes all lie past the first rest frame's lowest byte: messages are held in
        // the order their bytes were written, and none shares a frame with one released before.
        let firstFrame = self.entries[self.released].frames.lowerBound
        let start = self.frameRanges[firstFrame...].map(\.lowerBound).min() ?? self.byteCount
        guard start * 2 >= self.byteCount else { return }
        memmove(self.base, self.base + start, self.byteCount - start)
        self.byteCount -= start
        self.frameRanges.removeFirst(firstFrame)
        for n in self.frameRanges.indices {
            self.frameRanges[n] = (self.frameRanges[n].lowerBound - start)..<(self.frameRanges[n].upperBound - start)
        }
        self.entries.removeFirst(self.released)
        for n in self.entries.indices {
            let frames = self.entries[n].frames
            self.entries[n].frames = (frames.lowerBound - firstFrame)..<(frames.upperBound - firstFrame)
            if let id = self.entries[n].id { self.entries[n].id = (id.lowerBound - start)..<(id.upperBound - start) }
        }
        self.released = 0
    }
}
