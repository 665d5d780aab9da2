// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// The deliveries of a run of ingest items, held until the run's journal records are written
/// (``Daemon/releaseHeld(_:)``): their frames' bytes are kept in one buffer that serves run
/// after run, so that holding a delivery makes no value and allocates nothing.
///
/// A class that owns its buffer; used by the daemon's loop alone.
package final class DeliveryRun {
    /// One held delivery: where its three frames are in the buffer.
    struct Entry {
        var topic: Range<Int>
        var header: Range<Int>
        var body: Range<Int>
        var tier: Tier
        /// The item's tenant, by its place in ``Daemon/tenantIndex``; -1 for none.
        var tenant: Int
    }

    private var base: UnsafeMutableRawPointer
    private(set) var capacity: Int
    /// The bytes written so far.
    private(set) var byteCount = 0
    private(set) var entries: [Entry] = []

    package init(capacity: Int = 64 * 1024) {
        self.capacity = min(max(capacity, 64), Self.keptCapacity)
        // Without memory the daemon cannot run at all.
        self.base = malloc(self.capacity)!
    }

    deinit {
        free(self.base)
    }

    /// How many deliveries are held.
    package var count: Int { self.entries.count }

    /// Forgets every delivery and byte, keeping the buffer unless a run of large items grew it
    /// past ``keptCapacity``: then it goes back to that size, so that one burst of large bodies
    /// does not stay allocated for the daemon's life.
    package func removeAll() {
        self.entries.removeAll(keepingCapacity: true)
        self.byteCount = 0
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
        let held = self.entries.last.map { max($0.topic.upperBound, $0.header.upperBound, $0.body.upperBound) } ?? 0
        precondition(byteCount <= self.byteCount && held <= byteCount, "DeliveryRun: truncated a held delivery")
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

    /// Holds a delivery whose frames are already written in.
    func hold(topic: Range<Int>, header: Range<Int>, body: Range<Int>, tier: Tier, tenant: Int?) {
        self.entries.append(Entry(topic: topic, header: header, body: body, tier: tier, tenant: tenant ?? -1))
    }

    /// Holds a delivery of the general path, copying its frames in.
    func hold(topic: [UInt8], header: [UInt8], body: Range<Int>, tier: Tier, tenant: Int?) {
        let topic = self.append(topic)
        let header = self.append(header)
        self.hold(topic: topic, header: header, body: body, tier: tier, tenant: tenant)
    }
}
