// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// The buffer that holds a run's deliveries until their journal records are written.
@Suite struct DeliveryRunTests {
    @Test func heldFrames_readBackWhole_afterTheBufferGrows() {
        let run = DeliveryRun(capacity: 64)
        let body = run.append([1, 2, 3])
        let topic = run.append(Array("bfc/t1/gip/signal".utf8))
        let header = run.write(bound: 40) { w in
            w.literal("{\"seq\":")
            w.integer(12)
            w.byte(UInt8(ascii: "}"))
        }
        run.hold(topic: topic, header: header, body: body, tier: .gip, tenant: 2)
        // Far past the first capacity: the bytes move, the ranges still name them.
        let big = run.append([UInt8](repeating: 7, count: 10_000))
        let copy = run.appendCopy(of: header)
        run.hold(topic: [9], header: [8, 8], body: big, tier: .crps, tenant: nil)

        #expect(Array(run.bytes(body)) == [1, 2, 3])
        #expect(String(decoding: run.bytes(topic), as: UTF8.self) == "bfc/t1/gip/signal")
        #expect(String(decoding: run.bytes(header), as: UTF8.self) == "{\"seq\":12}")
        #expect(Array(run.bytes(copy)) == Array(run.bytes(header)))
        #expect(run.bytes(big).allSatisfy { $0 == 7 } && big.count == 10_000)
        #expect(run.entries.map(\.tenant) == [2, -1])
        #expect(run.entries.map(\.tier) == [.gip, .crps])
        #expect(Array(run.bytes(run.entries[1].topic)) == [9] && Array(run.bytes(run.entries[1].header)) == [8, 8])
        #expect(run.count == 2)
    }

    @Test func truncate_takesBackWhatNoDeliveryHolds() {
        let run = DeliveryRun()
        let body = run.append([1])
        run.hold(topic: [2], header: [3], body: body, tier: .gip, tenant: 0)
        let mark = run.byteCount
        _ = run.append([4, 5, 6])

        run.truncate(to: mark)

        #expect(run.byteCount == mark)
        #expect(run.count == 1)
        #expect(run.append([7]) == mark..<(mark + 1))
    }

    @Test func removeAll_givesBackWhatABurstOfLargeItemsGrew() {
        let run = DeliveryRun()
        let body = run.append([UInt8](repeating: 1, count: 3 * DeliveryRun.keptCapacity))
        run.hold(topic: [1], header: [2], body: body, tier: .gip, tenant: 0)
        let grown = run.capacity

        run.removeAll()

        #expect(grown >= 3 * DeliveryRun.keptCapacity)
        #expect(run.capacity == DeliveryRun.keptCapacity)
        #expect(run.count == 0 && run.byteCount == 0)
        #expect(run.append([5]) == 0..<1)
    }
}
