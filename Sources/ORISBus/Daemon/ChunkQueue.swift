// SPDX-License-Identifier: Apache-2.0

/// A queue of plain values numbered from the first ever appended, so that a number stays valid
/// while values leave from the front: the storage of ``IdempotencyWindow`` and of the journal's
/// index of each topic (``Journal/TopicIndex``).
///
/// The values live in fixed blocks of about 64 KiB. A block the front has left is kept for the
/// next one the back needs (one spare at most), so a window that slides at its full size
/// touches no new memory, and one that grows touches each byte of it once. An array doubling
/// instead copied all it held at each step into memory new to the process, and memory new to
/// the process costs a page fault and a zeroed page every 4 KiB: 6–12 % of the loop's time in
/// W1, by `perf` (bench/RESULTS.md, the eleventh round); and letting values leave moved all the
/// others, tens of megabytes at once for a journal index that retention trims. The first block
/// starts small and doubles up to the full size, so a queue that has held little costs little;
/// one that once held a block's worth keeps one or two full blocks, emptied or not.
///
/// A class: it owns its blocks, which a copy would share.
final class ChunkQueue<Element: BitwiseCopyable> {
    /// log2 of the values a full block holds.
    private let shift: Int
    /// The blocks, oldest first; `blocks[0]` holds the values numbered from ``base``.
    private var blocks: [UnsafeMutablePointer<Element>] = []
    /// The number of the first place of `blocks[0]`: a multiple of a full block's size.
    private var base = 0
    /// The places in the only block while it is smaller than a full one.
    private var firstCapacity = 0
    /// A block the front has left, for the back's next.
    private var spare: UnsafeMutablePointer<Element>?
    /// The places of a new first block.
    private let smallest: Int
    /// The number of the front value.
    private(set) var start = 0
    /// The number the next value appended will have.
    private(set) var end = 0
    /// The full-size blocks asked of the allocator so far (the small first one not counted).
    private(set) var blocksAllocated = 0

    /// - Parameter firstCapacity: the places of the first block when it is made (it doubles as
    ///   it fills, up to a full block's).
    init(firstCapacity: Int = 16) {
        let stride = max(1, MemoryLayout<Element>.stride)
        var shift = 0
        while (2 << shift) * stride <= 65536 { shift += 1 }
        self.shift = shift
        self.smallest = min(max(1, firstCapacity), 1 << shift)
    }

    deinit {
        for block in self.blocks { block.deallocate() }
        self.spare?.deallocate()
    }

    var count: Int { self.end - self.start }
    var isEmpty: Bool { self.end == self.start }
    /// The values a full block holds.
    private var blockSize: Int { 1 << self.shift }

    var first: Element? { self.isEmpty ? nil : self[self.start] }
    var last: Element? { self.isEmpty ? nil : self[self.end - 1] }

    subscript(number: Int) -> Element {
        precondition(number >= self.start && number < self.end, "ChunkQueue: no value numbered \(number)")
        let place = number - self.base
        return self.blocks[place >> self.shift][place & (self.blockSize - 1)]
    }

    func append(_ value: Element) {
        let place = self.end - self.base
        if place & (self.blockSize - 1) == 0 && place >> self.shift == self.blocks.count {
            self.addBlock()
        } else if self.blocks.count == 1 && place == self.firstCapacity {
            self.growFirst()
        }
        (self.blocks[place >> self.shift] + (place & (self.blockSize - 1))).initialize(to: value)
        self.end += 1
    }

    /// Appends the values in order: copied a block's part at a time.
    func append(contentsOf values: UnsafeBufferPointer<Element>) {
        var done = 0
        while done < values.count {
            // The first value makes room in a new or grown block; the rest follow it there.
            self.append(values[done])
            done += 1
            // The block of the value just appended, and where its free places end.
            let place = self.end - self.base
            let block = (place - 1) >> self.shift
            let blockEnd = self.blocks.count == 1 ? self.firstCapacity : (block + 1) << self.shift
            let n = min(blockEnd - place, values.count - done)
            guard n > 0 else { continue }
            // A buffer with values has an address.
            let at = self.blocks[block] + (place - (block << self.shift))
            at.initialize(from: values.baseAddress! + done, count: n)
            self.end += n
            done += n
        }
    }

    /// Lets the values numbered before `number` leave (none when it is not past the front).
    func removeFirst(upTo number: Int) {
        precondition(number <= self.end, "ChunkQueue: cannot remove past the back")
        guard number > self.start else { return }
        self.start = number
        // Full blocks wholly before the front leave; the last block stays, even emptied.
        while self.blocks.count > 1 && self.start - self.base >= self.blockSize {
            let left = self.blocks.removeFirst()
            if self.spare == nil { self.spare = left } else { left.deallocate() }
            self.base += self.blockSize
        }
    }

    /// A new block at the back: the first, small; then the spare or a full-size one. The first
    /// block is full by then: it doubles as it fills (``append(_:)``).
    private func addBlock() {
        assert(self.blocks.count != 1 || self.firstCapacity == self.blockSize, "a small first block is full")
        let capacity = self.blocks.isEmpty ? self.smallest : self.blockSize
        if capacity == self.blockSize, let spare = self.spare {
            self.spare = nil
            self.blocks.append(spare)
        } else {
            self.blocks.append(.allocate(capacity: capacity))
            if capacity == self.blockSize { self.blocksAllocated += 1 }
        }
        if self.blocks.count == 1 { self.firstCapacity = capacity }
    }

    /// Doubles the first block, while it is the only one and smaller than a full one.
    private func growFirst() {
        let capacity = min(self.firstCapacity * 2, self.blockSize)
        let grown = UnsafeMutablePointer<Element>.allocate(capacity: capacity)
        if capacity == self.blockSize { self.blocksAllocated += 1 }
        // Only the places from the front on hold values.
        let from = self.start - self.base
        (grown + from).initialize(from: self.blocks[0] + from, count: self.end - self.start)
        self.blocks[0].deallocate()
        self.blocks[0] = grown
        self.firstCapacity = capacity
    }
}
