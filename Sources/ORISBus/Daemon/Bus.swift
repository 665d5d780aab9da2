// SPDX-License-Identifier: Apache-2.0

/// One delivery ready for the feed: topic, stamped header, and the topic sequence it carries.
package struct OutboundItem: Sendable, Equatable {
    package var topic: Topic
    package var seq: UInt64
    /// The header as sent and journaled.
    package var encodedHeader: [UInt8]
    /// The topic as the bytes of a frame, made once per topic.
    package var topicBytes: [UInt8]
    /// The topic's name, made once per topic.
    package var topicName: String
    /// The item's stamped header, one for all its deliveries (a header keeps its fields behind
    /// one shared reference): ``header`` adds this delivery's tier, seq and reason when asked.
    private var stamped: ItemHeader
    private var reason: String?

    init(topic: Topic, seq: UInt64, encodedHeader: [UInt8], topicBytes: [UInt8], topicName: String,
         stamped: ItemHeader, reason: String?) {
        self.topic = topic
        self.seq = seq
        self.encodedHeader = encodedHeader
        self.topicBytes = topicBytes
        self.topicName = topicName
        self.stamped = stamped
        self.reason = reason
    }

    /// This delivery's header, as ``encodedHeader`` carries it.
    package var header: ItemHeader {
        var header = self.stamped
        header.tier = self.topic.tier
        header.seq = self.seq
        header.reason = self.reason
        return header
    }

    package static func == (lhs: OutboundItem, rhs: OutboundItem) -> Bool {
        lhs.topic == rhs.topic && lhs.seq == rhs.seq && lhs.encodedHeader == rhs.encodedHeader
            && lhs.topicBytes == rhs.topicBytes && lhs.header == rhs.header
    }
}

/// What an accepted publish came to.
package struct Accepted: Sendable, Equatable {
    /// The deliveries to send on the feed; empty for a retry of an id already published.
    package var outbound: [OutboundItem]
    /// True when the id was already published: nothing new was stored or numbered.
    package var isDuplicate: Bool
    /// Items the daemon raised because of this one (corroboration alerts), already stored.
    package var raised: [Accepted] = []
    /// The sender's tenant.
    package var tenant: String
    /// The body stored with it (empty for a duplicate).
    package var body: [UInt8] = []
    package let id: String
    /// The journal position of the item's last record (0 without a journal).
    package let position: UInt64
    private let sender: String
    private let received: Timestamp
    /// The ACK of an id published before, as the window gave it back.
    private let remembered: AckRecord?

    /// A new item, stored and numbered.
    init(id: String, sender: String, position: UInt64, received: Timestamp, outbound: [OutboundItem], tenant: String) {
        self.id = id
        self.sender = sender
        self.position = position
        self.received = received
        self.outbound = outbound
        self.isDuplicate = false
        self.tenant = tenant
        self.remembered = nil
    }

    /// A retry of an id already published: its first ACK, nothing to send.
    init(duplicateOf first: AckRecord, tenant: String) {
        self.id = first.id
        self.sender = first.sender
        self.position = first.position
        self.received = first.received
        self.outbound = []
        self.isDuplicate = true
        self.tenant = tenant
        self.remembered = first
    }

    /// The ACK, as first given: made when asked, since ingest publishes are never answered.
    package var ack: AckRecord {
        if let remembered { return remembered }
        let deliveries = self.outbound.map { AckRecord.Delivery(topic: $0.topicName, seq: $0.seq, tier: $0.topic.tier) }
        return AckRecord(id: self.id, sender: self.sender, deliveries: deliveries, position: self.position,
                         received: self.received)
    }
}

/// The rules of publishing, without sockets: check the sender and the header, stamp, route,
/// number each delivery on its topic, journal it, and remember its id for retries.
///
/// Owned by the daemon's loop, and testable on its own.
package final class Bus {
    /// Replaced by the daemon when a control command changes a member.
    package var registry: Registry {
        didSet {
            self.lastTheme = nil
            self.forgetPlainRoutes()
        }
    }
    /// Routes the plain publish path worked out, until the registry or the router changes: two
    /// to a place chosen by their key's hash, the newer first (an older one that meets a third
    /// is worked out again when next needed). Found without Swift's hashing, which cost more
    /// than the rest of the lookup.
    var plainRoutes = [PlainRoute?](repeating: nil, count: 2 * Bus.plainRoutePlaces)
    static let plainRoutePlaces = 2048
    /// The route the plain path took last: found again without hashing.
    var lastPlainRoute: PlainRoute?
    /// The received time the plain path wrote last, as text: items of one millisecond share it.
    var receivedText: (milliseconds: Int64, text: [UInt8]) = (.min, [])
    /// The theme found last for a publish (``theme(_:tenant:)``), until the registry changes.
    private var lastTheme: (tenant: String, id: String, theme: ThemeConfiguration)?
    package var router: Router {
        didSet { self.forgetPlainRoutes() }
    }
    package let reader: HeaderReader
    /// Every topic numbered here, by slot (``topicSlots``): an item's deliveries look their topic
    /// up once, then work with the slot.
    var topics: [NumberedTopic] = []
    private var topicSlots: [Topic: Int] = [:]
    /// The slot found last (``slot(of:journal:)``).
    private var lastSlot: Int?
    /// The store found last (``store(of:)``); tenants and their stores never change.
    private var lastStore: (tenant: String, store: TenantStore)?
    var ids = ItemIDGenerator()
    var stores: [String: TenantStore] = [:]
    var corroborator = Corroborator()

    /// A topic, its name and frame bytes made once, and the last sequence number given on it.
    struct NumberedTopic {
        let topic: Topic
        let name: String
        let bytes: [UInt8]
        /// The last sequence number given, 0 before the first.
        var seq: UInt64 = 0
        /// Its slot in its tenant's journal (``Journal/slot(of:)``); nil without a journal.
        var journalSlot: Int?
    }

    /// A tenant's journal (nil when the bus runs without one) and its recent ids.
    ///
    /// A class, so that a publish finds its tenant's store once and changes it in place.
    final class TenantStore {
        var journal: Journal?
        var window: IdempotencyWindow
        var policy: DurabilityPolicy
        /// The tenant's publish rate, when its quota sets one.
        var bucket: TokenBucket?
        /// The tenant's quota: tenants and their quotas are read from the configuration at start
        /// and never change while the daemon runs.
        var quota = TenantQuota()
        /// Distinct topics numbered so far.
        var topicCount = 0

        init(journal: Journal?, window: IdempotencyWindow, policy: DurabilityPolicy) {
            self.journal = journal
            self.window = window
            self.policy = policy
        }
    }

    /// Makes a bus; with `journalRoot`, opens (and recovers) one journal per tenant below it.
    ///
    /// - Parameters:
    ///   - registry: tenants, themes, members.
    ///   - limits: header and body limits.
    ///   - journalRoot: the folder holding `<tenant>/` journal folders, or nil to keep nothing.
    ///   - policies: each tenant's durability settings (a default for missing ones).
    ///   - router: the routing rules.
    /// - Throws: ``JournalError`` when a journal cannot be opened.
    package init(
        registry: Registry,
        limits: ItemLimits,
        journalRoot: String? = nil,
        policies: [String: DurabilityPolicy] = [:],
        router: Router = .standard
    ) throws(JournalError) {
        self.registry = registry
        self.router = router
        self.reader = HeaderReader(limits: limits)
        for tenant in registry.tenantIDs {
            let policy = policies[tenant] ?? DurabilityPolicy()
            let window = IdempotencyWindow(seconds: policy.dedupeWindowSeconds, maximum: policy.dedupeMaxItems)
            var journal: Journal?
            if let journalRoot {
                let now = Timestamp.now()
                let directory = journalRoot + "/" + tenant
                // The topics met while the journal opens get their journal slots once it is open.
                let firstNewSlot = self.topics.count
                var rebuilding = Rebuilding()
                journal = try Journal(directory: directory, segmentBytes: policy.segmentBytes) { record in
                    // Records of one item are consecutive: regroup them into the item's ACK.
                    if rebuilding.id != record.id {
                        rebuilding.flush(into: window, now: now)
                        rebuilding.start(record)
                    }
                    // Every topic in a journal was written from a `Topic`, so it reads back as one.
                    if let slot = self.rebuildingSlot(of: record.topic, cache: &rebuilding) {
                        rebuilding.deliveries.append(.init(slot: slot, seq: record.seq))
                    }
                    rebuilding.position = record.position
                }
                rebuilding.flush(into: window, now: now)
                for slot in firstNewSlot..<self.topics.count {
                    self.topics[slot].journalSlot = journal?.slot(of: self.topics[slot].name)
                }
                for (name, seq) in journal?.lastSequences ?? [:] {
                    if let topic = Topic(name) { self.topics[self.slot(of: topic, journal: journal)].seq = seq }
                }
            }
            let store = TenantStore(journal: journal, window: window, policy: policy)
            store.topicCount = journal?.lastSequences.count ?? 0
            store.quota = registry.tenant(tenant)?.quota ?? TenantQuota()
            if let rate = store.quota.ratePerSecond {
                store.bucket = TokenBucket(rate: rate, capacity: store.quota.burst ?? Int(rate.rounded(.up)),
                                           now: Timestamp.now().milliseconds)
            }
            self.stores[tenant] = store
            if let journal {
                try self.rebuildCorroboration(from: journal, tenant: tenant, now: Timestamp.now())
            }
        }
    }

    /// Publishes one item.
    ///
    /// - Parameters:
    ///   - senderID: the member the connection authenticated as (the ZAP user id).
    ///   - header: the header frame.
    ///   - body: the body frame.
    ///   - now: the time to stamp as received.
    /// - Returns: the deliveries to send, in tier order, each with its topic sequence, already
    ///   in the journal (not yet synced); or the first ACK when the id was published before.
    /// - Throws: ``Rejection`` for the first problem found; nothing is numbered or stored then.
    package func publish(
        senderID: String?,
        header: [UInt8],
        body: [UInt8],
        now: Timestamp = .now()
    ) throws(Rejection) -> Accepted {
        try self.publish(sender: senderID.flatMap { self.registry.member($0) }, header: header, body: body, now: now)
    }

    /// ``publish(senderID:header:body:now:)`` for a sender the caller already found in the
    /// registry.
    package func publish(
        sender: Member?,
        header: [UInt8],
        body: [UInt8],
        now: Timestamp = .now()
    ) throws(Rejection) -> Accepted {
        guard let sender else {
            throw Rejection(.unknownMember, "the connection carries no known member identity")
        }
        let tenantStore = self.store(of: sender.tenant)
        let quota = tenantStore?.quota ?? TenantQuota()
        if tenantStore?.bucket?.take(now: now.milliseconds) == false {
            throw Rejection(.overQuota, "tenant '\(sender.tenant)' is over its publish rate of "
                            + "\(Int(quota.ratePerSecond ?? 0))/s; retry later")
        }
        guard body.count <= self.reader.limits.maximumBodyBytes else {
            throw Rejection(.bodyTooLarge,
                            "the body is \(body.count) bytes, over the limit of \(self.reader.limits.maximumBodyBytes)")
        }
        if let most = quota.maximumBodyBytes, body.count > most {
            throw Rejection(.overQuota, "the body is \(body.count) bytes, over tenant '\(sender.tenant)''s "
                            + "quota of \(most)")
        }
        var generated = false
        var stamped = try self.reader.read(header) {
            generated = true
            return self.ids.next(at: now)
        }
        // A NAK names the publisher's own id only, never one the daemon made for a refused item.
        let claimed = generated ? nil : stamped.id
        guard let theme = self.theme(stamped.theme, tenant: sender.tenant) else {
            throw Rejection(.unknownTheme, "tenant '\(sender.tenant)' has no theme '\(stamped.theme)'", id: claimed)
        }
        try PublishPolicy.check(member: sender, kind: stamped.kind, theme: theme, axis: stamped.axis, id: claimed)
        if let first = tenantStore?.window.find(stamped.id) {
            // The same member retrying gets its first ACK; another member may not take the id.
            guard first.sender == sender.id else {
                throw Rejection(.idInUse, "id '\(stamped.id)' is already used by another member of tenant "
                                + "'\(sender.tenant)'", id: claimed)
            }
            return Accepted(duplicateOf: self.ack(stamped.id, first), tenant: sender.tenant)
        }

        stamped.tenant = sender.tenant
        stamped.sender = sender.id
        stamped.received = now
        stamped.origin = sender.tenant
        var originals = [OriginalRoute]()
        if stamped.messageType == .update || stamped.messageType == .cancel, let store = tenantStore {
            // Only the sender's own items: an update or a cancel is its author's (as in CAP), so
            // nobody reaches a tier through someone else's item. Only items of the same kind (an
            // update replaces its original: a tasking does not follow a decision to every
            // capteur), and only on themes the sender still works on (its rights may have shrunk
            // since it published the original).
            for reference in stamped.references {
                guard let original = store.window.find(reference), original.sender == sender.id else { continue }
                for delivery in original.deliveries {
                    let topic = self.topics[Int(delivery.slot)].topic
                    guard topic.kind == stamped.kind, sender.worksOn(topic.theme),
                          self.registry.theme(topic.theme, tenant: sender.tenant) != nil
                    else { continue }
                    let route = OriginalRoute(theme: topic.theme, tier: topic.tier, axis: topic.axis)
                    if !originals.contains(route) { originals.append(route) }
                }
            }
        }
        let routes = self.router.route(stamped, theme: theme, sender: sender, originals: originals)
        var accepted = try self.store(stamped, routes: routes, body: body, sender: sender.id, tenant: sender.tenant,
                                      quota: quota, claimed: claimed, now: now, store: tenantStore)
        if stamped.kind == .signal, let rule = theme.corroboration, routes.contains(where: { $0.tier == .gip }) {
            let findings = self.corroborator.take(stamped, tenant: sender.tenant,
                                                  source: sender.organisation ?? sender.id, rule: rule,
                                                  at: now.milliseconds)
            for finding in findings {
                // The signal is stored and acknowledged whatever becomes of the alert.
                if let raised = try? self.raise(finding, theme: theme, now: now) {
                    accepted.raised.append(raised)
                }
            }
        }
        return accepted
    }

    /// Numbers, journals and remembers an item already stamped and routed.
    ///
    /// - Parameters:
    ///   - quota: the tenant's quota for topics and storage, nil for an item the daemon raises.
    ///   - claimed: the publisher's own id, named in a refusal.
    ///   - known: the tenant's store, when the caller already found it.
    func store(
        _ stamped: ItemHeader,
        routes: [Delivery],
        body: [UInt8],
        sender: String,
        tenant: String,
        quota: TenantQuota?,
        claimed: String?,
        now: Timestamp,
        store known: TenantStore? = nil
    ) throws(Rejection) -> Accepted {
        let tenantStore = known ?? self.store(of: tenant)
        let journal = tenantStore?.journal
        var outbound = [OutboundItem]()
        outbound.reserveCapacity(routes.count)
        var slots = [Int]()
        slots.reserveCapacity(routes.count)
        // The deliveries differ only in tier, seq and reason: the rest is written once.
        let sharedHeader = stamped.encodedUpToDelivery
        for route in routes {
            let topic = Topic(tenant: tenant, theme: route.theme ?? stamped.theme, tier: route.tier, kind: stamped.kind,
                              axis: route.axis)
            let slot = self.slot(of: topic, journal: journal)
            // Two routes of one item on one topic take consecutive numbers.
            let earlier = slots.lastIndex(of: slot).map { outbound[$0].seq }
            let seq = (earlier ?? self.topics[slot].seq) + 1
            let encoded = ItemHeader.encoded(continuing: sharedHeader, tier: route.tier, seq: seq,
                                             reason: route.reason, origin: stamped.origin)
            slots.append(slot)
            outbound.append(OutboundItem(topic: topic, seq: seq, encodedHeader: encoded,
                                         topicBytes: self.topics[slot].bytes, topicName: self.topics[slot].name,
                                         stamped: stamped, reason: route.reason))
        }

        var newTopics = 0
        for (n, slot) in slots.enumerated() where self.topics[slot].seq == 0 && !slots[..<n].contains(slot) {
            newTopics += 1
        }
        if let most = quota?.maximumTopics, newTopics > 0,
           (tenantStore?.topicCount ?? 0) + newTopics > most {
            throw Rejection(.overQuota, "tenant '\(tenant)' already has \(most) topics, its quota; "
                            + "nothing was stored", id: claimed)
        }
        if let most = quota?.maximumStorageBytes, let stored = journal?.storedBytes, stored >= most {
            throw Rejection(.overQuota, "the journal of tenant '\(tenant)' holds \(stored) bytes, at its "
                            + "quota of \(most); nothing is stored until retention or an operator frees room",
                            id: claimed)
        }
        var position: UInt64 = 0
        if let journal {
            var deliveries = [Journal.Delivery]()
            deliveries.reserveCapacity(slots.count)
            for n in slots.indices {
                // A topic of a tenant with a journal always has a journal slot.
                let topic = self.topics[slots[n]]
                deliveries.append(Journal.Delivery(slot: topic.journalSlot ?? journal.slot(of: topic.name),
                                                   seq: outbound[n].seq, header: outbound[n].encodedHeader))
            }
            do {
                try journal.appendItem(deliveries, id: stamped.id, sender: sender, body: body, received: now)
            } catch {
                throw Self.refusal(error, tenant: tenant, claimed: claimed)
            }
            position = journal.nextPosition - 1
        }
        for (slot, item) in zip(slots, outbound) {
            self.topics[slot].seq = item.seq
        }
        tenantStore?.topicCount += newTopics
        let remembered = slots.indices.lazy.map { IdempotencyWindow.Delivery(slot: slots[$0], seq: outbound[$0].seq) }
        tenantStore?.window.remember(stamped.id, sender: sender, deliveries: remembered, position: position,
                                     received: now, now: now)
        var accepted = Accepted(id: stamped.id, sender: sender, position: position, received: now, outbound: outbound,
                                tenant: tenant)
        accepted.body = body
        return accepted
    }

    /// The refusal of an item its tenant's journal could not store.
    static func refusal(_ error: JournalError, tenant: String, claimed: String?) -> Rejection {
        if case .diskFull = error {
            return Rejection(.storageFull, "the journal of tenant '\(tenant)' has no space left; nothing was stored",
                             id: claimed)
        }
        return Rejection(.internal, "the journal could not store the item: \(error)", id: claimed)
    }

    /// The ACK an id's tenant window remembers, with its topics' names and tiers.
    func ack(_ id: String, _ remembered: IdempotencyWindow.Remembered) -> AckRecord {
        let deliveries = remembered.deliveries.map { delivery in
            let topic = self.topics[Int(delivery.slot)]
            return AckRecord.Delivery(topic: topic.name, seq: delivery.seq, tier: topic.topic.tier)
        }
        return AckRecord(id: id, sender: remembered.sender, deliveries: deliveries, position: remembered.position,
                         received: remembered.received)
    }

    /// The ACK of an id its tenant's window still remembers.
    func ack(for id: String, tenant: String) -> AckRecord? {
        self.stores[tenant]?.window.find(id).map { self.ack(id, $0) }
    }

    /// An item being regrouped from its journal records while the window is rebuilt.
    private struct Rebuilding {
        var id = ""
        var sender = ""
        var received = Timestamp(milliseconds: 0)
        var position: UInt64 = 0
        var deliveries: [IdempotencyWindow.Delivery] = []
        /// The last topic name read and its slot: an item's records and the next items' often
        /// share it.
        var lastTopic: (name: String, slot: Int)?

        mutating func start(_ record: RecordSummary) {
            self.id = record.id
            self.sender = record.sender
            self.received = record.received
            self.deliveries.removeAll(keepingCapacity: true)
        }

        func flush(into window: IdempotencyWindow, now: Timestamp) {
            guard !self.id.isEmpty else { return }
            window.remember(self.id, sender: self.sender, deliveries: self.deliveries, position: self.position,
                            received: self.received, now: now)
        }
    }

    /// The slot of a topic named in a journal record, made without its journal slot.
    private func rebuildingSlot(of name: String, cache rebuilding: inout Rebuilding) -> Int? {
        if let last = rebuilding.lastTopic, last.name == name { return last.slot }
        guard let topic = Topic(name) else { return nil }
        let slot = self.slot(of: topic, journal: nil)
        rebuilding.lastTopic = (name, slot)
        return slot
    }

    /// The last sequence number given on a topic (0 when none).
    package func lastSequence(of topic: Topic) -> UInt64 {
        self.topicSlots[topic].map { self.topics[$0].seq } ?? 0
    }

    /// The slot of a topic, made (at sequence 0) when it has none yet.
    func slot(of topic: Topic, journal: Journal?) -> Int {
        // A run of items mostly goes to one topic: comparing its names costs less than hashing them.
        if let last = self.lastSlot, self.topics[last].topic == topic { return last }
        if let slot = self.topicSlots[topic] {
            self.lastSlot = slot
            return slot
        }
        let name = topic.description
        self.topics.append(NumberedTopic(topic: topic, name: name, bytes: Array(name.utf8),
                                         journalSlot: journal?.slot(of: name)))
        self.topicSlots[topic] = self.topics.count - 1
        self.lastSlot = self.topics.count - 1
        return self.topics.count - 1
    }

    /// A tenant's theme: the last one found again by comparing names instead of hashing them.
    func theme(_ id: String, tenant: String) -> ThemeConfiguration? {
        if let last = self.lastTheme, last.id == id, last.tenant == tenant { return last.theme }
        let found = self.registry.theme(id, tenant: tenant)
        if let found { self.lastTheme = (tenant, id, found) }
        return found
    }

    /// A tenant's store: the last one found again without hashing the tenant's name.
    func store(of tenant: String) -> TenantStore? {
        if let last = self.lastStore, last.tenant == tenant { return last.store }
        let found = self.stores[tenant]
        if let found { self.lastStore = (tenant, found) }
        return found
    }

    /// A tenant's journal, if it keeps one.
    package func journal(of tenant: String) -> Journal? {
        self.stores[tenant]?.journal
    }

    /// A tenant's durability settings.
    package func policy(of tenant: String) -> DurabilityPolicy {
        self.stores[tenant]?.policy ?? DurabilityPolicy()
    }

    /// Defers every journal's writes until ``flushJournals()`` (``Journal/deferWrites()``).
    package func deferJournalWrites() {
        for store in self.stores.values { store.journal?.deferWrites() }
    }

    /// Writes what every journal deferred, and goes back to writing each append at once.
    ///
    /// - Returns: the tenants whose write failed, with the error (their deferred records are not
    ///   in the file).
    package func flushJournals() -> [(tenant: String, error: JournalError)] {
        var failed: [(tenant: String, error: JournalError)] = []
        for (tenant, store) in self.stores {
            do {
                try store.journal?.flush()
            } catch {
                failed.append((tenant, error))
            }
        }
        return failed
    }

    /// Applies each tenant's retention limits.
    ///
    /// - Returns: for each tenant that lost segments, how many.
    package func applyRetention(now: Timestamp = .now()) throws(JournalError) -> [String: Int] {
        var out: [String: Int] = [:]
        for (tenant, store) in self.stores where store.policy.hasRetention {
            guard let journal = store.journal else { continue }
            let removed = try journal.applyRetention(now: now, maximumAgeSeconds: store.policy.retentionSeconds,
                                                     maximumBytes: store.policy.retentionBytes)
            if !removed.isEmpty { out[tenant] = removed.count }
        }
        return out
    }

    /// Closes the journals.
    package func close() {
        for store in self.stores.values { store.journal?.close() }
    }
}
