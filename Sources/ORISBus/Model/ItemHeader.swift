// SPDX-License-Identifier: Apache-2.0

/// The header of an item: what the publisher said, checked, and what the daemon stamps on it.
///
/// Version 1 of the header. docs/PROTOCOL.md gives each field's rules; ``HeaderReader`` applies
/// them.
package struct ItemHeader: Sendable, Equatable {
    // MARK: - Set by the publisher

    /// The item's unique id; the daemon makes one when the publisher gives none.
    package var id: String
    package var kind: Kind
    package var theme: String
    package var title: String
    package var severity: Severity = .unknown
    package var urgency: Urgency = .unknown
    package var certainty: Certainty = .unknown
    package var tlp: TLP = .amber
    package var posture: Posture?
    package var tags: [String] = []
    package var axis: String?
    package var references: [String] = []
    /// When the publisher says it sent the item, as given (RFC 3339).
    package var sent: String?
    package var contentType: String = "text/plain"
    /// CAP status: absent means the publisher did not say (an actual item).
    package var status: ItemStatus?
    /// CAP message type: absent means a new item.
    package var messageType: MessageType?
    /// When the item stops being true, as given (RFC 3339).
    package var expires: String?
    /// The places the item is about, in the source's own words (CAP `areaDesc`).
    package var areas: [String] = []
    /// Fields whose names start with `x-`: carried through untouched, in order.
    package var extensions: [(String, JSONValue)] = []

    // MARK: - Stamped by the daemon

    /// The tenant of the sender.
    package var tenant: String?
    /// The authenticated member that published the item.
    package var sender: String?
    /// When the daemon accepted it.
    package var received: Timestamp?
    /// The tier of this delivery.
    package var tier: Tier?
    /// The sequence number of this delivery on its topic.
    package var seq: UInt64?
    /// Why this delivery happened, when it is not the kind's default route.
    package var reason: String?
    /// The region the item was first published in.
    package var origin: String?

    package init(id: String, kind: Kind, theme: String, title: String) {
        self.id = id
        self.kind = kind
        self.theme = theme
        self.title = title
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
    package var encodedUpToDelivery: [UInt8] {
        var w = HeaderBytes()
        w.out.reserveCapacity(360 + self.title.utf8.count)
        w.field("v", int: Self.version)
        w.field("id", self.id)
        w.field("kind", self.kind.word)
        w.field("theme", self.theme)
        w.field("title", self.title)
        w.field("severity", self.severity.word)
        w.field("urgency", self.urgency.word)
        w.field("certainty", self.certainty.word)
        w.field("tlp", self.tlp.word)
        if let posture { w.field("posture", posture.word) }
        if !self.tags.isEmpty { w.field("tags", value: .array(self.tags.map { .string($0) })) }
        if let axis { w.field("axis", axis) }
        if !self.references.isEmpty { w.field("references", value: .array(self.references.map { .string($0) })) }
        if let sent { w.field("sent", sent) }
        w.field("content_type", self.contentType)
        if let status { w.field("status", status.word) }
        if let messageType { w.field("msg_type", messageType.word) }
        if let expires { w.field("expires", expires) }
        if !self.areas.isEmpty { w.field("areas", value: .array(self.areas.map { .string($0) })) }
        for (key, value) in self.extensions {
            w.comma()
            JSONWriter.writeString(key, into: &w.out)
            w.out.append(UInt8(ascii: ":"))
            JSONWriter.write(value, into: &w.out)
        }
        if let tenant { w.field("tenant", tenant) }
        if let sender { w.field("sender", sender) }
        if let received {
            w.key("received")
            w.out.append(UInt8(ascii: "\""))
            received.write(into: &w.out)
            w.out.append(UInt8(ascii: "\""))
        }
        return w.out
    }

    /// The whole frame: `prefix` (this header's ``encodedUpToDelivery``, or that of a header
    /// equal to it but for tier, seq, reason and origin) followed by this header's own tier,
    /// seq, reason and origin.
    package func encoded(continuing prefix: [UInt8]) -> [UInt8] {
        var w = HeaderBytes(out: prefix)
        w.out.reserveCapacity(prefix.count + 64 + (self.reason?.utf8.count ?? 0))
        if let tier { w.field("tier", tier.word) }
        if let seq { w.field("seq", int: Int64(seq)) }
        if let reason { w.field("reason", reason) }
        if let origin { w.field("origin", origin) }
        w.out.append(UInt8(ascii: "}"))
        return w.out
    }

    /// Writes an object's fields one after another. Field names are constants that need no
    /// escape, so they are copied as they are.
    private struct HeaderBytes {
        var out: [UInt8] = [UInt8(ascii: "{")]

        mutating func comma() {
            if self.out.count > 1 { self.out.append(UInt8(ascii: ",")) }
        }

        mutating func key(_ name: StaticString) {
            self.comma()
            self.out.append(UInt8(ascii: "\""))
            name.withUTF8Buffer { self.out.append(contentsOf: $0) }
            // Two appends, not an array literal: a literal would be allocated for every field.
            self.out.append(UInt8(ascii: "\""))
            self.out.append(UInt8(ascii: ":"))
        }

        mutating func field(_ name: StaticString, _ text: String) {
            self.key(name)
            JSONWriter.writeString(text, into: &self.out)
        }

        mutating func field(_ name: StaticString, int: Int64) {
            self.key(name)
            JSONWriter.writeInteger(int, into: &self.out)
        }

        mutating func field(_ name: StaticString, value: JSONValue) {
            self.key(name)
            JSONWriter.write(value, into: &self.out)
        }
    }

    package static func == (lhs: ItemHeader, rhs: ItemHeader) -> Bool {
        lhs.jsonObject == rhs.jsonObject
    }
}
