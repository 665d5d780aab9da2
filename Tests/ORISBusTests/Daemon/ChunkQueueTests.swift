// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// The id window's storage, against an array that keeps every value ever appended.
@Suite struct ChunkQueueTests {
    /// A value of 48 bytes, as large as a window entry: 1,024 to a block.
    struct Wide: Equatable, BitwiseCopyable {
        var a: Int, b: Int, c: Int, d: Int, e: Int, f: Int
        init(_ n: Int) { (a, b, c, d, e, f) = (n, ~n, n &* 31, n >> 3, -n, n ^ 0x5A5A) }
    }

    /// Checks every live number of `queue` against `model[number]`, and its ends.
    static func check<E: Equatable & BitwiseCopyable>(_ queue: ChunkQueue<E>, _ model: [E], start: Int) {
        #expect(queue.start == start)
        #expect(queue.end == model.count)
        #expect(queue.count == model.count - start)
        #expect(queue.first == (start < model.count ? model[start] : nil))
        #expect(queue.last == (start < model.count ? model.last : nil))
        #expect((start..<model.count).allSatisfy { queue[$0] == model[$0] })
    }

    @Test func randomAppendsAndRemovals_keepEachValueAtItsNumber() {
        var random = HeaderScannerTests.Generator(state: 7)
        let queue = ChunkQueue<Wide>()
        var model: [Wide] = []
        var start = 0
        for round in 0..<400 {
            // Appends of up to three blocks' worth, removals of up to all that is held.
            for _ in 0..<Int(random.next() % 3000) {
                queue.append(Wide(model.count))
                model.append(Wide(model.count))
            }
            if round % 3 != 0 {
                start += Int(random.next() % UInt64(model.count - start + 1))
                queue.removeFirst(upTo: start)
            }
            if round % 40 == 0 { Self.check(queue, model, start: start) }
        }
        Self.check(queue, model, start: start)
    }

    @Test func bulkAppends_crossBlockBoundariesIntact() {
        var random = HeaderScannerTests.Generator(state: 11)
        let queue = ChunkQueue<UInt8>()
        var model: [UInt8] = []
        var start = 0
        // Runs of up to 70,000 bytes: past a 65,536-byte block, from every offset in it.
        for _ in 0..<200 {
            let run = (0..<Int(random.next() % 70_000)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            run.withUnsafeBufferPointer { queue.append(contentsOf: $0) }
            model += run
            start += Int(random.next() % UInt64(model.count - start + 1)) / 2
            queue.removeFirst(upTo: start)
        }
        Self.check(queue, model, start: start)
    }

    @Test func aWindowSlidingAtItsSize_allocatesNoMoreBlocksOnceFull() {
        let queue = ChunkQueue<Wide>()
        // 10,000 values held: ten full blocks (and the one being filled).
        for n in 0..<10_000 { queue.append(Wide(n)) }
        for n in 10_000..<20_000 {
            queue.append(Wide(n))
            queue.removeFirst(upTo: n - 9_999)
        }
        let warm = queue.blocksAllocated
        for n in 20_000..<200_000 {
            queue.append(Wide(n))
            queue.removeFirst(upTo: n - 9_999)
        }
        #expect(warm <= 11)
        #expect(queue.blocksAllocated == warm)
        #expect(queue.count == 10_000 && queue[199_999] == Wide(199_999) && queue[190_000] == Wide(190_000))
    }

    /// The window's first block starts at 16 places, a journal topic's at 1 (most topics hold
    /// few records): each doubles while it is the only block, with values already gone from its
    /// front, and only a full block counts as one allocated.
    @Test(arguments: [1, 16])
    func aQueueHoldingLittle_keepsItsFirstBlockSmall(firstCapacity: Int) {
        let queue = ChunkQueue<Wide>(firstCapacity: firstCapacity)
        var model: [Wide] = []
        for n in 0..<20 {
            queue.append(Wide(n))
            model.append(Wide(n))
            if n == 2 { queue.removeFirst(upTo: 2) }
        }
        queue.removeFirst(upTo: 15)
        #expect(queue.blocksAllocated == 0)
        Self.check(queue, model, start: 15)
        // Past a full block (1,024 of these), the first one counts.
        for n in 20..<1_500 {
            queue.append(Wide(n))
            model.append(Wide(n))
        }
        #expect(queue.blocksAllocated == 2)
        Self.check(queue, model, start: 15)
    }
}
