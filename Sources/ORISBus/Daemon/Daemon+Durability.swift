// SPDX-License-Identifier: Apache-2.0

/// One message for the feed: its frames (topic, header, body) and the tier it goes to.
struct FeedMessage {
    var tier: Tier
    var frames: [[UInt8]]
}

/// A reply and the deliveries of its request, held while the api's journal writes are deferred
/// (``Daemon/releaseHeldReplies(_:)``).
struct HeldReply {
    var deliveries: [FeedMessage]
    var reply: [[UInt8]]?
    /// The item's id, for a refusal.
    var id: String?
    /// The requester's tenant, by its place in ``Daemon/tenantIndex``.
    var tenant: Int?
}

/// What a tenant's journal owes: the first position not yet durable, whether a sync is in
/// flight, and the deliveries and replies that wait for one (under fsync `always`).
struct TenantDurability {
    let policy: FsyncPolicy
    /// Every position before this one is durable (or, without `always`, may be shown).
    var durableBefore: UInt64
    var syncInFlight = false
    var lastSync = Timestamp.now()
    var waiting: [Waiting] = []
    /// An fdatasync failed (after that the kernel may have dropped the dirty pages), or a
    /// deferred journal write did: nothing more is accepted for this tenant until a restart
    /// reads back what the disk really holds.
    var hasFailed = false

    /// Deliveries and a reply held until `position` is durable.
    struct Waiting {
        var position: UInt64
        var deliveries: [FeedMessage]
        var reply: [[UInt8]]?
        /// The item's id, for the log when the sync fails.
        var id: String?
    }
}

extension Daemon {
    /// Sends held deliveries and replies whose records are durable; when nothing waits, sends
    /// at once. Under `always` a reply to a member of a tenant with held replies waits behind
    /// them, so that a pipelining client gets its replies in order.
    func dispatch(
        tenant: String?,
        position: UInt64?,
        deliveries: [FeedMessage],
        reply: [[UInt8]]?,
        id: String?,
        sockets: Daemon.Sockets
    ) throws(ZMQError) {
        if let tenant, let n = self.tenantIndex[tenant], self.durability[n].policy == .always {
            let last = self.durability[n].waiting.last?.position ?? 0
            let needed = max(position ?? 0, last)
            if needed >= self.durability[n].durableBefore {
                self.durability[n].waiting.append(.init(position: needed, deliveries: deliveries, reply: reply, id: id))
                return
            }
        }
        if self.holdingReplies {
            self.heldReplies.append(.init(deliveries: deliveries, reply: reply, id: id,
                                          tenant: tenant.flatMap { self.tenantIndex[$0] }))
            return
        }
        try self.send(deliveries: deliveries, reply: reply, sockets: sockets)
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
    /// what the disk holds, and what waited for its syncs is refused (an ACK as a NAK
    /// `internal`: the client retries with the same id), its deliveries not sent.
    private func refuseFromNowOn(_ n: Int, what: String, sockets: Daemon.Sockets) throws(ZMQError) {
        self.durability[n].hasFailed = true
        let failed = self.durability[n].waiting
        self.durability[n].waiting = []
        for entry in failed {
            try self.sendRefusal(of: entry.reply, id: entry.id, what: what, sockets: sockets)
        }
    }

    /// Writes the journal records of the api requests just served, then sends the replies and
    /// deliveries held meanwhile (``holdingReplies``), in order; those of a tenant whose write
    /// failed go as refusals (``sendRefusal(of:id:what:sockets:)``).
    func releaseHeldReplies(_ sockets: Daemon.Sockets) throws(ZMQError) {
        self.holdingReplies = false
        defer { self.heldReplies.removeAll(keepingCapacity: true) }
        let failed = try self.writeDeferred(sockets)
        for entry in self.heldReplies {
            if let n = entry.tenant, failed.contains(n) {
                try self.sendRefusal(of: entry.reply, id: entry.id, what: "written", sockets: sockets)
            } else {
                try self.send(deliveries: entry.deliveries, reply: entry.reply, sockets: sockets)
            }
        }
    }

    /// Sends, in place of a held reply whose item could not be made to last, a NAK `internal`
    /// when it was an ACK (the client retries with the same id), the reply as it was otherwise;
    /// the item's deliveries are not sent.
    func sendRefusal(of reply: [[UInt8]]?, id: String?, what: String, sockets: Daemon.Sockets) throws(ZMQError) {
        guard var reply else { return }
        if reply.count >= 3 && reply[reply.count - 2] == Array("ACK".utf8) {
            let nak = Reply.nak(Rejection(.internal, "the journal could not be \(what); retry with the same id",
                                          id: id))
            reply.removeLast(3)
            reply += nak.frames
        }
        try self.send(deliveries: [], reply: reply, sockets: sockets)
    }

    private func send(deliveries: [FeedMessage], reply: [[UInt8]]?, sockets: Daemon.Sockets) throws(ZMQError) {
        for message in deliveries {
            // XPUB never blocks: past a subscriber's high-water mark libzmq drops for it.
            _ = try sockets.feed.send(message.frames, wait: false)
            self.stats.delivered[message.tier] += 1
        }
        try self.send(reply: reply, sockets: sockets)
    }

    private func send(reply: [[UInt8]]?, sockets: Daemon.Sockets) throws(ZMQError) {
        if let reply {
            do {
                if try !sockets.api.send(reply, wait: false) {
                    self.stats.droppedReplies += 1
                    self.logger.debug("reply dropped, client not reading", [])
                }
            } catch where error.isUnroutable {
                self.logger.debug("reply dropped, client gone", [])
            }
        }
    }

    /// Asks the sync thread for the syncs that are due: under `always` as soon as something
    /// was appended and no sync is in flight (the next sync takes everything appended
    /// meanwhile: group commit); under `batch` when the interval has passed.
    func requestSyncs(_ sockets: Daemon.Sockets) throws(ZMQError) {
        guard let bus = self.bus else { return }
        let now = Timestamp.now()
        for (tenant, n) in self.tenantIndex {
            guard let journal = bus.journal(of: tenant), !self.durability[n].syncInFlight else { continue }
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
            try sockets.syncer.request(tenant: n, descriptor: fd, position: appended - 1)
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
        for completion in try sockets.syncer.completions() {
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
            self.durability[n].durableBefore = max(self.durability[n].durableBefore, completion.position + 1)
            var released = 0
            for entry in self.durability[n].waiting {
                guard entry.position < self.durability[n].durableBefore else { break }
                try self.send(deliveries: entry.deliveries, reply: entry.reply, sockets: sockets)
                released += 1
            }
            self.durability[n].waiting.removeFirst(released)
        }
    }

    /// How long the loop may sleep: until the next `batch` sync or retention pass is due, or for
    /// ever.
    func pollTimeout() -> Int {
        guard let bus = self.bus else { return -1 }
        // Retention and back-planning reminders are looked at once a second.
        let hasMilestones = self.registry.tenantIDs.contains { tenant in
            self.registry.themes(of: tenant).contains { $0.dashboard.hasMilestones }
        }
        var timeout = hasMilestones || self.configuration.tenants.contains { $0.durability.hasRetention } ? 1000 : -1
        let now = Timestamp.now().milliseconds
        for (tenant, n) in self.tenantIndex {
            guard case .batch(let ms) = self.durability[n].policy, !self.durability[n].syncInFlight,
                  let journal = bus.journal(of: tenant), journal.nextPosition > self.durability[n].durableBefore
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
            for entry in self.durability[n].waiting {
                try self.send(deliveries: entry.deliveries, reply: entry.reply, sockets: sockets)
            }
            self.durability[n].waiting = []
        }
    }
}
