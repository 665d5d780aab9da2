// SPDX-License-Identifier: Apache-2.0

/// Which theme (and, for tables, which tenant and member) an imported item goes to.
///
/// A JSON file (docs/IMPORT.md gives every field):
///
/// ```json
/// {"default_theme": "veille",
///  "themes": [{"cap_category": "Met", "theme": "meteo"}, {"sector_prefix": "29", "theme": "auto-rang3"}],
///  "csv": {"region": "region_code", "sector": "code_ape_naf", "title": "{libelle_naf}",
///          "date": "date_publication", "kind": "signal"},
///  "regions": {"27": {"tenant": "bfc", "member": "cci-bfc"}}}
/// ```
///
/// Theme rules are tried in order; the first that matches wins, and what matches none goes to
/// `default_theme`.
package struct ImportMapping: Sendable, Equatable {
    /// One theme rule: a test on the source and the theme it gives.
    package struct Rule: Sendable, Equatable {
        package enum Test: Sendable, Equatable {
            /// A CAP `category` (Met, Geo, Safety, …), compared without regard to case.
            case capCategory(String)
            /// A CAP `eventCode` written `valueName=value`, exactly.
            case eventCode(String)
            /// A CAP `event` or a feed entry's title containing this text, without regard to case.
            case eventContains(String)
            /// A sector code (a NAF code in a table) starting with this prefix.
            case sectorPrefix(String)
            /// A source tag (MISP tag name, STIX label), exactly.
            case tag(String)
        }

        package var test: Test
        package var theme: String
    }

    /// Who publishes the rows of one region of a table.
    package struct Publisher: Sendable, Equatable {
        package var tenant: String
        package var member: String
        /// Under security `curve`: the member's secret certificate.
        package var key: String?
    }

    /// Which columns of a table give what.
    package struct Columns: Sendable, Equatable {
        package var region: String
        package var sector: String?
        /// A column name, or a template with `{column}` placeholders.
        package var title: String
        package var date: String?
        /// A column holding `signal` or `alert`; when absent, every row is `defaultKind`.
        package var kind: String?
        package var defaultKind: Kind = .signal
        /// Optional column giving each row's own id; otherwise the row's content makes it.
        package var id: String?
    }

    package var defaultTheme: String?
    package var rules: [Rule] = []
    package var columns: Columns?
    /// Region value → publisher.
    package var regions: [String: Publisher] = [:]

    package init(defaultTheme: String? = nil) {
        self.defaultTheme = defaultTheme
    }

    /// The theme for the given facts about a source, or nil when no rule matches and there is
    /// no default.
    package func theme(
        categories: [String] = [],
        eventCodes: [String] = [],
        events: [String] = [],
        sector: String? = nil,
        tags: [String] = []
    ) -> String? {
        for rule in self.rules {
            switch rule.test {
            case .capCategory(let wanted):
                let folded = ASCII.lowercased(wanted)
                if categories.contains(where: { ASCII.lowercased($0) == folded }) { return rule.theme }
            case .eventCode(let wanted):
                if eventCodes.contains(wanted) { return rule.theme }
            case .eventContains(let wanted):
                let needle = wanted.lowercased()
                if events.contains(where: { $0.lowercased().contains(needle) }) { return rule.theme }
            case .sectorPrefix(let prefix):
                if let sector, sector.hasPrefix(prefix) { return rule.theme }
            case .tag(let wanted):
                if tags.contains(wanted) { return rule.theme }
            }
        }
        return self.defaultTheme
    }

    // MARK: - Reading the file

    /// Reads a mapping file's JSON.
    ///
    /// - Throws: ``IngestError`` naming the field that is wrong.
    package static func read(_ bytes: [UInt8]) throws(IngestError) -> ImportMapping {
        let value: JSONValue
        do {
            value = try JSONParser.parse(bytes)
        } catch {
            throw IngestError("not JSON: \(error)")
        }
        guard case .object(let object) = value else { throw IngestError("not a JSON object") }
        try Self.allow(object, ["default_theme", "themes", "csv", "regions"], in: "the mapping")
        var mapping = ImportMapping()
        if let theme = object["default_theme"] {
            mapping.defaultTheme = try Self.name(theme, "default_theme")
        }
        for (n, item) in (object["themes"]?.arrayValue ?? []).enumerated() {
            mapping.rules.append(try Self.rule(item, at: n))
        }
        if let csv = object["csv"] {
            mapping.columns = try Self.columns(csv)
        }
        for (region, item) in object["regions"]?.objectValue?.pairs ?? [] {
            guard let entry = item.objectValue else { throw IngestError("regions.\(region) is not an object") }
            try Self.allow(entry, ["tenant", "member", "key"], in: "regions.\(region)")
            guard let tenant = entry["tenant"], let member = entry["member"] else {
                throw IngestError("regions.\(region) needs a tenant and a member")
            }
            mapping.regions[region] = Publisher(tenant: try Self.name(tenant, "regions.\(region).tenant"),
                                                member: try Self.name(member, "regions.\(region).member"),
                                                key: entry["key"]?.stringValue)
        }
        return mapping
    }

    private static let ruleTests = ["cap_category", "event_code", "event_contains", "sector_prefix", "tag"]

    private static func rule(_ value: JSONValue, at n: Int) throws(IngestError) -> Rule {
        guard let object = value.objectValue else { throw IngestError("themes[\(n)] is not an object") }
        try Self.allow(object, Self.ruleTests + ["theme"], in: "themes[\(n)]")
        guard let theme = object["theme"] else { throw IngestError("themes[\(n)] has no theme") }
        let tests = Self.ruleTests.filter { object[$0] != nil }
        guard tests.count == 1, let word = object[tests[0]]?.stringValue, !word.isEmpty || tests[0] == "sector_prefix"
        else {
            throw IngestError("themes[\(n)] needs exactly one of \(Self.ruleTests.joined(separator: ", ")), a string")
        }
        let test: Rule.Test
        switch tests[0] {
        case "cap_category": test = .capCategory(word)
        case "event_code": test = .eventCode(word)
        case "event_contains": test = .eventContains(word)
        case "sector_prefix": test = .sectorPrefix(word)
        default: test = .tag(word)
        }
        return Rule(test: test, theme: try Self.name(theme, "themes[\(n)].theme"))
    }

    private static func columns(_ value: JSONValue) throws(IngestError) -> Columns {
        guard let object = value.objectValue else { throw IngestError("csv is not an object") }
        try Self.allow(object, ["region", "sector", "title", "date", "kind", "kind_column", "id"], in: "csv")
        func text(_ key: String) throws(IngestError) -> String? {
            guard let value = object[key] else { return nil }
            guard let text = value.stringValue, !text.isEmpty else { throw IngestError("csv.\(key) is not a string") }
            return text
        }
        guard let region = try text("region"), let title = try text("title") else {
            throw IngestError("csv needs at least region and title")
        }
        var columns = Columns(region: region, sector: try text("sector"), title: title, date: try text("date"),
                              kind: try text("kind_column"), id: try text("id"))
        if let kind = try text("kind") {
            guard let parsed = Kind(word: kind), parsed == .signal || parsed == .alert else {
                throw IngestError("csv.kind \"\(kind)\" is not signal or alert")
            }
            columns.defaultKind = parsed
        }
        return columns
    }

    private static func name(_ value: JSONValue, _ field: String) throws(IngestError) -> String {
        guard let text = value.stringValue, Identifier.isValid(text) else {
            throw IngestError("\(field) \(JSONWriter.string(value)) is not a name (lower-case letters, digits, -)")
        }
        return text
    }

    private static func allow(_ object: JSONObject, _ fields: [String], in place: String) throws(IngestError) {
        for key in object.keys where !fields.contains(key) {
            let hint = Suggestion.closest(to: key, among: fields).map { "; did you mean '\($0)'?" } ?? ""
            throw IngestError("unknown field '\(key)' in \(place)\(hint)")
        }
    }
}
