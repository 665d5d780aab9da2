// SPDX-License-Identifier: Apache-2.0

/// What an ACK says, kept so that a retry of the same id gets the same answer.
package struct AckRecord: Sendable, Equatable {
    package struct Delivery: Sendable, Equatable {
        package var topic: String
        package var seq: UInt64
        /// The topic's tier, kept so that writing an ACK never parses a topic.
        package var tier: Tier

        package init(topic: String, seq: UInt64, tier: Tier? = nil) {
            self.topic = topic
            self.seq = seq
            self.tier = tier ?? Topic(topic)?.tier ?? .gip
        }
    }

    package var id: String
    /// The member that published it: a retry must come from the same member.
    package var sender: String
    package var deliveries: [Delivery]
    /// The journal position of the item's last record (0 without a journal).
    package var position: UInt64
    package var received: Timestamp

    /// The ACK's JSON object: id, the first delivery's sequence, tiers, and every delivery.
    package var jsonObject: JSONObject {
        var o = JSONObject()
        o["id"] = .string(self.id)
        o["seq"] = self.deliveries.first.map { .int(Int64($0.seq)) } ?? .null
        o["tiers"] = .array(self.deliveries.map { .string($0.tier.word) })
        o["deliveries"] = .array(self.deliveries.map { delivery in
            .object(JSONObject([("topic", .string(delivery.topic)), ("seq", .int(Int64(delivery.seq)))]))
        })
        return o
    }
}

/// The ids a tenant published recently, each with its ACK, forgotten by age and by count.
package struct IdempotencyWindow: Sendable {
    private var acks: [String: AckRecord] = [:]
    private var order: [(time: Int64, id: String)] = []
    private var head = 0
    package let seconds: Int
    package let maximum: Int

    package init(seconds: Int, maximum: Int) {
        self.seconds = seconds
        self.maximum = max(1, maximum)
    }

    /// The ACK of an id still remembered.
    package func ack(for id: String) -> AckRecord? {
        self.acks[id]
    }

    /// How many ids are remembered.
    package var count: Int { self.acks.count }

    /// Remembers an ACK, forgetting what is too old or too many.
    package mutating func remember(_ ack: AckRecord, now: Timestamp) {
        if self.acks.updateValue(ack, forKey: ack.id) == nil {
            self.order.append((ack.received.milliseconds, ack.id))
        }
        let oldest = now.milliseconds - Int64(self.seconds) * 1000
        while self.head < self.order.count
                && (self.acks.count > self.maximum || self.order[self.head].time < oldest) {
            self.acks.removeValue(forKey: self.order[self.head].id)
            self.head += 1
        }
        // Compact the queue now and then, so it does not grow without bound.
        if self.head > 4096 && self.head * 2 > self.order.count {
            self.order.removeFirst(self.head)
            self.head = 0
        }
    }
}
