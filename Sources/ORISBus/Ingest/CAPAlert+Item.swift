// SPDX-License-Identifier: Apache-2.0

extension CAPAlert {
    /// The item this alert becomes (docs/IMPORT.md, "CAP alerts").
    ///
    /// - Parameters:
    ///   - mapping: gives the theme from the categories, event codes and events of every info.
    ///   - body: the original document, published as the body (the whole file, envelope and
    ///     signature included, in its own encoding).
    ///   - source: the file name, for the report.
    /// - Throws: ``IngestError`` when no theme rule matches and the mapping has no default.
    package func item(mapping: ImportMapping, body: [UInt8], source: String) throws(IngestError) -> ImportItem {
        let infos = self.infos
        let events = infos.compactMap(\.event)
        guard let theme = mapping.theme(categories: infos.flatMap(\.categories),
                                        eventCodes: infos.flatMap(\.eventCodes), events: events) else {
            throw IngestError("no theme rule matches and the mapping has no default_theme")
        }
        let lead = self.leadingInfo
        let title = lead?.headline ?? lead?.event
            ?? "CAP \(self.messageType.word) \(self.status.word) from \(self.sender)"

        var h = JSONObject()
        h["id"] = .string(self.itemID)
        h["kind"] = .string(Kind.alert.word)
        h["theme"] = .string(theme)
        h["title"] = .string(ImportText.title(title))
        if let lead {
            h["severity"] = .string(lead.severity.word)
            h["urgency"] = .string(lead.urgency.word)
            h["certainty"] = .string(lead.certainty.word)
        }
        let tags = infos.flatMap(\.categories).map { "cap:\($0)" } + infos.map { "lang:\($0.language)" }
        let distinctTags = ImportText.distinct(tags.map { ImportText.prefix($0, bytes: 64) }, limit: 32)
        if !distinctTags.isEmpty { h["tags"] = .array(distinctTags.map { .string($0) }) }
        // At most 32 references: the most recent ones, which CAP lists last.
        let references = self.referencedItemIDs.suffix(32)
        if !references.isEmpty { h["references"] = .array(references.map { .string($0) }) }
        h["sent"] = .string(self.sent)
        h["content_type"] = .string("application/cap+xml")
        h["status"] = .string(self.status.word)
        h["msg_type"] = .string(self.messageType.word)
        // The item holds while any of its info blocks does: the latest expiry.
        let expiries = infos.compactMap(\.expires).compactMap { text in Timestamp(rfc3339: text).map { (text, $0) } }
        if let latest = expiries.max(by: { $0.1 < $1.1 }) { h["expires"] = .string(latest.0) }
        let areas = ImportText.distinct(infos.flatMap(\.areas).map { ImportText.prefix($0, bytes: 256) }, limit: 64)
        if !areas.isEmpty { h["areas"] = .array(areas.map { .string($0) }) }
        h["x-cap"] = .object(JSONObject([
            ("version", .string(self.version)), ("identifier", .string(self.identifier)),
            ("sender", .string(self.sender)), ("languages", .array(infos.map { .string($0.language) })),
        ]))
        return ImportItem(header: h, body: body, source: source)
    }
}
