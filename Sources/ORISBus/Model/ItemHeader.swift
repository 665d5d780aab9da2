// SPDX-License-Identifier: Apache-2.0

/// The header of an item: what the publisher said, checked, and what the daemon stamps on it.
///
/// Version 1 of the header. docs/PROTOCOL.md gives each field's rules; ``HeaderReader`` applies
/// them.
package struct ItemHeader: Sendable, Equatable {
    // MARK: - Set by the publisher

    /// The item's unique id; the daemon makes one when the publisher gives none.
    package var id: String {
        get { self.fields.value.id }
        set { self.fields.value.id = newValue }
    }
    package var kind: Kind {
        get { self.fields.value.kind }
        set { self.fields.value.kind = newValue }
    }
    package var theme: String {
        get { self.fields.value.theme }
        set { self.fields.value.theme = newValue }
    }
    package var title: String {
        get { self.fields.value.title }
        set { self.fields.value.title = newValue }
    }
    package var severity: Severity {
        get { self.fields.value.severity }
        set { self.fields.value.severity = newValue }
    }
    package var urgency: Urgency {
        get { self.fields.value.urgency }
        set { self.fields.value.urgency = newValue }
    }
    package var certainty: Certainty {
        get { self.fields.value.certainty }
        set { self.fields.value.certainty = newValue }
    }
    package var tlp: TLP {
        get { self.fields.value.tlp }
        set { self.fields.value.tlp = newValue }
    }
    package var posture: Posture? {
        get { self.fields.value.posture }
        set { self.fields.value.posture = newValue }
    }
    package var tags: [String] {
        get { self.fields.value.tags }
        set { self.fields.value.tags = newValue }
    }
    package var axis: String? {
        get { self.fields.value.axis }
        set { self.fields.value.axis = newValue }
    }
    package var references: [String] {
        get { self.fields.value.references }
        set { self.fields.value.references = newValue }
    }
    /// When the publisher says it sent the item, as given (RFC 3339).
    package var sent: String? {
        get { self.fields.value.sent }
        set { self.fields.value.sent = newValue }
    }
    package var contentType: String {
        get { self.fields.value.contentType }
        set { self.fields.value.contentType = newValue }
    }
    /// CAP status: absent means the publisher did not say (an actual item).
    package var status: ItemStatus? {
        get { self.fields.value.status }
        set { self.fields.value.status = newValue }
    }
    /// CAP message type: absent means a new item.
    package var messageType: MessageType? {
        get { self.fields.value.messageType }
        set { self.fields.value.messageType = newValue }
    }
    /// When the item stops being true, as given (RFC 3339).
    package var expires: String? {
        get { self.fields.value.expires }
        set { self.fields.value.expires = newValue }
    }
    /// The places the item is about, in the source's own words (CAP `areaDesc`).
    package var areas: [String] {
        get { self.fields.value.areas }
        set { self.fields.value.areas = newValue }
    }
    /// Fields whose names start with `x-`: carried through untouched, in order.
    package var extensions: [(String, JSONValue)] {
        get { self.fields.value.extensions }
        set { self.fields.value.extensions = newValue }
    }

    // MARK: - Stamped by the daemon

    /// The tenant of the sender.
    package var tenant: String? {
        get { self.fields.value.tenant }
        set { self.fields.value.tenant = newValue }
    }
    /// The authenticated member that published the item.
    package var sender: String? {
        get { self.fields.value.sender }
        set { self.fields.value.sender = newValue }
    }
    /// When the daemon accepted it.
    package var received: Timestamp? {
        get { self.fields.value.received }
        set { self.fields.value.received = newValue }
    }
    /// The tier of this delivery.
    package var tier: Tier? {
        get { self.fields.value.tier }
        set { self.fields.value.tier = newValue }
    }
    /// The sequence number of this delivery on its topic.
    package var seq: UInt64? {
        get { self.fields.value.seq }
        set { self.fields.value.seq = newValue }
    }
    /// Why this delivery happened, when it is not the kind's default route.
    package var reason: String? {
        get { self.fields.value.reason }
        set { self.fields.value.reason = newValue }
    }
    /// The region the item was first published in.
    package var origin: String? {
        get { self.fields.value.origin }
        set { self.fields.value.origin = newValue }
    }

    package init(id: String, kind: Kind, theme: String, title: String) {
        self.fields = CopyOnWrite(Fields(id: id, kind: kind, theme: theme, title: title))
    }

    /// The fields, behind one reference: the bus hands a header to the router, the journal
    /// and each delivery, and a copy of twenty-odd strings cost as many retains each time.
    private var fields: CopyOnWrite<Fields>

    private struct Fields: Sendable {
        var id: String
        var kind: Kind
        var theme: String
        var title: String
        var severity: Severity = .unknown
        var urgency: Urgency = .unknown
        var certainty: Certainty = .unknown
        var tlp: TLP = .amber
        var posture: Posture?
        var tags: [String] = []
        var axis: String?
        var references: [String] = []
        var sent: String?
        var contentType: String = ItemHeader.defaultContentType
        var status: ItemStatus?
        var messageType: MessageType?
        var expires: String?
        var areas: [String] = []
        var extensions: [(String, JSONValue)] = []
        var tenant: String?
        var sender: String?
        var received: Timestamp?
        var tier: Tier?
        var seq: UInt64?
        var reason: String?
        var origin: String?
    }


    /// The version of the header this type reads and writes.
    package static let version: Int64 = 1

    /// The media type of a body whose header names none.
    package static let defaultContentType = "text/plain"

    /// The header as a JSON object, publisher's fields first, then the daemon's stamps.
    ///
    /// Severity, urgency and certainty are left out when `Unknown`, and the content type when it
    /// is ``defaultContentType``: a reader takes an absent field as its default, as the daemon
    /// does when a publisher leaves it out. Each is paid for once per subscriber on the feed
    /// and once per delivery in the journal. The TLP label, a marking, is always written.
    package var jsonObject: JSONObject {
        var o = JSONObject()
        o["v"] = .int(Self.version)
        o["id"] = .string(self.id)
        o["kind"] = .string(self.kind.word)
        o["theme"] = .string(self.theme)
        o["title"] = .string(self.title)
        if self.severity != .unknown { o["severity"] = .string(self.severity.word) }
        if self.urgency != .unknown { o["urgency"] = .string(self.urgency.word) }
        if self.certainty != .unknown { o["certainty"] = .string(self.certainty.word) }
        o["tlp"] = .string(self.tlp.word)
        if let posture { o["posture"] = .string(posture.word) }
        if !self.tags.isEmpty { o["tags"] = .array(self.tags.map { .string($0) }) }
        if let axis { o["axis"] = .string(axis) }
        if !self.references.isEmpty { o["references"] = .array(self.references.map { .string($0) }) }
        if let sent { o["sent"] = .string(sent) }
        if self.contentType != Self.defaultContentType { o["content_type"] = .string(self.contentType) }
        if let status { o["status"] = .string(status.word) }
        if let messageType { o["msg_type"] = .string(messageType.word) }
        if let expires { o["expires"] = .string(expires) }
        if !self.areas.isEmpty { o["areas"] = .array(self.areas.map { .string($0) }) }
        for (key, value) in self.extensions { o[key] = value }
        if let tenant { o["tenant"] = .string(tenant) }
        if let sender { o["sender"] = .string(sender) }
        if let received { o["received"] = .string(received.description) }
        if let tier { o["tier"] = .string(tier.word) }
        if let seq { o["seq"] = .int(Int64(seq)) }
        if let reason { o["reason"] = .string(reason) }
        if let origin { o["origin"] = .string(origin) }
        return o
    }

    /// The header as the bytes of a frame: the same text as encoding ``jsonObject``, written
    /// straight to bytes (this runs for every delivery).
    package var encoded: [UInt8] {
        self.encoded(continuing: self.encodedUpToDelivery)
    }

    /// The frame's bytes up to the fields that differ between the deliveries of one item (tier,
    /// seq, reason, origin), without the closing brace: written once per item, then continued
    /// by ``encoded(continuing:)`` for each delivery.
    ///
    /// Written through a ``ByteWriter`` into storage sized from the fields' lengths.
    package var encodedUpToDelivery: [UInt8] {
        // Lists and x- fields, rare on the publish path, are written by the general writer first.
        var tags = [UInt8](), references = [UInt8](), areas = [UInt8](), extensions = [UInt8]()
        if !self.tags.isEmpty { JSONWriter.write(.array(self.tags.map { .string($0) }), into: &tags) }
        if !self.references.isEmpty {
            JSONWriter.write(.array(self.references.map { .string($0) }), into: &references)
        }
        if !self.areas.isEmpty { JSONWriter.write(.array(self.areas.map { .string($0) }), into: &areas) }
        for (key, value) in self.extensions {
            extensions.append(UInt8(ascii: ","))
            JSONWriter.writeString(key, into: &extensions)
            extensions.append(UInt8(ascii: ":"))
            JSONWriter.write(value, into: &extensions)
        }
        func bound(_ text: String?) -> Int { text.map(ByteWriter.bound(ofString:)) ?? 0 }
        var size = Self.namesAndStampBytes + tags.count + references.count + areas.count + extensions.count
        size += bound(self.id) + bound(self.kind.word) + bound(self.theme) + bound(self.title)
        size += bound(self.severity.word) + bound(self.urgency.word) + bound(self.certainty.word)
        size += bound(self.tlp.word) + bound(self.posture?.word) + bound(self.axis) + bound(self.sent)
        size += bound(self.contentType) + bound(self.status?.word) + bound(self.messageType?.word)
        size += bound(self.expires) + bound(self.tenant) + bound(self.sender)

        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var w = ByteWriter(buffer)
            w.literal("{\"v\":")
            w.integer(Self.version)
            w.literal(",\"id\":")
            w.string(self.id)
            w.literal(",\"kind\":")
            w.string(self.kind.word)
            w.literal(",\"theme\":")
            w.string(self.theme)
            w.literal(",\"title\":")
            w.string(self.title)
            if self.severity != .unknown {
                w.literal(",\"severity\":")
                w.string(self.severity.word)
            }
            if self.urgency != .unknown {
                w.literal(",\"urgency\":")
                w.string(self.urgency.word)
            }
            if self.certainty != .unknown {
                w.literal(",\"certainty\":")
                w.string(self.certainty.word)
            }
            w.literal(",\"tlp\":")
            w.string(self.tlp.word)
            if let posture = self.posture {
                w.literal(",\"posture\":")
                w.string(posture.word)
            }
            if !tags.isEmpty {
                w.literal(",\"tags\":")
                w.bytes(tags)
            }
            if let axis = self.axis {
                w.literal(",\"axis\":")
                w.string(axis)
            }
            if !references.isEmpty {
                w.literal(",\"references\":")
                w.bytes(references)
            }
            if let sent = self.sent {
                w.literal(",\"sent\":")
                w.string(sent)
            }
            if self.contentType != Self.defaultContentType {
                w.literal(",\"content_type\":")
                w.string(self.contentType)
            }
            if let status = self.status {
                w.literal(",\"status\":")
                w.string(status.word)
            }
            if let messageType = self.messageType {
                w.literal(",\"msg_type\":")
                w.string(messageType.word)
            }
            if let expires = self.expires {
                w.literal(",\"expires\":")
                w.string(expires)
            }
            if !areas.isEmpty {
                w.literal(",\"areas\":")
                w.bytes(areas)
            }
            w.bytes(extensions)
            if let tenant = self.tenant {
                w.literal(",\"tenant\":")
                w.string(tenant)
            }
            if let sender = self.sender {
                w.literal(",\"sender\":")
                w.string(sender)
            }
            if let received = self.received {
                w.literal(",\"received\":\"")
                received.withText { w.bytes($0) }
                w.byte(UInt8(ascii: "\""))
            }
            initialized = w.count
        }
    }

    /// Room for every field name with its punctuation (under 220 bytes), the version and the
    /// received time (26 bytes with its quotes).
    private static let namesAndStampBytes = 320

    /// The whole frame: `prefix` (this header's ``encodedUpToDelivery``, or that of a header
    /// equal to it but for tier, seq, reason and origin) followed by this header's own tier,
    /// seq, reason and origin.
    package func encoded(continuing prefix: [UInt8]) -> [UInt8] {
        Self.encoded(continuing: prefix, tier: self.tier, seq: self.seq, reason: self.reason, origin: self.origin)
    }

    /// ``encoded(continuing:)`` from the four fields alone, so that the bus need not copy a
    /// whole header for each delivery.
    package static func encoded(
        continuing prefix: [UInt8],
        tier: Tier?,
        seq: UInt64?,
        reason: String?,
        origin: String?
    ) -> [UInt8] {
        // Field names, punctuation and the seq's digits take under 64 bytes.
        func bound(_ text: String?) -> Int { text.map(ByteWriter.bound(ofString:)) ?? 0 }
        let size = prefix.count + 64 + bound(tier?.word) + bound(reason) + bound(origin)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, initialized in
            var w = ByteWriter(buffer)
            w.bytes(prefix)
            if let tier {
                w.literal(",\"tier\":")
                w.string(tier.word)
            }
            if let seq {
                w.literal(",\"seq\":")
                w.integer(Int64(seq))
            }
            if let reason {
                w.literal(",\"reason\":")
                w.string(reason)
            }
            if let origin {
                w.literal(",\"origin\":")
                w.string(origin)
            }
            w.byte(UInt8(ascii: "}"))
            initialized = w.count
        }
    }

    package static func == (lhs: ItemHeader, rhs: ItemHeader) -> Bool {
        lhs.jsonObject == rhs.jsonObject
    }
}
