// SPDX-License-Identifier: Apache-2.0

/// The daemon's counters, owned by its loop; STATS adds the allocator's gauge (``HeapUsage``).
package struct Stats: Sendable {
    /// Items accepted, by the endpoint they came on (`api`, `ingest`; those with none left out).
    package var accepted: [String: UInt64] {
        get {
            var out: [String: UInt64] = [:]
            if self.acceptedOnAPI > 0 { out["api"] = self.acceptedOnAPI }
            if self.acceptedOnIngest > 0 { out["ingest"] = self.acceptedOnIngest }
            return out
        }
        set {
            self.acceptedOnAPI = newValue["api"] ?? 0
            self.acceptedOnIngest = newValue["ingest"] ?? 0
        }
    }
    /// The counts behind ``accepted``, one field each: counted for every item, where a
    /// dictionary keyed by the endpoint's name hashed it each time.
    package var acceptedOnAPI: UInt64 = 0
    package var acceptedOnIngest: UInt64 = 0
    /// Deliveries sent on the feed, by tier.
    package var delivered = TierCounts()
    /// Requests refused, by endpoint and NAK code.
    package var rejected: [String: [NAKCode: UInt64]] = [:]
    /// Subscription and unsubscription messages seen on the feed.
    package var subscriptions: UInt64 = 0
    /// Subscriptions refused because they reach beyond what their member may read.
    package var refusedSubscriptions: UInt64 = 0
    package var unsubscriptions: UInt64 = 0
    /// Connections refused by the ZAP handler.
    package var refusedConnections: UInt64 = 0
    /// Times the feed's connections were cut to end a revoked member's.
    package var feedRebinds: UInt64 = 0
    /// Publishes of an id already stored, answered with the first ACK.
    package var duplicates: UInt64 = 0
    /// Items the daemon raised itself (corroboration alerts).
    package var raised: UInt64 = 0
    /// Back-planning reminders raised.
    package var reminders: UInt64 = 0
    /// Items sent in REPLAY pages.
    package var replayed: UInt64 = 0
    /// Replies dropped because their client had too many unread.
    package var droppedReplies: UInt64 = 0
    /// Items each member fetched back to fill gaps in its live feed (what the feed dropped for
    /// it, as far as its gap repair saw).
    package var gapRepairs: [String: UInt64] = [:]

    package init() {}

    /// Counts a refusal; returns true the first time this endpoint sees this code.
    @discardableResult
    package mutating func countRejection(_ code: NAKCode, endpoint: String) -> Bool {
        let before = self.rejected[endpoint, default: [:]][code, default: 0]
        self.rejected[endpoint, default: [:]][code] = before + 1
        return before == 0
    }

    /// The counters as a JSON object, for `STATS`, with the heap bytes in use at the moment it is
    /// made (`heap_bytes`).
    package var jsonObject: JSONObject {
        var o = JSONObject()
        let accepted = self.accepted.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.int(Int64($0.value))) }
        o["accepted"] = .object(JSONObject(accepted))
        let delivered = Tier.allCases.map { ($0.word, JSONValue.int(Int64(self.delivered[$0]))) }
        o["delivered"] = .object(JSONObject(delivered))
        var rejected = JSONObject()
        for (endpoint, codes) in self.rejected.sorted(by: { $0.key < $1.key }) {
            rejected[endpoint] = .object(JSONObject(codes.sorted { $0.key.word < $1.key.word }
                .map { ($0.key.word, .int(Int64($0.value))) }))
        }
        o["rejected"] = .object(rejected)
        o["subscriptions"] = .int(Int64(self.subscriptions))
        o["unsubscriptions"] = .int(Int64(self.unsubscriptions))
        o["refused_subscriptions"] = .int(Int64(self.refusedSubscriptions))
        o["refused_connections"] = .int(Int64(self.refusedConnections))
        o["feed_rebinds"] = .int(Int64(self.feedRebinds))
        o["duplicates"] = .int(Int64(self.duplicates))
        o["raised"] = .int(Int64(self.raised))
        o["reminders"] = .int(Int64(self.reminders))
        o["replayed"] = .int(Int64(self.replayed))
        o["dropped_replies"] = .int(Int64(self.droppedReplies))
        o["gap_repairs"] = .object(JSONObject(self.gapRepairs.sorted { $0.key < $1.key }
            .map { ($0.key, JSONValue.int(Int64($0.value))) }))
        o["heap_bytes"] = .int(Int64(HeapUsage.bytesInUse))
        return o
    }
}

/// A count for each tier, in one vector on the stack: counted for every delivery, where a
/// dictionary keyed by tier hashed it each time.
package struct TierCounts: Sendable {
    private var counts = SIMD8<UInt64>()

    package init() {}

    package subscript(tier: Tier) -> UInt64 {
        get { self.counts[tier.rank] }
        set { self.counts[tier.rank] = newValue }
    }
}
