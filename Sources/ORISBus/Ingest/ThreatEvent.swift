// SPDX-License-Identifier: Apache-2.0

/// A MISP event or a STIX 2.1 bundle, read for the header of the item it becomes.
///
/// TLP comes from the source's own markings (docs/IMPORT.md, "MISP and STIX"): MISP `tlp:` tags
/// on the event; STIX marking definitions referenced by the bundle's objects. When several
/// apply, the most restrictive wins; an unmarked source is `amber`, the bus's own default.
/// Severity follows MISP's threat level or STIX's confidence by this table:
///
/// | MISP threat_level_id | STIX confidence | severity | kind |
/// |---|---|---|---|
/// | 1 High | 85–100 | Severe | alert |
/// | 2 Medium | 50–84 | Moderate | signal |
/// | 3 Low | 1–49 | Minor | signal |
/// | 4 Undefined, absent | 0, absent | Unknown | signal |
package enum ThreatEvent {
    /// The TLP a `tlp:` tag or a `TLP:` marking name says (TLP 1.0 `white` is 2.0 `clear`).
    package static func tlp(label text: String) -> TLP? {
        let word = ASCII.lowercased(text.trimmingWhitespace())
        guard word.hasPrefix("tlp:") else { return nil }
        let label = String(word.dropFirst(4)).replacingWhite()
        return label == "white" ? .clear : TLP(word: label)
    }

    /// The STIX 2.1 predefined TLP 1.0 marking definitions, by id.
    package static let stixTLP: [String: TLP] = [
        "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": .clear,
        "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": .green,
        "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": .amber,
        "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": .red,
    ]

    /// The most restrictive of several labels (red first), or amber when there is none.
    package static func strictest(_ labels: [TLP]) -> TLP {
        labels.min { Self.rank($0) < Self.rank($1) } ?? .amber
    }

    private static func rank(_ tlp: TLP) -> Int {
        TLP.allCases.firstIndex(of: tlp) ?? 0
    }

    // MARK: - MISP

    /// The item a MISP event (JSON, `{"Event": {…}}` or the event object itself) becomes.
    ///
    /// - Throws: ``IngestError`` when it is not a MISP event or no theme applies.
    package static func misp(_ bytes: [UInt8], mapping: ImportMapping, source: String)
    throws(IngestError) -> ImportItem {
        let root = try Self.object(bytes)
        let event = root["Event"]?.objectValue ?? root
        guard let uuid = event["uuid"]?.stringValue, let info = event["info"]?.stringValue else {
            throw IngestError("not a MISP event: no Event.uuid and Event.info")
        }
        let tagNames = (event["Tag"]?.arrayValue ?? []).compactMap { $0.objectValue?["name"]?.stringValue }
        let tlp = Self.strictest(tagNames.compactMap(Self.tlp(label:)))
        let level = event["threat_level_id"].flatMap { $0.intValue ?? $0.stringValue.flatMap { Int64($0) } } ?? 4
        let severity: Severity = [1: .severe, 2: .moderate, 3: .minor][level] ?? .unknown
        let date = event["date"]?.stringValue.map { $0 + "T00:00:00Z" }
            .flatMap { Timestamp(rfc3339: $0) != nil ? $0 : nil }
        guard let theme = mapping.theme(events: [info], tags: tagNames) else {
            throw IngestError("no theme rule matches and the mapping has no default_theme")
        }
        var h = Self.header(id: StableID.make(["misp", uuid], time: date.flatMap(Timestamp.init)), theme: theme,
                            title: info, severity: severity, tlp: tlp, sent: date)
        let tags = ImportText.distinct(tagNames.filter { Self.tlp(label: $0) == nil }
                                        .map { ImportText.prefix($0, bytes: 64) }, limit: 32)
        if !tags.isEmpty { h["tags"] = .array(tags.map { .string($0) }) }
        h["x-misp"] = .object(JSONObject([("uuid", .string(uuid)), ("threat_level_id", .int(level))]))
        return ImportItem(header: h, body: bytes, source: source)
    }

    // MARK: - STIX

    /// The item a STIX 2.1 bundle becomes: titled by its report (else its first named object).
    ///
    /// - Throws: ``IngestError`` when it is not a STIX bundle or no theme applies.
    package static func stix(_ bytes: [UInt8], mapping: ImportMapping, source: String)
    throws(IngestError) -> ImportItem {
        let root = try Self.object(bytes)
        guard root["type"]?.stringValue == "bundle", let bundleID = root["id"]?.stringValue,
              let objects = root["objects"]?.arrayValue?.compactMap(\.objectValue) else {
            throw IngestError("not a STIX bundle: no type \"bundle\", id and objects")
        }
        var definitions: [String: TLP] = Self.stixTLP
        for object in objects where object["type"]?.stringValue == "marking-definition" {
            if let id = object["id"]?.stringValue, let label = Self.markingLabel(object) { definitions[id] = label }
        }
        let referenced = objects.flatMap { ($0["object_marking_refs"]?.arrayValue ?? []).compactMap(\.stringValue) }
        let tlp = Self.strictest(referenced.compactMap { definitions[$0] })
        let report = objects.first { $0["type"]?.stringValue == "report" }
        let named = report ?? objects.first { $0["name"]?.stringValue != nil }
        let title = named?["name"]?.stringValue ?? "STIX bundle \(bundleID)"
        let confidence = (report?["confidence"]?.intValue) ?? objects.compactMap { $0["confidence"]?.intValue }.max()
        let severity: Severity
        switch confidence ?? 0 {
        case 85...: severity = .severe
        case 50..<85: severity = .moderate
        case 1..<50: severity = .minor
        default: severity = .unknown
        }
        let labels = (report?["labels"]?.arrayValue ?? []).compactMap(\.stringValue)
            + (report?["report_types"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard let theme = mapping.theme(events: [title], tags: labels) else {
            throw IngestError("no theme rule matches and the mapping has no default_theme")
        }
        let published = (report?["published"] ?? report?["created"])?.stringValue
        let sent = published.flatMap { Timestamp(rfc3339: $0) != nil ? $0 : nil }
        var h = Self.header(id: StableID.make(["stix", bundleID], time: sent.flatMap(Timestamp.init)), theme: theme,
                            title: title, severity: severity, tlp: tlp, sent: sent)
        let tags = ImportText.distinct(labels.map { ImportText.prefix($0, bytes: 64) }, limit: 32)
        if !tags.isEmpty { h["tags"] = .array(tags.map { .string($0) }) }
        h["x-stix"] = .object(JSONObject([("bundle", .string(bundleID)), ("objects", .int(Int64(objects.count)))]))
        return ImportItem(header: h, body: bytes, source: source)
    }

    /// The TLP a marking definition states: `definition_type` tlp (STIX 2.0/2.1), a TLP 2.0
    /// extension's `tlp_2_0`, or a name `TLP:…`.
    private static func markingLabel(_ object: JSONObject) -> TLP? {
        if object["definition_type"]?.stringValue == "tlp",
           let word = object["definition"]?.objectValue?["tlp"]?.stringValue {
            return Self.tlp(label: "tlp:" + word)
        }
        for (_, extensionValue) in object["extensions"]?.objectValue?.pairs ?? [] {
            if let word = extensionValue.objectValue?["tlp_2_0"]?.stringValue { return Self.tlp(label: "tlp:" + word) }
        }
        return object["name"]?.stringValue.flatMap(Self.tlp(label:))
    }

    private static func header(id: String, theme: String, title: String, severity: Severity, tlp: TLP,
                               sent: String?) -> JSONObject {
        var h = JSONObject()
        h["id"] = .string(id)
        h["kind"] = .string(severity >= .severe ? Kind.alert.word : Kind.signal.word)
        h["theme"] = .string(theme)
        h["title"] = .string(ImportText.title(title))
        h["severity"] = .string(severity.word)
        h["tlp"] = .string(tlp.word)
        if let sent { h["sent"] = .string(sent) }
        h["content_type"] = .string("application/json")
        return h
    }

    private static func object(_ bytes: [UInt8]) throws(IngestError) -> JSONObject {
        do {
            guard case .object(let object) = try JSONParser.parse(bytes) else { throw IngestError("not a JSON object") }
            return object
        } catch let error as IngestError {
            throw error
        } catch {
            throw IngestError("not JSON: \(error)")
        }
    }
}

extension String {
    /// `amber strict` and `amber+strict` alike: spaces turned into `+`.
    fileprivate func replacingWhite() -> String {
        String(self.map { $0 == " " ? "+" : $0 })
    }
}
