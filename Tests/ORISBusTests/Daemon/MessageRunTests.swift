// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// The buffer that holds a run's deliveries until their journal records are written.
@Suite struct MessageRunTests {
    @Test func heldFrames_readBackWhole_afterTheBufferGrows() {
        let run = MessageRun(capacity: 64)
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
        #expect(Array(run.frame(0, of: run.entries[1])) == [9] && Array(run.frame(1, of: run.entries[1])) == [8, 8])
        #expect(run.count == 2)
    }

    @Test func truncate_takesBackWhatNoDeliveryHolds() {
        let run = MessageRun()
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
        let run = MessageRun()
        let body = run.append([UInt8](repeating: 1, count: 3 * MessageRun.keptCapacity))
        run.hold(topic: [1], header: [2], body: body, tier: .gip, tenant: 0)
        let grown = run.capacity

        run.removeAll()

        #expect(grown >= 3 * MessageRun.keptCapacity)
        #expect(run.capacity == MessageRun.keptCapacity)
        #expect(run.count == 0 && run.byteCount == 0)
        #expect(run.append([5]) == 0..<1)
    }

    /// Under fsync `always` the loop's run is copied into the waiting list, then emptied and
    /// filled again while the list still waits: the next item's body can lie at the very offsets
    /// of the last one copied. Each must keep its own body (a helper saw live deliveries carry
    /// the previous item's body, the journal right).
    @Test func copiesFromARefilledRun_keepTheirOwnBodies() {
        let run = MessageRun()
        let waiting = MessageRun(capacity: 64)
        for n in 1...3 {
            // Same lengths each time, so the topic, header and body ranges repeat exactly.
            let body = run.append(Array("body-of-00000\(n)".utf8))
            run.hold(topic: Array("t/x/gip".utf8), header: Array("h".utf8), body: body, tier: .gip, tenant: 0,
                     position: UInt64(n))
            run.hold(topic: Array("t/x/crp".utf8), header: Array("h".utf8), body: body, tier: .crps, tenant: 0,
                     position: UInt64(n))
            for entry in run.entries { waiting.hold(copyOf: entry, from: run, position: entry.position) }
            run.removeAll()
        }

        let bodies = waiting.pending.map { String(decoding: waiting.frame(2, of: $0), as: UTF8.self) }
        #expect(bodies == ["body-of-000001", "body-of-000001", "body-of-000002", "body-of-000002",
                           "body-of-000003", "body-of-000003"])
        // Within one item the two deliveries still share one copy of the body.
        let ranges = waiting.pending.map { waiting.frameRanges[$0.frames.lowerBound + 2] }
        #expect(ranges[0] == ranges[1] && ranges[2] == ranges[3] && ranges[4] == ranges[5])
        #expect(ranges[0] != ranges[2] && ranges[2] != ranges[4])
    }

    /// A waiting list as under fsync `always`: copies of a run's messages, released by position
    /// as syncs complete, the rest kept whole when their bytes move to the front.
    @Test func release_byPosition_keepsTheRestWhole_acrossTheMoveToTheFront() throws {
        let run = MessageRun()
        let waiting = MessageRun(capacity: 64)
        // Item n: two deliveries sharing one body, then a reply naming the item's id.
        for n in 1...40 {
            let body = run.append(Array("body of item \(n), long enough to matter".utf8))
            run.hold(topic: Array("t/\(n)/gip".utf8), header: Array("h\(n)".utf8), body: body, tier: .gip, tenant: 0,
                     position: UInt64(n))
            run.hold(topic: Array("t/\(n)/crps".utf8), header: Array("h\(n)".utf8), body: body, tier: .crps,
                     tenant: 0, position: UInt64(n))
            run.holdReply([[7], [], Array("ORIS01".utf8), Array("ACK".utf8), Array("{\"id\":\"i-\(n)\"}".utf8)],
                          tenant: 0, position: UInt64(n), id: "i-\(n)")
        }
        for entry in run.entries { waiting.hold(copyOf: entry, from: run, position: entry.position) }
        run.removeAll()
        let bytesHeld = waiting.byteCount

        func text(_ entry: MessageRun.Entry, _ frame: Int) -> String {
            String(decoding: waiting.frame(frame, of: entry), as: UTF8.self)
        }
        var sent: [String] = []
        // The first sync covers items 1 to 30: more than half the bytes go, the rest move.
        try waiting.release(while: { $0.position <= 30 }) { entry in
            sent.append(entry.tier == nil ? text(entry, 4) : text(entry, 0))
        }

        #expect(sent.count == 90)
        #expect(sent.prefix(3) == ["t/1/gip", "t/1/crps", "{\"id\":\"i-1\"}"])
        #expect(waiting.count == 30)
        #expect(waiting.byteCount < bytesHeld / 2, "the rest was not moved to the front")
        // The body two deliveries share was copied once.
        let first = try #require(waiting.pending.first)
        let second = try #require(waiting.pending.dropFirst().first)
        #expect(first.frames.count == 3)
        #expect(waiting.frameRanges[first.frames.lowerBound + 2] == waiting.frameRanges[second.frames.lowerBound + 2])
        for (k, entry) in waiting.pending.enumerated() {
            let n = 31 + k / 3
            #expect(entry.position == UInt64(n))
            switch k % 3 {
            case 0, 1:
                #expect(text(entry, 0) == "t/\(n)/" + (k % 3 == 0 ? "gip" : "crps"))
                #expect(text(entry, 1) == "h\(n)")
                #expect(text(entry, 2) == "body of item \(n), long enough to matter")
            default:
                #expect(text(entry, 4) == "{\"id\":\"i-\(n)\"}")
                #expect(entry.id.map { String(decoding: waiting.bytes($0), as: UTF8.self) } == "i-\(n)")
                #expect(Array(waiting.frame(0, of: entry)) == [7] && waiting.frame(1, of: entry).isEmpty)
            }
        }
        // The next sync covers the rest: nothing is left, and the buffer starts afresh.
        try waiting.release(while: { $0.position <= 40 }) { _ in }
        #expect(waiting.count == 0 && waiting.byteCount == 0)
    }
}
