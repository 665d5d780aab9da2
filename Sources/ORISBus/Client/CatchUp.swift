// SPDX-License-Identifier: Apache-2.0

/// Turns live items and replays into one stream without holes or duplicates per topic.
///
/// The procedure of docs/PROTOCOL.md section 9.1: subscribe first; then, when asked, replay
/// the history of the prefixes; then for each live item, drop it if its topic already showed
/// that sequence number, fill the gap from the journal if numbers were skipped, and show it.
/// When the feed is quiet, ``checkTails()`` asks the daemon for the last stored numbers, so a
/// gap at the end (items lost while disconnected) is filled too.
package struct CatchUp {
    /// Reads one page of stored items (a REPLAY request on the api endpoint).
    package typealias Fetch = (ReplayRequest) throws -> ReplayPage

    private var prefixes: [String]
    private let fetch: Fetch
    /// The last sequence number shown on each topic.
    package private(set) var shown: [String: UInt64] = [:]
    /// Items recovered from the journal to fill gaps so far (history asked for is not counted).
    package private(set) var repaired = 0
    /// Gaps found, by topic.
    package private(set) var gaps = 0
    /// Whether ``baseline()`` ran: then a topic never shown started from nothing.
    private var hasBaseline = false

    package init(prefixes: [String], fetch: @escaping Fetch) {
        self.prefixes = prefixes
        self.fetch = fetch
    }

    /// Replays what the prefixes hold from sequence number `fromSeq` on, in journal order.
    package mutating func history(fromSeq: UInt64, show: (ReceivedItem) throws -> Void) throws {
        for prefix in self.prefixes {
            var request = ReplayRequest(prefix: prefix)
            request.fromSeq = fromSeq
            request.limit = ReplayRequest.maximumLimit
            try self.drain(request, isRepair: false, show: show)
        }
    }

    /// Notes where each topic under the prefixes stands now, before the subscription is made:
    /// anything numbered after this point is then owed to the subscriber, including items of
    /// topics it has not seen yet and items published while its connection was being remade.
    package mutating func baseline() throws {
        // "" (an operator's everything) is not a prefix REPLAY takes: no baseline for it.
        for prefix in self.prefixes where !prefix.isEmpty {
            var probe = ReplayRequest(prefix: prefix)
            probe.toSeq = 0
            probe.limit = 1
            for (topic, range) in try self.fetch(probe).topics where range.last > self.shown[topic] ?? 0 {
                self.shown[topic] = range.last
            }
        }
        self.hasBaseline = true
    }

    /// Stops following `prefix` (the member may no longer read it): its topics are forgotten.
    package mutating func drop(_ prefix: String) {
        self.prefixes.removeAll { $0 == prefix }
        for topic in self.shown.keys where topic.hasPrefix(prefix) && !self.prefixes.contains(where: topic.hasPrefix) {
            self.shown[topic] = nil
        }
    }

    /// The last number shown on a topic; 0 for a topic new since the baseline.
    private func last(_ topic: String) -> UInt64? {
        self.shown[topic] ?? (self.hasBaseline ? 0 : nil)
    }

    /// Takes one live item: shows it, after any items it reveals were missed.
    package mutating func live(_ item: ReceivedItem, show: (ReceivedItem) throws -> Void) throws {
        guard let seq = item.seq, seq > 0 else {
            try show(item)
            return
        }
        let topic = item.topic
        if let last = self.last(topic) {
            if UInt64(seq) <= last { return }  // already shown (from a replay)
            if UInt64(seq) > last + 1 {
                self.gaps += 1
                try self.fill(topic: topic, from: last + 1, to: UInt64(seq) - 1, show: show)
            }
        }
        if UInt64(seq) > self.shown[topic] ?? 0 {
            self.shown[topic] = UInt64(seq)
            try show(item)
        }
    }

    /// Asks for the last stored numbers of the topics shown so far and fills what is missing.
    package mutating func checkTails(show: (ReceivedItem) throws -> Void) throws {
        for prefix in self.prefixes {
            var probe = ReplayRequest(prefix: prefix)
            probe.toSeq = 0
            probe.limit = 1
            let page = try self.fetch(probe)
            for (topic, range) in page.topics.sorted(by: { $0.key < $1.key }) {
                guard let last = self.last(topic), range.last > last else { continue }
                self.gaps += 1
                try self.fill(topic: topic, from: last + 1, to: range.last, show: show)
            }
        }
    }

    private mutating func fill(topic: String, from: UInt64, to: UInt64, show: (ReceivedItem) throws -> Void) throws {
        var request = ReplayRequest(prefix: topic)
        request.fromSeq = from
        request.toSeq = to
        request.limit = ReplayRequest.maximumLimit
        request.isRepair = true
        try self.drain(request, isRepair: true, show: show)
    }

    private mutating func drain(
        _ first: ReplayRequest,
        isRepair: Bool,
        show: (ReceivedItem) throws -> Void
    ) throws {
        var request = first
        while true {
            let page = try self.fetch(request)
            for item in page.items {
                guard let seq = item.seq, UInt64(seq) > self.shown[item.topic] ?? 0 else { continue }
                self.shown[item.topic] = UInt64(seq)
                if isRepair { self.repaired += 1 }
                try show(item)
            }
            guard page.more else { return }
            request.after = page.cursor
        }
    }
}
