// SPDX-License-Identifier: Apache-2.0

/// One message for the feed: its frames (topic, header, body) and the tier it goes to.
struct FeedMessage {
    var tier: Tier
    var frames: [[UInt8]]
}

/// What a tenant's journal owes: the first position not yet durable, whether a sync is in
/// flight, and the deliveries and replies that wait for one (under fsync `always`).
struct TenantDurability {
    let policy: FsyncPolicy
    /// Every position before this one is durable (or, without `always`, may be shown).
    var durableBefore: UInt64
    /// The tenant's journal, reached by the tenant's number: the loop looks at every tenant's
    /// after each turn, and a look-up by name hashed the name each time.
    let journal: Journal
    var syncInFlight = false
    var lastSync = Timestamp.now()
    /// Deliveries and replies held until their positions are durable, in the order they are
    /// to go out (each entry's position at least its predecessor's).
    let waiting = MessageRun(capacity: 4096)
    /// An fdatasync failed (after that the kernel may have dropped the dirty pages), or a
    /// deferred journal write did: nothing more is accepted for this tenant until a restart
    /// reads back what the disk really holds.
    var hasFailed = false
}

extension Daemon {
    /// Holds the deliveries and the reply of a request served the general way behind what is
    /// held (``held``), copying their frames in; ``releaseHeld(_:)`` sends them, or under fsync
    /// `always` keeps them until `position` is durable.
    ///
    /// - Parameters:
    ///   - tenant: the requester's tenant (or the item's), whose journal `position` is in.
    ///   - id: the item's id, for the NAK sent in place of an ACK whose item could not be made
    ///     to last.
    func hold(deliveries: [FeedMessage], reply: [[UInt8]]?, tenant: String?, position: UInt64?, id: String?) {
        let n = tenant.flatMap { self.tenantIndex[$0] }
        var last: (body: [UInt8], range: Range<Int>)?
        for message in deliveries {
            // The deliveries of one item share its body.
            let bytes = message.frames[2]
            let body = last.flatMap { $0.body == bytes ? $0.range : nil } ?? self.held.append(bytes)
            last = (bytes, body)
            self.held.hold(topic: message.frames[0], header: message.frames[1], body: body, tier: message.tier,
                           tenant: n, position: position ?? 0)
        }
        if let reply {
            self.held.holdReply(reply, tenant: n, position: position ?? 0, id: id)
        }
    }

    /// Writes the journal records deferred since ``Bus/deferJournalWrites()``, then lets the
    /// held messages go, in order: each is sent, or kept in its tenant's ``TenantDurability/waiting``
    /// under fsync `always` until a sync covers it (with anything of that tenant behind what
    /// waits, so that a pipelining client gets its replies in order). A tenant whose write
    /// failed gets none of its held deliveries sent (their records are not in the file) and its
    /// ACKs turned into refusals, and its publishes are refused until a restart, as after a
    /// failed sync.
    func releaseHeld(_ sockets: Daemon.Sockets) throws(ZMQError) {
        let run = self.held
        defer { run.removeAll() }
        let failed = try self.writeDeferred(sockets)
        for entry in run.entries {
            var n = entry.tenant
            if n < 0, entry.tier == nil, let owner = self.tenantWaiting(forReplyTo: run.frame(0, of: entry)) {
                // A reply to a caller the registry no longer knows (removed while its ACKs
                // wait): it goes out after them, in request order, not ahead.
                n = owner
            }
            if n >= 0 {
                if failed.contains(n) {
                    try self.refuse(entry, of: run, what: "written", sockets: sockets)
                    continue
                }
                if self.durability[n].policy == .always {
                    let waiting = self.durability[n].waiting
                    let position = max(entry.position, waiting.pending.last?.position ?? 0)
                    if waiting.count > 0 || position >= self.durability[n].durableBefore {
                        waiting.hold(copyOf: entry, from: run, position: position)
                        continue
                    }
                }
            }
            try self.send(entry, of: run, sockets: sockets)
        }
    }

    /// The tenant under fsync `always` whose waiting list holds a reply to the connection whose
    /// routing id is `routingID`, if one does. Looked for only for a reply without a tenant, and
    /// only while some list waits.
    private func tenantWaiting(forReplyTo routingID: UnsafeRawBufferPointer) -> Int? {
        for n in self.durability.indices where self.durability[n].waiting.count > 0 {
            let waiting = self.durability[n].waiting
            for entry in waiting.pending.reversed() where entry.tier == nil {
                if waiting.frame(0, of: entry).elementsEqual(routingID) { return n }
            }
        }
        return nil
    }

    /// Sends a delivery to the feed or a reply to the api endpoint.
    private func send(_ entry: MessageRun.Entry, of run: MessageRun, sockets: Daemon.Sockets) throws(ZMQError) {
        if let tier = entry.tier {
            // XPUB never blocks: past a subscriber's high-water mark libzmq drops for it.
            try sockets.feed.send(run.frame(0, of: entry), run.frame(1, of: entry), run.frame(2, of: entry),
                                  wait: false)
            self.stats.delivered[tier] += 1
            return
        }
        try self.sendReply { () throws(ZMQError) in
            try sockets.api.send(count: entry.frames.count, wait: false, frame: { run.frame($0, of: entry) })
        }
    }

    /// Sends a reply without waiting (`send` returns false when it would have had to): a reply
    /// past the client's queue is dropped and counted (`dropped_replies`), one to a client gone
    /// is dropped.
    func sendReply(_ send: () throws(ZMQError) -> Bool) throws(ZMQError) {
        do {
            if try !send() {
                self.stats.droppedReplies += 1
                self.logger.debug("reply dropped, client not reading", [])
            }
        } catch where error.isUnroutable {
            self.logger.debug("reply dropped, client gone", [])
        }
    }

    /// Writes the journal records deferred since ``Bus/deferJournalWrites()``.
    ///
    /// - Returns: the tenants (by place in ``tenantIndex``) whose write failed: their
    ///   publishes are refused from now until a restart, as after a failed sync, and what
    ///   waited for their syncs is refused now (``refuseFromNowOn(_:what:sockets:)``).
    func writeDeferred(_ sockets: Daemon.Sockets) throws(ZMQError) -> [Int] {
        var failed: [Int] = []
        for (tenant, error) in self.bus?.flushJournals() ?? [] {
            guard let n = self.tenantIndex[tenant] else { continue }
            // A journal whose write failed throws at every flush after: said once.
            if !self.durability[n].hasFailed {
                self.logger.error("journal write failed; publishes refused until restart", [
                    ("tenant", tenant), ("err", error.description),
                ])
                try self.refuseFromNowOn(n, what: "written", sockets: sockets)
            }
            failed.append(n)
        }
        return failed
    }

    /// After a failed sync or write: tenant `n` accepts nothing more until a restart reads back
    /// what the disk holds, and what waited for its syncs is refused (``refuse(_:of:what:sockets:)``).
    private func refuseFromNowOn(_ n: Int, what: String, sockets: Daemon.Sockets) throws(ZMQError) {
        self.durability[n].hasFailed = true
        let waiting = self.durability[n].waiting
        try waiting.release(while: { _ in true }) { (entry) throws(ZMQError) in
            try self.refuse(entry, of: waiting, what: what, sockets: sockets)
        }
    }

    /// Sends, in place of a held message whose item could not be made to last: nothing for a
    /// delivery; a NAK `internal` for an ACK (the client retries with the same id); any other
    /// reply as it was.
    private func refuse(_ entry: MessageRun.Entry, of run: MessageRun, what: String,
                        sockets: Daemon.Sockets) throws(ZMQError) {
        guard entry.tier == nil else { return }
        var reply = (0..<entry.frames.count).map { Array(run.frame($0, of: entry)) }
        if reply.count >= 3 && reply[reply.count - 2] == Daemon.ackWord {
            // Counted when it was accepted; now it is refused, and counted so instead.
            if (try? JSONParser.parse(reply[reply.count - 1]))?.objectValue?["duplicate"] == .bool(true) {
                self.stats.duplicates -= min(1, self.stats.duplicates)
            } else {
                self.stats.acceptedOnAPI -= min(1, self.stats.acceptedOnAPI)
            }
            _ = self.stats.countRejection(.internal, endpoint: "api")
            let id = entry.id.map { String(decoding: run.bytes($0), as: UTF8.self) }
            let nak = Reply.nak(Rejection(.internal, "the journal could not be \(what); retry with the same id",
                                          id: id))
            reply.removeLast(3)
            reply += nak.frames
        }
        try self.sendReply { () throws(ZMQError) in try sockets.api.send(reply, wait: false) }
    }

    /// The word of an ACK reply.
    static let ackWord = Array("ACK".utf8)

    /// Asks the sync thread for the syncs that are due: under `always` as soon as something
    /// was appended and no sync is in flight (the next sync takes everything appended
    /// meanwhile: group commit); under `batch` when the interval has passed.
    func requestSyncs(_ sockets: Daemon.Sockets) {
        let now = Timestamp.now()
        for n in self.durability.indices {
            guard !self.durability[n].syncInFlight else { continue }
            let journal = self.durability[n].journal
            let appended = journal.nextPosition
            guard appended > self.durability[n].durableBefore else { continue }
            switch self.durability[n].policy {
            case .never:
                continue
            case .batch(let ms):
                guard now.milliseconds - self.durability[n].lastSync.milliseconds >= Int64(ms) else { continue }
            case .always:
                break
            }
            guard let fd = journal.syncDescriptor() else { continue }
            sockets.syncer.request(tenant: n, descriptor: fd, position: appended - 1)
            self.durability[n].syncInFlight = true
            self.durability[n].lastSync = now
        }
    }

    /// The first position a reader may not see yet: under `always` what is not durable (it was
    /// not delivered either); otherwise nothing is held back.
    func readableBefore(_ tenant: String) -> UInt64 {
        guard let n = self.tenantIndex[tenant] else { return 0 }
        if self.durability[n].policy == .always {
            return self.durability[n].durableBefore
        }
        return self.bus?.journal(of: tenant)?.nextPosition ?? 0
    }

    /// Takes the sync thread's answers and releases what waited for them.
    func completeSyncs(_ sockets: Daemon.Sockets) throws(ZMQError) {
        for completion in sockets.syncer.completions() {
            let n = completion.tenant
            guard n < self.durability.count else { continue }
            self.durability[n].syncInFlight = false
            let tenant = self.registry.tenantIDs[n]
            guard completion.errno == 0 else {
                // After a failed fdatasync the kernel may have dropped the dirty pages: nothing
                // that waited can be promised. Refuse it; the client retries with the same id.
                self.logger.error("journal sync failed; publishes refused until restart", [
                    ("tenant", tenant), ("err", FileBytes.errorText(completion.errno)),
                ])
                try self.refuseFromNowOn(n, what: "synced", sockets: sockets)
                continue
            }
            let durable = max(self.durability[n].durableBefore, completion.position + 1)
            self.durability[n].durableBefore = durable
            let waiting = self.durability[n].waiting
            try waiting.release(while: { $0.position < durable }) { (entry) throws(ZMQError) in
                try self.send(entry, of: waiting, sockets: sockets)
            }
        }
    }

    /// How long the loop may sleep: until the next `batch` sync or retention pass is due, or for
    /// ever.
    func pollTimeout() -> Int {
        // Retention and back-planning reminders are looked at once a second.
        let ticks = self.ticksEverySecond ?? {
            let hasMilestones = self.registry.tenantIDs.contains { tenant in
                self.registry.themes(of: tenant).contains { $0.dashboard.hasMilestones }
            }
            let ticks = hasMilestones || self.configuration.tenants.contains { $0.durability.hasRetention }
            self.ticksEverySecond = ticks
            return ticks
        }()
        var timeout = ticks ? 1000 : -1
        let now = Timestamp.now().milliseconds
        for n in self.durability.indices {
            guard case .batch(let ms) = self.durability[n].policy, !self.durability[n].syncInFlight,
                  self.durability[n].journal.nextPosition > self.durability[n].durableBefore
            else { continue }
            let due = Int(max(0, self.durability[n].lastSync.milliseconds + Int64(ms) - now))
            timeout = timeout < 0 ? due : min(timeout, due)
        }
        return timeout
    }

    /// At stop: syncs every journal here and now, then sends everything that waited.
    func drain(_ sockets: Daemon.Sockets) throws(ZMQError) {
        sockets.syncer.stop()
        guard let bus = self.bus else { return }
        for (tenant, n) in self.tenantIndex {
            guard let journal = bus.journal(of: tenant) else { continue }
            do {
                try journal.sync()
            } catch {
                self.logger.error("journal sync failed", [("tenant", tenant), ("err", error.description)])
                continue
            }
            self.durability[n].durableBefore = journal.nextPosition
            let waiting = self.durability[n].waiting
            try waiting.release(while: { _ in true }) { (entry) throws(ZMQError) in
                try self.send(entry, of: waiting, sockets: sockets)
            }
        }
    }
}
