// SPDX-License-Identifier: Apache-2.0

extension Bus {
    /// A GIP member's explicit escalation: the item `id`, delivered on its theme's GIP tier, is
    /// delivered to the CRPS too, as a new item `<id>~crps` that references it, sent by the
    /// escalating member, with the original's header and body and the member's note in `reason`.
    ///
    /// Escalating the same item again (by anyone) is answered with the first escalation's ACK,
    /// marked as a duplicate. The TLP label is the original's: a `red` item cannot be escalated.
    ///
    /// - Throws: ``Rejection``: `forbidden` (not a GIP member of the theme, or TLP red),
    ///   `not-found` (no such recent item on the GIP tier), `conflict` (it already reached the
    ///   CRPS), `bad-request`.
    package func escalate(member: Member, id: String, note: String, now: Timestamp = .now()) throws(Rejection)
    -> Accepted {
        guard member.stratum == .gip || member.stratum == .operator else {
            throw Rejection(.forbidden, "only a GIP member escalates items to the CRPS")
        }
        guard !note.isEmpty, note.utf8.count <= 1000, !note.utf8.contains(0) else {
            throw Rejection(.badRequest, "'note' must say why, in 1 to 1000 bytes")
        }
        guard !id.contains("~") else {
            throw Rejection(.forbidden, "'\(id)' is an item the daemon made (an escalation or a reminder): "
                            + "it is not escalated")
        }
        let tenant = member.tenant
        guard let store = self.stores[tenant], let journal = store.journal,
              let original = self.ack(for: id, tenant: tenant),
              let atGIP = original.deliveries.first(where: { $0.tier == .gip }),
              let topic = Topic(atGIP.topic)
        else {
            throw Rejection(.notFound, "no recent item '\(id)' on a GIP tier of tenant '\(tenant)'")
        }
        guard member.worksOn(topic.theme), self.registry.theme(topic.theme, tenant: tenant) != nil else {
            throw Rejection(.forbidden, "member '\(member.id)' does not work on theme '\(topic.theme)'")
        }
        let escalationID = id + "~crps"
        if let first = self.ack(for: escalationID, tenant: tenant) {
            return Accepted(duplicateOf: first, tenant: tenant)
        }
        guard !original.deliveries.contains(where: { $0.tier == .crps }) else {
            throw Rejection(.conflict, "item '\(id)' already reached the CRPS")
        }
        let found: JournalRecord?
        do {
            found = try journal.read(prefix: atGIP.topic, fromSeq: atGIP.seq, toSeq: atGIP.seq, limit: 1).records.first
        } catch {
            throw Rejection(.internal, "the journal could not be read: \(error)")
        }
        guard let record = found else {
            throw Rejection(.notFound, "item '\(id)' is no longer in the journal (retention)")
        }
        var unlimited = ItemLimits()
        unlimited.maximumHeaderBytes = Int.max
        unlimited.maximumTitleLength = Int.max
        var header = try HeaderReader(limits: unlimited).read(record.header) { id }
        if let text = header.expires, let expires = Timestamp(rfc3339: text), expires.milliseconds <= now.milliseconds {
            throw Rejection(.forbidden, "item '\(id)' expired at \(text): it is not escalated")
        }
        guard header.tlp != .red else {
            throw Rejection(.forbidden, "item '\(id)' is TLP red: it stays on the tier it was published for")
        }
        header.id = escalationID
        header.references = [id]
        header.tenant = tenant
        header.sender = member.id
        header.received = now
        header.origin = tenant
        // Not red (refused above), so the CRPS tier is allowed: TLP only restricts red and national.
        let route = [Delivery(tier: .crps, reason: "escalated by \(member.id): \(note)")]
        return try self.store(header, routes: route, body: record.body, sender: member.id, tenant: tenant,
                              quota: nil, claimed: nil, now: now)
    }
}
