// SPDX-License-Identifier: Apache-2.0

extension CSVTable {
    /// What a table's rows became.
    package struct Mapped: Sendable {
        /// Rows of a mapped region, each with its region and the member that publishes it.
        package var items: [(region: String, item: ImportItem)] = []
        /// Rows whose region the mapping gives no tenant, counted by region value.
        package var unmappedRegions: [String: Int] = [:]
        /// Rows that could not become items (a missing column, no theme), with the reason.
        package var rejected: [(source: String, reason: String)] = []
    }

    /// Turns each row into an item with the mapping's `csv` columns and `regions` (docs/IMPORT.md,
    /// "Tables").
    ///
    /// - Parameter name: the file's name: part of each row's id, with the row's line and content,
    ///   so that importing the same file again stores nothing new.
    /// - Throws: ``IngestError`` when the mapping has no `csv` section or names a missing column.
    package func items(mapping: ImportMapping, name: String) throws(IngestError) -> Mapped {
        guard let columns = mapping.columns else { throw IngestError("the mapping has no csv section") }
        func index(_ column: String?) throws(IngestError) -> Int? {
            guard let column else { return nil }
            guard let found = self.column(column) else {
                let known = self.columns.joined(separator: ", ")
                throw IngestError("the table has no column '\(column)' (it has \(known))")
            }
            return found
        }
        let region = try index(columns.region)!
        let sector = try index(columns.sector)
        let date = try index(columns.date)
        let kind = try index(columns.kind)
        let idColumn = try index(columns.id)
        let template = columns.title.contains("{") ? columns.title : "{\(columns.title)}"
        for placeholder in Self.placeholders(template) { _ = try index(placeholder) }

        var out = Mapped()
        for (line, fields) in self.rows {
            let source = "\(name) line \(line)"
            func field(_ n: Int?) -> String? {
                guard let n, n < fields.count else { return nil }
                let value = fields[n].trimmingWhitespace()
                return value.isEmpty ? nil : value
            }
            guard let regionValue = field(region) else {
                out.rejected.append((source, "no value in column '\(columns.region)'"))
                continue
            }
            guard let publisher = mapping.regions[regionValue] else {
                out.unmappedRegions[regionValue, default: 0] += 1
                continue
            }
            let sectorValue = field(sector)
            guard let theme = mapping.theme(sector: sectorValue) else {
                out.rejected.append((source, "no theme rule matches sector '\(sectorValue ?? "")' and there is "
                                     + "no default_theme"))
                continue
            }
            var itemKind = columns.defaultKind
            if let word = field(kind) {
                guard let parsed = Kind(word: word), parsed == .signal || parsed == .alert else {
                    out.rejected.append((source, "kind '\(word)' is not signal or alert"))
                    continue
                }
                itemKind = parsed
            }
            var title = template
            for placeholder in Self.placeholders(template) {
                title = title.replacingAll("{\(placeholder)}", with: field(self.column(placeholder)) ?? "")
            }
            let sent = field(date).flatMap(Self.rfc3339)
            let identity = field(idColumn).map { [$0] } ?? [String(line)] + fields

            var h = JSONObject()
            h["id"] = .string(StableID.make(["csv", name] + identity, time: sent.flatMap(Timestamp.init)))
            h["kind"] = .string(itemKind.word)
            h["theme"] = .string(theme)
            h["title"] = .string(ImportText.title(title.trimmingWhitespace().isEmpty ? source : title))
            var tags = ["region:\(regionValue)"]
            if let sectorValue { tags.append("sector:\(sectorValue)") }
            h["tags"] = .array(tags.map { .string(ImportText.prefix($0, bytes: 64)) })
            if let sent { h["sent"] = .string(sent) }
            h["content_type"] = .string("application/json")
            h["x-row"] = .object(JSONObject([("file", .string(name)), ("line", .int(Int64(line)))]))
            let pairs = zip(self.columns, fields).map { ($0, JSONValue.string($1)) }
            out.items.append((regionValue, ImportItem(header: h, body: JSONWriter.encode(.object(JSONObject(pairs))),
                                                      source: source, publisher: publisher)))
        }
        return out
    }

    /// The `{column}` names of a title template.
    private static func placeholders(_ template: String) -> [String] {
        template.split(separator: "{", omittingEmptySubsequences: false).dropFirst().compactMap { part in
            part.firstIndex(of: "}").map { String(part[..<$0]) }
        }
    }

    /// A date (`2021-01-08`, midnight UTC) or RFC 3339 time as RFC 3339.
    private static func rfc3339(_ text: String) -> String? {
        if Timestamp(rfc3339: text) != nil { return text }
        let day = text + "T00:00:00Z"
        return Timestamp(rfc3339: day) != nil ? day : nil
    }
}

extension String {
    /// The string with every occurrence of `target` replaced.
    fileprivate func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty else { return self }
        var out = ""
        var rest = self[...]
        while let range = rest.range(of: target) {
            out += rest[..<range.lowerBound]
            out += replacement
            rest = rest[range.upperBound...]
        }
        return out + rest
    }
}
