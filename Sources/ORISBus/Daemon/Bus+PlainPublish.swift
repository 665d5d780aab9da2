// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// What ``Bus/publishPlain(sender:header:body:now:into:tenant:)`` made of an item.
package enum PlainOutcome: Equatable {
    /// Not an item the plain path takes: nothing was changed, and the general path
    /// (``Bus/publish(sender:header:body:now:)``) decides.
    case notTaken
    /// Stored, numbered and remembered; its deliveries are held in the run.
    case published
    /// As ``published``, for a caller that asked for the ACK: its body is written in the run at
    /// `ack`, and the item's id at `id`; `position` is the item's journal position.
    case acknowledged(ack: Range<Int>, id: Range<Int>, position: UInt64)
    /// Refused once every check had passed, because its tenant's journal could not store it:
    /// nothing was stored or numbered.
    case refused(Rejection)
}

extension Bus {
    /// What routing made of the items that differ only in what routing does not read: one
    /// sender, one theme, one kind, one severity, urgency, certainty and TLP label. Worked out
    /// once by the general router, then used by every such item of the plain path, with the
    /// parts of the stamped header that they share already written.
    ///
    /// Every byte it writes (the key, the header parts, each delivery's topic and header end,
    /// the sender's name) is kept in one block it owns and read through pointers: reading them
    /// from arrays cost a retain and a release each, a dozen per item.
    final class PlainRoute {
        let tenant: String
        let sender: String
        let kind: Kind
        /// The deliveries, in the router's order.
        let steps: UnsafeMutableBufferPointer<Step>
        /// The fields routing reads as the frame spelled them (``routingKey``): with the sender,
        /// what the route was worked out for.
        let key: Range<Int>
        /// `,"kind":…,"theme":…,"title":`
        let beforeTitle: Range<Int>
        /// `,"severity":…,"urgency":…,"certainty":…,"tlp":…`, the first three only when not
        /// `Unknown` (``ItemHeader/jsonObject``).
        let afterTitle: Range<Int>
        /// `,"tenant":…,"sender":…,"received":"`
        let beforeReceived: Range<Int>
        /// An ACK's `,"tiers":[…],"deliveries":[` (``AckRecord/encoded(duplicate:)``).
        let ackTiers: Range<Int>
        /// The sender's name as UTF-8, as the journal records it.
        let senderUTF8: Range<Int>
        private let block: UnsafeMutableRawBufferPointer

        /// One delivery: its topic and the end of its header, as places in the block.
        struct Step {
            let slot: Int
            let journalSlot: Int
            let tier: Tier
            /// The topic's frame.
            let topic: Range<Int>
            /// `","tier":…,"seq":` (the quote closes the received time).
            let beforeSeq: Range<Int>
            /// `,"reason":…,"origin":…}` (no reason when the route gives none).
            let afterSeq: Range<Int>
            /// An ACK's `{"topic":…,"seq":` for this delivery.
            let ackTopic: Range<Int>
        }

        /// One delivery as worked out, before it has a place in the block.
        struct Delivery {
            var slot: Int
            var journalSlot: Int
            var tier: Tier
            var topic: [UInt8]
            var reason: String?
        }

        init(key: [UInt8], sender: Member, theme: String, kind: Kind, severity: Severity, urgency: Urgency,
             certainty: Certainty, tlp: TLP, deliveries: [Delivery]) {
            (self.tenant, self.sender, self.kind) = (sender.tenant, sender.id, kind)
            var bytes = [UInt8]()
            func add(_ parts: [(StaticString, String)], then tail: StaticString = "") -> Range<Int> {
                let start = bytes.count
                for (name, value) in parts {
                    name.withUTF8Buffer { bytes.append(contentsOf: $0) }
                    JSONWriter.writeString(value, into: &bytes)
                }
                tail.withUTF8Buffer { bytes.append(contentsOf: $0) }
                return start..<bytes.count
            }
            func add(_ raw: [UInt8]) -> Range<Int> {
                bytes += raw
                return (bytes.count - raw.count)..<bytes.count
            }
            self.key = add(key)
            self.beforeTitle = add([(",\"kind\":", kind.word), (",\"theme\":", theme)], then: ",\"title\":")
            var labels: [(StaticString, String)] = []
            if severity != .unknown { labels.append((",\"severity\":", severity.word)) }
            if urgency != .unknown { labels.append((",\"urgency\":", urgency.word)) }
            if certainty != .unknown { labels.append((",\"certainty\":", certainty.word)) }
            self.afterTitle = add(labels + [(",\"tlp\":", tlp.word)])
            self.beforeReceived = add([(",\"tenant\":", sender.tenant), (",\"sender\":", sender.id)],
                                      then: ",\"received\":\"")
            self.senderUTF8 = add(Array(sender.id.utf8))
            var tiers = Array(",\"tiers\":[".utf8)
            for (n, delivery) in deliveries.enumerated() {
                if n > 0 { tiers.append(UInt8(ascii: ",")) }
                JSONWriter.writeString(delivery.tier.word, into: &tiers)
            }
            self.ackTiers = add(tiers + Array("],\"deliveries\":[".utf8))
            let steps = deliveries.map { delivery in
                let topic = add(delivery.topic)
                let beforeSeq = add([("\",\"tier\":", delivery.tier.word)], then: ",\"seq\":")
                var ending: [(StaticString, String)] = [(",\"origin\":", sender.tenant)]
                if let reason = delivery.reason { ending.insert((",\"reason\":", reason), at: 0) }
                let afterSeq = add(ending, then: "}")
                let topicName = String(decoding: delivery.topic, as: UTF8.self)
                let ackTopic = add([("{\"topic\":", topicName)], then: ",\"seq\":")
                return Step(slot: delivery.slot, journalSlot: delivery.journalSlot, tier: delivery.tier, topic: topic,
                            beforeSeq: beforeSeq, afterSeq: afterSeq, ackTopic: ackTopic)
            }
            self.block = .allocate(byteCount: bytes.count, alignment: 8)
            self.block.copyBytes(from: bytes)
            self.steps = .allocate(capacity: steps.count)
            _ = self.steps.initialize(from: steps)
        }

        deinit {
            self.block.deallocate()
            self.steps.deallocate()
        }

        /// The bytes at a place of the block.
        func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
            UnsafeRawBufferPointer(rebasing: self.block[range])
        }

        /// Whether an item whose routing key is `key`, from `sender`, takes this route.
        func fits(_ key: UnsafeRawBufferPointer, sender: Member) -> Bool {
            guard self.key.count == key.count, self.sender == sender.id, self.tenant == sender.tenant else {
                return false
            }
            // Same length, and a key is never empty.
            return memcmp(self.block.baseAddress! + self.key.lowerBound, key.baseAddress!, key.count) == 0
        }
    }

    /// Forgets the routes worked out: the registry or the router changed.
    func forgetPlainRoutes() {
        for place in self.plainRoutes.indices { self.plainRoutes[place] = nil }
        self.lastPlainRoute = nil
    }

    /// The values of the optional fields a header leaves out (``ItemHeader``'s own defaults).
    private static let plainDefaults = ItemHeader(id: "", kind: .signal, theme: "", title: "")

    /// Publishes an ingest item through the plain path: a header the ``HeaderScanner`` takes,
    /// read as byte ranges of the frame; its stamped headers written straight into the run that
    /// holds them for the feed, and its journal records encoded from there; its route, topics
    /// and shared header parts found again (``plainRoutes``). No value is made for the item.
    ///
    /// The path takes only what the general path (``publish(sender:header:body:now:)``) would
    /// store with no other outcome, and stores it exactly as that path would, byte for byte
    /// (PlainPublishTests compares the two). It leaves to the general path, changing nothing,
    /// every item that path would refuse or treat apart: a header the scanner does not take
    /// whole, a retry of a remembered id, a first item on a topic (the topic quota counts it), a
    /// tasking, a signal its theme corroborates, a tenant over a quota, a router with rules of
    /// its own.
    ///
    /// - Parameters:
    ///   - sender: the member the connection authenticated as.
    ///   - now: the time to stamp as received.
    ///   - run: where the item's deliveries are held until its journal records are written.
    ///   - tenant: the sender's tenant by its place in the daemon's list, kept with each delivery.
    ///   - acknowledge: whether to write the item's ACK into the run too (the api endpoint's
    ///     reply): the outcome is then ``PlainOutcome/acknowledged(ack:id:)``.
    package func publishPlain(
        sender: Member,
        header: [UInt8],
        body: [UInt8],
        now: Timestamp,
        into run: MessageRun,
        tenant: Int?,
        acknowledge: Bool = false
    ) -> PlainOutcome {
        header.withUnsafeBytes { header in
            body.withUnsafeBytes { body in
                self.publishPlain(sender: sender, header: header, body: body, now: now, into: run, tenant: tenant,
                                  acknowledge: acknowledge)
            }
        }
    }

    /// ``publishPlain(sender:header:body:now:into:tenant:acknowledge:)`` for frames read where
    /// they lie.
    package func publishPlain(
        sender: Member,
        header: UnsafeRawBufferPointer,
        body: UnsafeRawBufferPointer,
        now: Timestamp,
        into run: MessageRun,
        tenant: Int?,
        acknowledge: Bool = false
    ) -> PlainOutcome {
        let limits = self.reader.limits
        guard header.count <= limits.maximumHeaderBytes, body.count <= limits.maximumBodyBytes,
              !header.isEmpty, let store = self.store(of: sender.tenant)
        else { return .notTaken }
        if let most = store.quota.maximumBodyBytes, body.count > most { return .notTaken }
        if let most = store.quota.maximumStorageBytes, let stored = store.journal?.storedBytes, stored >= most {
            return .notTaken
        }
        return self.publishPlain(sender: sender, header: header.assumingMemoryBound(to: UInt8.self),
                                 item: PlainItem(body: body, now: now, run: run, tenant: tenant, store: store,
                                                 acknowledge: acknowledge))
    }

    /// What the plain path carries from step to step for one item.
    /// Its two objects are held without counting references (`unowned(unsafe)`): the caller's
    /// own references keep them alive for as long as an item lives, and counting cost six
    /// retains and releases an item.
    private struct PlainItem {
        let body: UnsafeRawBufferPointer
        /// The time stamped as received.
        let now: Timestamp
        unowned(unsafe) let run: MessageRun
        /// The sender's tenant by its place in the daemon's list.
        let tenant: Int?
        unowned(unsafe) let store: TenantStore
        /// Whether the caller asked for the ACK.
        let acknowledge: Bool
    }

    private func publishPlain(sender: Member, header h: UnsafeBufferPointer<UInt8>, item: PlainItem) -> PlainOutcome {
        // The id the item gets if its header names none, made before the header is read: the
        // window's place for it is then fetched from memory while the header is checked and its
        // route found, and is in the caches when the window is asked about the id (it missed
        // them on most items: bench/RESULTS.md, the eleventh round). An item naming its own id
        // wastes this one, and has its own fetched once it is read.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: ItemIDGenerator.length) { made in
            // A capacity asked for is never zero here, so the buffer has an address.
            self.ids.next(at: item.now, into: made.baseAddress!)
            let madeHash = IdempotencyWindow.hash(UnsafeBufferPointer(made))
            item.store.window.prefetch(hash: madeHash)
            return self.publishPlain(sender: sender, header: h, item: item, made: UnsafeRawBufferPointer(made),
                                     madeHash: madeHash)
        }
    }

    /// ``publishPlain(sender:header:item:)`` with the id made for the item and its hash.
    private func publishPlain(sender: Member, header h: UnsafeBufferPointer<UInt8>, item: PlainItem,
                              made: UnsafeRawBufferPointer, madeHash: Int) -> PlainOutcome {
        // The checks of HeaderReader: the frame is valid UTF-8 (a NUL cannot pass the scanner),
        // then each field as HeaderScanner checks it.
        guard UTF8Check.firstInvalidOffset(in: h) == nil else { return .notTaken }
        var spans = HeaderScanner.Spans()
        guard HeaderScanner.fields(of: h, into: &spans) else { return .notTaken }
        func field(_ field: HeaderScanner.Field) -> UnsafeBufferPointer<UInt8>? {
            spans.range(field).map { UnsafeBufferPointer(rebasing: h[$0]) }
        }
        guard let title = field(.title), HeaderReader.isAcceptableTitle(utf8: title, limits: self.reader.limits)
        else { return .notTaken }
        let id = field(.id)
        if let id, !Identifier.isValidPublishedID(utf8: id) { return .notTaken }
        var posture: Posture?
        if let text = field(.posture) {
            guard let word = Posture.matching(utf8: text) else { return .notTaken }
            posture = word
        }
        let axis = field(.axis)
        if let axis, !Identifier.isValid(utf8: axis) { return .notTaken }
        let contentType = field(.contentType)
        if let contentType, !HeaderReader.isMediaType(utf8: contentType) { return .notTaken }

        // The fields routing reads, as the frame spells them, find the route (and were checked
        // when it was worked out).
        let found = withUnsafeTemporaryAllocation(byteCount: h.count + Self.routingFields.count, alignment: 1) {
            self.plainRoute(sender: sender, key: Self.routingKey(spans, of: h, into: $0), spans: spans, header: h,
                            store: item.store)
        }
        guard let route = found else { return .notTaken }

        let fields = PlainFields(title: title, posture: posture, axis: axis, contentType: contentType)
        if let id {
            let hash = IdempotencyWindow.hash(id)
            item.store.window.prefetch(hash: hash)
            return self.storePlain(id: UnsafeRawBufferPointer(id), hash: hash, claimed: true, fields: fields,
                                   route: route, item: item)
        }
        return self.storePlain(id: made, hash: madeHash, claimed: false, fields: fields, route: route, item: item)
    }

    /// The header fields an item of the plain path writes as it gave them.
    private struct PlainFields {
        var title: UnsafeBufferPointer<UInt8>
        var posture: Posture?
        var axis: UnsafeBufferPointer<UInt8>?
        var contentType: UnsafeBufferPointer<UInt8>?
    }

    /// Numbers, journals and remembers an item of the plain path, and holds its deliveries.
    private func storePlain(
        id: UnsafeRawBufferPointer,
        hash: Int,
        claimed: Bool,
        fields: PlainFields,
        route: PlainRoute,
        item: PlainItem
    ) -> PlainOutcome {
        // A retry of an id the window remembers is the general path's (its ACK, or id-in-use).
        guard !item.store.window.contains(utf8: id.assumingMemoryBound(to: UInt8.self), hash: hash) else {
            return .notTaken
        }
        // The last check: from here on the item is stored or refused, never handed back.
        if item.store.bucket?.take(now: item.now.milliseconds) == false { return .notTaken }

        // Where each delivery's header is in the run: on the stack, an item has a few at most.
        return withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: route.steps.count) { headers in
            self.writePlainHeaders(id: id, fields: fields, route: route, now: item.now, run: item.run, into: headers)
            return self.commitPlain(id: id, hash: hash, claimed: claimed, route: route, headers: headers, item: item)
        }
    }

    /// Journals, numbers and remembers an item of the plain path whose headers are written, and
    /// holds its deliveries; or refuses it, with its headers taken back out of the run.
    private func commitPlain(
        id: UnsafeRawBufferPointer,
        hash: Int,
        claimed: Bool,
        route: PlainRoute,
        headers: UnsafeMutableBufferPointer<Range<Int>>,
        item: PlainItem
    ) -> PlainOutcome {
        let (body, now, run, store) = (item.body, item.now, item.run, item.store)
        let steps = route.steps
        var position: UInt64 = 0
        #if ORIS_BENCH_PARTS
        let journal = BenchParts.leftOut == .journal ? nil : store.journal
        #else
        let journal = store.journal
        #endif
        if let journal {
            do {
                try journal.appendItem(count: steps.count, delivery: { n in
                    (steps[n].journalSlot, self.topics[steps[n].slot].seq + 1, run.bytes(headers[n]))
                }, id: id, sender: route.bytes(route.senderUTF8), body: body, received: now)
            } catch {
                // A route has at least one delivery.
                run.truncate(to: headers[0].lowerBound)
                let claimedID = claimed ? String(decoding: id, as: UTF8.self) : nil
                return .refused(Self.refusal(error, tenant: route.tenant, claimed: claimedID))
            }
            position = journal.nextPosition - 1
        }
        for step in steps {
            self.topics[step.slot].seq += 1
        }
        let remembered = steps.lazy.map { IdempotencyWindow.Delivery(slot: $0.slot, seq: self.topics[$0.slot].seq) }
        store.window.remember(utf8: id.assumingMemoryBound(to: UInt8.self), hash: hash, sender: route.sender,
                              deliveries: remembered, position: position, received: now, now: now)
        let bodyRange = run.append(body)
        for (n, step) in steps.enumerated() {
            let topic = run.append(route.bytes(step.topic))
            run.hold(topic: topic, header: headers[n], body: bodyRange, tier: step.tier, tenant: item.tenant,
                     position: position)
        }
        guard item.acknowledge else { return .published }
        return self.writePlainACK(id: id, route: route, run: run, position: position)
    }

    /// Writes into the run the ACK of an item of the plain path just stored, as
    /// ``AckRecord/encoded(duplicate:)`` writes it for a fresh item.
    private func writePlainACK(
        id: UnsafeRawBufferPointer,
        route: PlainRoute,
        run: MessageRun,
        position: UInt64
    ) -> PlainOutcome {
        let prefix = 7  // {"id":"
        var bound = prefix + id.count + 32 + route.ackTiers.count + 2
        for step in route.steps { bound += step.ackTopic.count + 22 }
        let ack = run.write(bound: bound) { w in
            w.literal("{\"id\":\"")
            w.bytes(id)
            w.literal("\",\"seq\":")
            w.integer(Int64(self.topics[route.steps[0].slot].seq))
            w.bytes(route.bytes(route.ackTiers))
            for (n, step) in route.steps.enumerated() {
                if n > 0 { w.byte(UInt8(ascii: ",")) }
                w.bytes(route.bytes(step.ackTopic))
                w.integer(Int64(self.topics[step.slot].seq))
                w.byte(UInt8(ascii: "}"))
            }
            w.literal("]}")
        }
        let idStart = ack.lowerBound + prefix
        return .acknowledged(ack: ack, id: idStart..<(idStart + id.count), position: position)
    }

    /// Writes the stamped header of each of the route's deliveries into the run, each one whole
    /// in one range: the part they share once, then copied for the next ones.
    private func writePlainHeaders(
        id: UnsafeRawBufferPointer,
        fields: PlainFields,
        route: PlainRoute,
        now: Timestamp,
        run: MessageRun,
        into headers: UnsafeMutableBufferPointer<Range<Int>>
    ) {
        func bound(_ text: UnsafeBufferPointer<UInt8>?) -> Int { text.map { $0.count + 32 } ?? 0 }
        let shared = 64 + id.count + route.beforeTitle.count + bound(fields.title) + route.afterTitle.count
            + 32 + bound(fields.axis) + bound(fields.contentType)
            + route.beforeReceived.count + 32
        let start = run.byteCount
        if self.receivedText.milliseconds != now.milliseconds {
            self.receivedText = (now.milliseconds, now.withText { Array($0) })
        }
        let received = self.receivedText.text
        let common = run.write(bound: shared + received.count) { w in
            w.literal("{\"v\":")
            w.integer(ItemHeader.version)
            w.literal(",\"id\":\"")
            w.bytes(id)
            w.byte(UInt8(ascii: "\""))
            w.bytes(route.bytes(route.beforeTitle))
            w.quoted(fields.title)
            w.bytes(route.bytes(route.afterTitle))
            if let posture = fields.posture {
                w.literal(",\"posture\":")
                w.string(posture.word)
            }
            if let axis = fields.axis {
                w.literal(",\"axis\":")
                w.quoted(axis)
            }
            // The default type is not written (``ItemHeader/jsonObject``), named or not.
            if let contentType = fields.contentType, !Self.isDefaultContentType(contentType) {
                w.literal(",\"content_type\":")
                w.quoted(contentType)
            }
            w.bytes(route.bytes(route.beforeReceived))
            w.bytes(received)
        }
        for (n, step) in route.steps.enumerated() {
            let copy = n == 0 ? common : run.appendCopy(of: common)
            let end = run.write(bound: step.beforeSeq.count + 20 + step.afterSeq.count) { w in
                w.bytes(route.bytes(step.beforeSeq))
                w.integer(Int64(self.topics[step.slot].seq + 1))
                w.bytes(route.bytes(step.afterSeq))
            }
            headers.initializeElement(at: n, to: copy.lowerBound..<end.upperBound)
        }
        assert(headers.first?.lowerBound == start)
    }

    /// Whether a content type as the frame spells it (no escapes: the scanner took it) is
    /// ``ItemHeader/defaultContentType``.
    private static func isDefaultContentType(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
        ItemHeader.defaultContentType.utf8.elementsEqual(text)
    }

    /// A vocabulary word given as bytes, or the default when the header leaves it out; nil
    /// when the bytes are not one of its words.
    private static func word<W: Vocabulary>(_ text: UnsafeBufferPointer<UInt8>?, or fallback: W) -> W? {
        guard let text else { return fallback }
        return W.matching(utf8: text)
    }

    /// The fields routing reads (with the sender), in the order ``routingKey`` writes them.
    private static let routingFields: [HeaderScanner.Field] = [.kind, .theme, .severity, .urgency, .certainty, .tlp]

    /// Writes the routing fields' bytes into `buffer` (room for the header and a byte a field),
    /// each followed by a 0 byte, or a 1 byte alone for a field left out: neither can be in a
    /// text the scanner takes, so two keys are equal only for the same spellings.
    private static func routingKey(
        _ spans: HeaderScanner.Spans,
        of header: UnsafeBufferPointer<UInt8>,
        into buffer: UnsafeMutableRawBufferPointer
    ) -> UnsafeRawBufferPointer {
        // The buffer holds the header's bytes and one more for each field, so it has an address.
        let at = buffer.baseAddress!
        var count = 0
        for field in Self.routingFields {
            if let range = spans.range(field) {
                // A field's text lies inside the header, whose bytes have an address.
                (at + count).copyMemory(from: header.baseAddress! + range.lowerBound, byteCount: range.count)
                count += range.count
                at.storeBytes(of: 0, toByteOffset: count, as: UInt8.self)
            } else {
                at.storeBytes(of: 1, toByteOffset: count, as: UInt8.self)
            }
            count += 1
        }
        return UnsafeRawBufferPointer(start: at, count: count)
    }

    /// The route of an item of the plain path: found again, or worked out and kept; nil when
    /// the item is the general path's.
    private func plainRoute(
        sender: Member,
        key: UnsafeRawBufferPointer,
        spans: HeaderScanner.Spans,
        header h: UnsafeBufferPointer<UInt8>,
        store: TenantStore
    ) -> PlainRoute? {
        if let last = self.lastPlainRoute, last.fits(key, sender: sender) { return last }
        var hash = Self.fnv(key, into: 0xCBF2_9CE4_8422_2325)
        var senderID = sender.id
        hash = senderID.withUTF8 { Self.fnv(UnsafeRawBufferPointer($0), into: hash) }
        let place = 2 * (Int(truncatingIfNeeded: hash) & (Bus.plainRoutePlaces - 1))
        for route in self.plainRoutes[place...(place + 1)] {
            if let route, route.fits(key, sender: sender) {
                self.lastPlainRoute = route
                return route
            }
        }
        // Worked out from the fields, checked as HeaderScanner checks them.
        func field(_ field: HeaderScanner.Field) -> UnsafeBufferPointer<UInt8>? {
            spans.range(field).map { UnsafeBufferPointer(rebasing: h[$0]) }
        }
        let defaults = Self.plainDefaults
        guard let kindText = field(.kind), let kind = Kind.matching(utf8: kindText),
              let theme = field(.theme), Identifier.isValid(utf8: theme),
              let severity = Self.word(field(.severity), or: defaults.severity),
              let urgency = Self.word(field(.urgency), or: defaults.urgency),
              let certainty = Self.word(field(.certainty), or: defaults.certainty),
              let tlp = Self.word(field(.tlp), or: defaults.tlp),
              let route = self.makePlainRoute(key: Array(key), sender: sender,
                                              theme: String(decoding: theme, as: UTF8.self), kind: kind,
                                              severity: severity, urgency: urgency, certainty: certainty, tlp: tlp,
                                              store: store)
        else { return nil }
        self.plainRoutes[place + 1] = self.plainRoutes[place]
        self.plainRoutes[place] = route
        self.lastPlainRoute = route
        return route
    }

    /// FNV-1a over `bytes`, from `hash`.
    private static func fnv(_ bytes: UnsafeRawBufferPointer, into hash: UInt64) -> UInt64 {
        var hash = hash
        for byte in bytes {
            hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3
        }
        return hash
    }

    /// Works a route out with the general router; nil when an item of these fields is not the
    /// plain path's (refused, corroborated, a tasking, or a first item on one of its topics).
    private func makePlainRoute(
        key: [UInt8],
        sender: Member,
        theme themeID: String,
        kind: Kind,
        severity: Severity,
        urgency: Urgency,
        certainty: Certainty,
        tlp: TLP,
        store: TenantStore
    ) -> PlainRoute? {
        // Other rules may read any field; a tasking's route depends on its axis.
        guard self.router.isStandard, kind != .tasking, let theme = self.theme(themeID, tenant: sender.tenant),
              (try? PublishPolicy.check(member: sender, kind: kind, theme: theme, axis: nil, id: nil)) != nil
        else { return nil }
        var header = ItemHeader(id: "", kind: kind, theme: themeID, title: "")
        header.severity = severity
        header.urgency = urgency
        header.certainty = certainty
        header.tlp = tlp
        let deliveries = self.router.route(header, theme: theme, sender: sender, originals: [])
        guard !deliveries.isEmpty,
              !(kind == .signal && theme.corroboration != nil && deliveries.contains { $0.tier == .gip })
        else { return nil }
        var steps = [PlainRoute.Delivery]()
        for delivery in deliveries {
            guard delivery.theme == nil, delivery.axis == nil else { return nil }
            let topic = Topic(tenant: sender.tenant, theme: themeID, tier: delivery.tier, kind: kind, axis: nil)
            let slot = self.slot(of: topic, journal: store.journal)
            // A topic's first item counts against the tenant's topic quota: the general path's.
            guard self.topics[slot].seq > 0, !steps.contains(where: { $0.slot == slot }) else { return nil }
            let journalSlot = store.journal.map { self.topics[slot].journalSlot ?? $0.slot(of: self.topics[slot].name) }
            steps.append(PlainRoute.Delivery(slot: slot, journalSlot: journalSlot ?? -1, tier: delivery.tier,
                                             topic: self.topics[slot].bytes, reason: delivery.reason))
        }
        return PlainRoute(key: key, sender: sender, theme: themeID, kind: kind, severity: severity, urgency: urgency,
                          certainty: certainty, tlp: tlp, deliveries: steps)
    }
}
