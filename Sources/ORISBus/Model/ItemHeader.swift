// SPDX-License-Identifier: Apache-2.0

/// The header of an item: what the publisher said, checked, and what the daemon stamps on it.
///
/// Version 1 of the header. docs/PROTOCOL.md gives each field's rules; ``HeaderReader`` applies
/// them.
package struct ItemHeader: Sendable, Equatable {
    // MARK: - Set by the publisher

    /// The item's unique id; the daemon makes one when the publisher gives none.
    package var id: String {
        get { self.storage.id }
        set { self.unique().id = newValue }
    }
    package var kind: Kind {
        get { self.storage.kind }
        set { self.unique().kind = newValue }
    }
    package var theme: String {
        get { self.storage.theme }
        set { self.unique().theme = newValue }
    }
    package var title: String {
        get { self.storage.title }
        set { self.unique().title = newValue }
    }
    package var severity: Severity {
        get { self.storage.severity }
        set { self.unique().severity = newValue }
    }
    package var urgency: Urgency {
        get { self.storage.urgency }
        set { self.unique().urgency = newValue }
    }
    package var certainty: Certainty {
        get { self.storage.certainty }
        set { self.unique().certainty = newValue }
    }
    package var tlp: TLP {
        get { self.storage.tlp }
        set { self.unique().tlp = newValue }
    }
    package var posture: Posture? {
        get { self.storage.posture }
        set { self.unique().posture = newValue }
    }
    package var tags: [String] {
        get { self.storage.tags }
        set { self.unique().tags = newValue }
    }
    package var axis: String? {
        get { self.storage.axis }
        set { self.unique().axis = newValue }
    }
    package var references: [String] {
        get { self.storage.references }
        set { self.unique().references = newValue }
    }
    /// When the publisher says it sent the item, as given (RFC 3339).
    package var sent: String? {
        get { self.storage.sent }
        set { self.unique().sent = newValue }
    }
    package var contentType: String {
        get { self.storage.contentType }
        set { self.unique().contentType = newValue }
    }
    /// CAP status: absent means the publisher did not say (an actual item).
    package var status: ItemStatus? {
        get { self.storage.status }
        set { self.unique().status = newValue }
    }
    /// CAP message type: absent means a new item.
    package var messageType: MessageType? {
        get { self.storage.messageType }
        set { self.unique().messageType = newValue }
    }
    /// When the item stops being true, as given (RFC 3339).
    package var expires: String? {
        get { self.storage.expires }
        set { self.unique().expires = newValue }
    }
    /// The places the item is about, in the source's own words (CAP `areaDesc`).
    package var areas: [String] {
        get { self.storage.areas }
        set { self.unique().areas = newValue }
    }
    /// Fields whose names start with `x-`: carried through untouched, in order.
    package var extensions: [(String, JSONValue)] {
        get { self.storage.extensions }
        set { self.unique().extensions = newValue }
    }

    // MARK: - Stamped by the daemon

    /// The tenant of the sender.
    package var tenant: String? {
        get { self.storage.tenant }
        set { self.unique().tenant = newValue }
    }
    /// The authenticated member that published the item.
    package var sender: String? {
        get { self.storage.sender }
        set { self.unique().sender = newValue }
    }
    /// When the daemon accepted it.
    package var received: Timestamp? {
        get { self.storage.received }
        set { self.unique().received = newValue }
    }
    /// The tier of this delivery.
    package var tier: Tier? {
        get { self.storage.tier }
        set { self.unique().tier = newValue }
    }
    /// The sequence number of this delivery on its topic.
    package var seq: UInt64? {
        get { self.storage.seq }
        set { self.unique().seq = newValue }
    }
    /// Why this delivery happened, when it is not the kind's default route.
    package var reason: String? {
        get { self.storage.reason }
        set { self.unique().reason = newValue }
    }
    /// The region the item was first published in.
    package var origin: String? {
        get { self.storage.origin }
        set { self.unique().origin = newValue }
    }

    package init(id: String, kind: Kind, theme: String, title: String) {
        self.storage = Storage(id: id, kind: kind, theme: theme, title: title)
    }

    /// The fields, behind one reference: copying a header (the bus hands one to the router,
    /// the journal and each delivery) costs one retain, not one per string; a change copies
    /// the fields first when another header shares them.
    private var storage: Storage

    /// Changed only while uniquely referenced (``unique()``), so shared copies never see a change.
    private final class Storage: @unchecked Sendable {
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
        var contentType: String = "text/plain"
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

        init(id: String, kind: Kind, theme: String, title: String) {
            self.id = id
            self.kind = kind
            self.theme = theme
            self.title = title
        }

        /// A storage holding the same fields.
        func copy() -> Storage {
            let copy = Storage(id: self.id, kind: self.kind, theme: self.theme, title: self.title)
            copy.severity = self.severity
            copy.urgency = self.urgency
            copy.certainty = self.certainty
            copy.tlp = self.tlp
            copy.posture = self.posture
            copy.tags = self.tags
            copy.axis = self.axis
            copy.references = self.references
            copy.sent = self.sent
            copy.contentType = self.contentType
            copy.status = self.status
            copy.messageType = self.messageType
            copy.expires = self.expires
            copy.areas = self.areas
            copy.extensions = self.extensions
            copy.tenant = self.tenant
            copy.sender = self.sender
            copy.received = self.received
            copy.tier = self.tier
            copy.seq = self.seq
            copy.reason = self.reason
            copy.origin = self.origin
            return copy
        }
    }

    /// The storage, copied first when another header shares it.
    private mutating func unique() -> Storage {
        if !isKnownUniquelyReferenced(&self.storage) { self.storage = self.storage.copy() }
        return self.storage
    }

    /// The version of the header this type reads and writes.
    package static let version: Int64 = 1

    /// The header as a JSON object, publisher's fields first, then the daemon's stamps.
    package var jsonObject: JSONObject {
        var o = JSONObject()
        o["v"] = .int(Self.version)
        o["id"] = .string(self.id)
        o["kind"] = .string(self.kind.word)
        o["theme"] = .string(self.theme)
        o["title"] = .string(self.title)
        o["severity"] = .string(self.severity.word)
        o["urgency"] = .string(self.urgency.word)
        o["certainty"] = .string(self.certainty.word)
        o["tlp"] = .string(self.tlp.word)
        if let posture { o["posture"] = .string(posture.word) }
        if !self.tags.isEmpty { o["tags"] = .array(self.tags.map { .string($0) }) }
        if let axis { o["axis"] = .string(axis) }
        if !self.references.isEmpty { o["references"] = .array(self.references.map { .string($0) }) }
        if let sent { o["sent"] = .string(sent) }
        o["content_type"] = .string(self.contentType)
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
            w.literal(",\"severity\":")
            w.string(self.severity.word)
            w.literal(",\"urgency\":")
            w.string(self.urgency.word)
            w.literal(",\"certainty\":")
            w.string(self.certainty.word)
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
            w.literal(",\"content_type\":")
            w.string(self.contentType)
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
