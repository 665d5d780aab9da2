// SPDX-License-Identifier: Apache-2.0

extension Bus {
    /// Why `member` does or does not receive `topic`: each rule that decides it, in order.
    package func explain(member: Member, topic text: String) -> (receives: Bool, reasons: [String]) {
        guard let topic = Topic(text) else {
            return (false, ["'\(text)' is not a topic (tenant/theme/tier/kind, or tenant/theme/axis/AXIS/kind)"])
        }
        var reasons = [String]()
        if member.stratum == .operator {
            return (true, ["an operator reads every topic of every tenant"])
        }
        guard topic.tenant == member.tenant else {
            return (false, ["the topic is tenant '\(topic.tenant)''s; member '\(member.id)' is of tenant "
                            + "'\(member.tenant)', and tenants never read each other"])
        }
        reasons.append("same tenant '\(member.tenant)'")
        guard self.registry.theme(topic.theme, tenant: topic.tenant) != nil else {
            return (false, reasons + ["tenant '\(topic.tenant)' has no theme '\(topic.theme)'"])
        }
        guard member.worksOn(topic.theme) else {
            return (false, reasons + ["member '\(member.id)' does not work on theme '\(topic.theme)' (its themes: "
                                      + member.themes.joined(separator: ", ") + ")"])
        }
        reasons.append(member.themes.isEmpty ? "works on every theme of its tenant"
                       : "works on theme '\(topic.theme)'")
        if let axis = topic.axis {
            guard let why = self.registry.collection(of: member, theme: topic.theme, axis: axis) else {
                let exists = self.registry.theme(topic.theme, tenant: topic.tenant)?.dashboard.axis(axis) != nil
                return (false, reasons + [exists ? "member '\(member.id)' is not a collector of axis '\(axis)' "
                                          + "(only its collectors, capteurs, read its topics)"
                                          : "theme '\(topic.theme)' has no axis '\(axis)'"])
            }
            return (true, reasons + [why, Self.whatReaches(.axis)])
        }
        let tiers = ReadPolicy.tiers(of: member.stratum) ?? []
        guard tiers.contains(topic.tier) else {
            let axes = member.stratum == .capteur ? " (and the axes it collects for)" : ""
            let list = tiers.map(\.word).joined(separator: ", ")
            return (false, reasons + ["a \(member.stratum.word) member reads the tiers \(list)\(axes), "
                                      + "not '\(topic.tier.word)'"])
        }
        reasons.append("a \(member.stratum.word) member reads tier '\(topic.tier.word)'")
        reasons.append(Self.whatReaches(topic.tier))
        return (true, reasons)
    }

    /// What the routing rules put on a tier, in one sentence.
    static func whatReaches(_ tier: Tier) -> String {
        switch tier {
        case .capteur: return "this tier gets the theme's decisions"
        case .axis: return "this tier gets the axis's taskings and the reminders of its deadline"
        case .gip: return "this tier gets the theme's signals, alerts, decisions and taskings (TLP red included), "
            + "corroboration alerts and back-planning reminders"
        case .crps: return "this tier gets diagnostics, alerts at or above the theme's thresholds, explicit "
            + "escalations and corroboration alerts, never TLP red"
        case .national: return "this tier gets what a trans-regional theme offers nationally: TLP green or clear "
            + "(amber where the theme allows) at or above its national severity"
        case .test: return "this tier gets items of status Test, Exercise, System or Draft"
        case .archive: return "this tier gets items already expired when they arrived (never sent live)"
        }
    }

    /// Where an item went and why: each delivery with its tier, sequence and reason, then the
    /// items that name it in `references` (escalations, corroboration alerts, updates), looked
    /// for among the next `scanLimit` records of its tenant's journal.
    ///
    /// - Returns: nil when the item is not in the tenant's id window.
    package func trace(id: String, tenant: String, scanLimit: Int = 10_000) throws(JournalError) -> JSONObject? {
        guard let store = self.stores[tenant], let ack = self.ack(for: id, tenant: tenant) else { return nil }
        var deliveries = [JSONValue]()
        var position = ack.position
        for delivery in ack.deliveries {
            var entry = JSONObject([("topic", .string(delivery.topic)), ("tier", .string(delivery.tier.word)),
                                    ("seq", .int(Int64(delivery.seq)))])
            if let journal = store.journal,
               let record = try journal.read(prefix: delivery.topic, fromSeq: delivery.seq, toSeq: delivery.seq,
                                             limit: 1).records.first {
                position = min(position, record.position)
                let header = (try? JSONParser.parse(record.header))?.objectValue
                entry["reason"] = header?["reason"] ?? .null
            }
            deliveries.append(.object(entry))
        }
        var followers = [JSONValue]()
        if let journal = store.journal {
            let needle = Array("\"\(id)\"".utf8)
            let page = try journal.read(prefix: tenant + "/", fromPosition: position + 1, limit: scanLimit)
            var seen = Set<String>()
            for record in page.records where record.id != id && Self.contains(record.header, needle) {
                guard case .object(let header)? = try? JSONParser.parse(record.header),
                      header["references"]?.arrayValue?.contains(.string(id)) == true
                else { continue }
                let key = record.id + " " + record.topic
                guard seen.insert(key).inserted else { continue }
                followers.append(.object(JSONObject([
                    ("id", .string(record.id)), ("topic", .string(record.topic)), ("sender", .string(record.sender)),
                    ("reason", header["reason"] ?? .null),
                ])))
            }
        }
        return JSONObject([
            ("id", .string(id)), ("sender", .string(ack.sender)), ("received", .string(ack.received.description)),
            ("deliveries", .array(deliveries)), ("referenced_by", .array(followers)),
        ])
    }

    private static func contains(_ bytes: [UInt8], _ needle: [UInt8]) -> Bool {
        guard needle.count <= bytes.count else { return false }
        var i = 0
        while i + needle.count <= bytes.count {
            if bytes[i] == needle[0] && Array(bytes[i..<(i + needle.count)]) == needle { return true }
            i += 1
        }
        return false
    }
}
