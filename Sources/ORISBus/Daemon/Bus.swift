// SPDX-License-Identifier: Apache-2.0

/// One delivery ready for the feed: topic, stamped header, and the topic sequence it carries.
package struct OutboundItem: Sendable, Equatable {
    package var topic: Topic
    package var seq: UInt64
    package var header: ItemHeader
}

/// What an accepted publish came to.
package struct Accepted: Sendable, Equatable {
    package var id: String
    package var deliveries: [OutboundItem]

    /// The ACK's JSON object: id, the first delivery's sequence, tiers, and every delivery.
    package var ack: JSONObject {
        var o = JSONObject()
        o["id"] = .string(self.id)
        o["seq"] = self.deliveries.first.map { .int(Int64($0.seq)) } ?? .null
        o["tiers"] = .array(self.deliveries.map { .string($0.topic.tier.word) })
        o["deliveries"] = .array(self.deliveries.map { delivery in
            .object(JSONObject([("topic", .string(delivery.topic.description)), ("seq", .int(Int64(delivery.seq)))]))
        })
        return o
    }
}

/// The rules of publishing, without sockets: check the sender and the header, stamp, route,
/// number each delivery on its topic.
///
/// Owned by the daemon's loop (it keeps per-topic counters), and testable on its own.
package struct Bus: Sendable {
    package let registry: Registry
    package var router: Router
    package var reader: HeaderReader
    private var sequences: [Topic: UInt64] = [:]
    private var ids = ItemIDGenerator()

    package init(registry: Registry, limits: ItemLimits, router: Router = .standard) {
        self.registry = registry
        self.router = router
        self.reader = HeaderReader(limits: limits)
    }

    /// Publishes one item.
    ///
    /// - Parameters:
    ///   - senderID: the member the connection authenticated as (the ZAP user id).
    ///   - header: the header frame.
    ///   - body: the body frame.
    ///   - now: the time to stamp as received.
    /// - Returns: the deliveries to send, in tier order, each with its topic sequence.
    /// - Throws: ``Rejection`` for the first problem found; nothing is numbered then.
    package mutating func publish(
        senderID: String?,
        header: [UInt8],
        body: [UInt8],
        now: Timestamp = .now()
    ) throws(Rejection) -> Accepted {
        guard let senderID, let sender = self.registry.member(senderID) else {
            throw Rejection(.unknownMember, "the connection carries no known member identity")
        }
        guard body.count <= self.reader.limits.maximumBodyBytes else {
            throw Rejection(.bodyTooLarge,
                            "the body is \(body.count) bytes, over the limit of \(self.reader.limits.maximumBodyBytes)")
        }
        var stamped = try self.reader.read(header) { self.ids.next(at: now) }
        guard let theme = self.registry.theme(stamped.theme, tenant: sender.tenant) else {
            throw Rejection(.unknownTheme, "tenant '\(sender.tenant)' has no theme '\(stamped.theme)'", id: stamped.id)
        }
        try PublishPolicy.check(member: sender, kind: stamped.kind, theme: theme.id, id: stamped.id)

        stamped.tenant = sender.tenant
        stamped.sender = sender.id
        stamped.received = now
        stamped.origin = sender.tenant
        let routes = self.router.route(RoutingInput(header: stamped, theme: theme, sender: sender))
        var deliveries = [OutboundItem]()
        for route in routes {
            let topic = Topic(tenant: sender.tenant, theme: theme.id, tier: route.tier, kind: stamped.kind)
            let seq = self.sequences[topic, default: 0] + 1
            self.sequences[topic] = seq
            var copy = stamped
            copy.tier = route.tier
            copy.seq = seq
            copy.reason = route.reason
            deliveries.append(OutboundItem(topic: topic, seq: seq, header: copy))
        }
        return Accepted(id: stamped.id, deliveries: deliveries)
    }

    /// The last sequence number given on a topic (0 when none).
    package func lastSequence(of topic: Topic) -> UInt64 {
        self.sequences[topic, default: 0]
    }
}
