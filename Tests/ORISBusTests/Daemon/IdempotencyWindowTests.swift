// SPDX-License-Identifier: Apache-2.0
import Testing
@testable import ORISBus

/// Ids remembered for retries: by age and by count.
@Suite struct IdempotencyWindowTests {
    static func ack(_ id: String, at ms: Int64) -> AckRecord {
        AckRecord(id: id, sender: "m", deliveries: [.init(topic: "a/t/gip/signal", seq: 1)], position: 1,
                  received: Timestamp(milliseconds: ms))
    }

    @Test func remember_keepsAnIdWithinTheWindow() {
        var window = IdempotencyWindow(seconds: 60, maximum: 10)
        window.remember(Self.ack("x", at: 1_000), now: Timestamp(milliseconds: 1_000))

        #expect(window.ack(for: "x") == Self.ack("x", at: 1_000))
        #expect(window.ack(for: "y") == nil)
    }

    @Test func remember_forgetsIdsOlderThanTheWindow() {
        var window = IdempotencyWindow(seconds: 60, maximum: 10)
        window.remember(Self.ack("old", at: 0), now: Timestamp(milliseconds: 0))

        window.remember(Self.ack("new", at: 61_000), now: Timestamp(milliseconds: 61_000))

        #expect(window.ack(for: "old") == nil)
        #expect(window.ack(for: "new") != nil)
    }

    @Test func remember_pastTheMaximum_forgetsTheOldestFirst() {
        var window = IdempotencyWindow(seconds: 3600, maximum: 3)
        for n in 1...5 {
            window.remember(Self.ack("id\(n)", at: Int64(n)), now: Timestamp(milliseconds: Int64(n)))
        }

        #expect(window.count == 3)
        #expect(window.ack(for: "id1") == nil && window.ack(for: "id2") == nil)
        #expect(window.ack(for: "id3") != nil && window.ack(for: "id5") != nil)
    }

    @Test func ackJSON_listsTiersFromTopicsInOrder() {
        let ack = AckRecord(id: "a", sender: "m", deliveries: [.init(topic: "bfc/t/gip/alert", seq: 4),
                                                  .init(topic: "bfc/t/crps/alert", seq: 2)],
                            position: 9, received: Timestamp(milliseconds: 0))

        #expect(ack.jsonObject["seq"] == .int(4))
        #expect(ack.jsonObject["tiers"] == .array([.string("gip"), .string("crps")]))
    }
}
