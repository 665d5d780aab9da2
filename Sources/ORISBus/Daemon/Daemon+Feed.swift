// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

extension Daemon {
    /// How long a member that broke the feed's protocol is refused on the feed.
    static let quarantineMilliseconds: Int64 = 60_000

    /// Refused subscriptions one member may send between two feed resets before it is put in
    /// quarantine: libzmq keeps every prefix a peer sent until its connection ends, so a member
    /// sending refused prefixes by the thousand would grow the daemon's memory without bound.
    static let maximumRefusedSubscriptions = 256

    /// The member-and-prefix pairs remembered so that each refusal is logged once.
    static let maximumLoggedRefusals = 10_000

    /// The member a connection's ZAP user id names: under `curve` the user id is the public key,
    /// so a connection opened with a key that was later removed stays nobody, even when its
    /// member name is enrolled again with another key; under `none` it is the member's name.
    func member(forUserID userID: String?) -> Member? {
        guard let userID else { return nil }
        switch self.configuration.security {
        case .none: return self.registry.member(userID)
        case .curve: return self.registry.member(publicKey: userID)
        }
    }

    /// Whether `member` is kept off the feed for now.
    func isQuarantined(_ member: String, now: Int64 = Timestamp.now().milliseconds) -> Bool {
        guard let until = self.feedQuarantine[member] else { return false }
        if until <= now {
            self.feedQuarantine[member] = nil
            return false
        }
        return true
    }

    /// Serves the feed's queued subscription messages: each one is checked against its member
    /// (``ReadPolicy``) before it is applied to the peer it came from.
    ///
    /// libzmq's XPUB in manual mode matches a message to its peer by queue order, and a message
    /// that is not a subscription (an XSUB may send any) enters its data queue but not its peer
    /// queue: from then on, each subscription would be applied to another peer. So the first
    /// such message stops the reading: its member is put in quarantine and the feed socket is
    /// replaced before anything else is read from it (``resetFeed(_:)``).
    func serveSubscriptions(_ feed: Socket) throws(ZMQError) {
        for _ in 0..<Daemon.batch {
            guard let message = try feed.receive(wait: false, properties: [ReceivedMessage.userIDProperty]) else {
                return
            }
            let member = self.member(forUserID: message.userID)
            let name = member?.id ?? (message.userID == nil ? "" : "(removed)")
            guard message.frames.count == 1, let frame = message.frames.first, let flag = frame.first, flag <= 1 else {
                self.breakOff(member?.id, reason: "a message that is not a subscription")
                return
            }
            let bytes = Array(frame.dropFirst())
            let prefix = String(decoding: bytes, as: UTF8.self)
            if flag == 1 {
                guard let member, ReadPolicy.allows(member, prefix, in: self.registry) else {
                    self.stats.refusedSubscriptions += 1
                    self.noteRefusal(name, prefix)
                    let count = self.refusedSinceReset[name, default: 0] + 1
                    self.refusedSinceReset[name] = count
                    if count > Daemon.maximumRefusedSubscriptions, let member {
                        let most = Daemon.maximumRefusedSubscriptions
                        self.breakOff(member.id, reason: "over \(most) refused subscriptions")
                        return
                    }
                    continue
                }
                // In manual mode this applies to the peer whose message was just read.
                try feed.set(.subscribe(bytes))
                self.stats.subscriptions += 1
                self.logger.debug("subscribed", [("member", name), ("prefix", prefix)])
            } else {
                // A peer that went away is unsubscribed by libzmq itself (its message carries no
                // member); one still connected asked for it and gets it.
                if message.userID != nil {
                    try feed.set(.unsubscribe(bytes))
                }
                self.stats.unsubscriptions += 1
                self.logger.debug("unsubscribed", [("member", name), ("prefix", prefix)])
            }
        }
    }

    /// Logs a refused subscription once per member and prefix (up to a bound).
    private func noteRefusal(_ member: String, _ prefix: String) {
        let key = "\(member)\u{0}\(prefix)"
        guard !self.refusedSubscriptionKeys.contains(key) else { return }
        guard self.refusedSubscriptionKeys.count < Daemon.maximumLoggedRefusals else {
            if self.refusedSubscriptionKeys.count == Daemon.maximumLoggedRefusals {
                self.refusedSubscriptionKeys.insert("\u{0}full")
                self.logger.warning("too many distinct refused subscriptions; no longer logging each", [])
            }
            return
        }
        self.refusedSubscriptionKeys.insert(key)
        self.logger.notice("subscription refused", [("member", member), ("prefix", prefix)])
    }

    /// Puts a member in quarantine on the feed and asks the loop to replace the feed socket.
    private func breakOff(_ member: String?, reason: String) {
        if let member {
            self.feedQuarantine[member] = Timestamp.now().milliseconds + Daemon.quarantineMilliseconds
        }
        self.feedResetPending = true
        self.logger.warning("feed peer broke the subscription protocol; feed reset, peer in quarantine", [
            ("member", member ?? ""), ("err", reason),
            ("seconds", String(Daemon.quarantineMilliseconds / 1000)),
        ])
    }

    /// Replaces the feed socket by a new one bound to the same endpoints: everything libzmq
    /// queued in the old one is dropped with it, and every subscriber reconnects (through ZAP)
    /// and resubscribes, each subscription checked again.
    /// Replaces the feed at once when a control command (a member removed, a collector taken
    /// off an axis) narrowed what someone may read: not after the rest of the batch, whose
    /// publishes would otherwise still reach the old subscriptions (under fsync `batch` and
    /// `never` they are sent as soon as they are stored).
    func resetFeedIfNarrowed(_ sockets: Sockets) throws(ZMQError) {
        guard self.feedResetPending else { return }
        self.feedResetPending = false
        try self.resetFeed(sockets)
        self.feedReplaced = true
    }

    func resetFeed(_ sockets: Sockets) throws(ZMQError) {
        try sockets.feed.set(.linger(milliseconds: 0))
        sockets.feed.close()
        let feed = try self.makeFeed(sockets.context)
        for endpoint in self.feedEndpoints {
            try Self.bindRetrying(feed, endpoint)
        }
        sockets.feed = feed
        self.refusedSinceReset = [:]
        self.stats.feedRebinds += 1
    }

    /// Binds, waiting up to a second for a tcp port that a closing listener still holds.
    static func bindRetrying(_ socket: Socket, _ endpoint: String) throws(ZMQError) {
        var attempt = 0
        while true {
            do {
                try socket.bind(endpoint)
                return
            } catch where error.errno == EADDRINUSE && attempt < 200 {
                attempt += 1
                usleep(5000)
            }
        }
    }
}
