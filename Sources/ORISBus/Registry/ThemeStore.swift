// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// The themes created or changed at run time (`orisctl theme create`, `update`, `axis`,
/// `collector`), kept in `themes.json` in the state folder so that they outlive a restart.
///
/// Each entry is a whole theme, rules and dashboard: at start it replaces the configuration's
/// theme of the same id in its tenant, or adds it. A change made at run time takes precedence
/// over the configuration file, as member changes do (``Enrolment``).
package struct ThemeStore: Sendable, Equatable {
    /// Themes by `<tenant>/<theme>`.
    package private(set) var themes: [String: Entry] = [:]

    /// A theme and its tenant.
    package struct Entry: Sendable, Equatable {
        package var tenant: String
        package var theme: ThemeConfiguration
    }

    package init() {}

    /// Records a theme, replacing an earlier record of the same tenant and id.
    package mutating func put(_ theme: ThemeConfiguration, tenant: String) {
        self.themes["\(tenant)/\(theme.id)"] = Entry(tenant: tenant, theme: theme)
    }

    /// Applies the recorded themes to a registry built from the configuration.
    ///
    /// - Returns: one sentence per theme left out (its tenant is gone).
    package func apply(to registry: inout Registry) -> [String] {
        var problems = [String]()
        for key in self.themes.keys.sorted() {
            guard let entry = self.themes[key] else { continue }
            guard registry.tenant(entry.tenant) != nil else {
                problems.append("theme '\(entry.theme.id)' changed at run time is left out: there is no tenant "
                                + "'\(entry.tenant)' any more")
                continue
            }
            registry.upsert(entry.theme, tenant: entry.tenant)
        }
        return problems
    }

    /// The themes of this store that differ from the registry's (the configuration's) version,
    /// as (tenant, theme): the configuration file's edits to them are not used.
    package func overriding(_ registry: Registry) -> [(String, String)] {
        self.themes.keys.sorted().compactMap { key in
            guard let entry = self.themes[key], let configured = registry.theme(entry.theme.id, tenant: entry.tenant),
                  configured != entry.theme
            else { return nil }
            return (entry.tenant, entry.theme.id)
        }
    }

    // MARK: - The file

    /// Reads `path`; a missing file holds no theme.
    ///
    /// - Throws: ``JournalError/damaged(path:problem:)`` naming the entry and the field.
    package static func load(path: String) throws(JournalError) -> ThemeStore {
        guard let bytes = FileBytes.read(path: path) else {
            guard errno == ENOENT else { throw .io(call: "open", path: path, errno: errno) }
            return ThemeStore()
        }
        guard case .object(let o)? = try? JSONParser.parse(bytes), let entries = o["themes"]?.arrayValue else {
            throw .damaged(path: path, problem: "not a themes file (an object with 'themes')")
        }
        var out = ThemeStore()
        for (n, value) in entries.enumerated() {
            guard let tenant = value.objectValue?["tenant"]?.stringValue else {
                throw .damaged(path: path, problem: "themes[\(n)] has no 'tenant'")
            }
            do throws(ConfigurationError) {
                // Every rule is written out, so the base does not matter.
                let theme = try ConfigurationLoader.readTheme(value, base: ThemeConfiguration(id: "-", title: ""),
                                                              source: path, path: "themes[\(n)]",
                                                              allowing: ["tenant"])
                guard out.themes["\(tenant)/\(theme.id)"] == nil else {
                    throw ConfigurationError(file: path, field: "themes[\(n)].id",
                                             problem: "theme '\(theme.id)' of tenant '\(tenant)' is listed twice")
                }
                out.put(theme, tenant: tenant)
            } catch {
                throw .damaged(path: path, problem: error.description)
            }
        }
        return out
    }

    /// Replaces the file with these themes, atomically.
    package func save(path: String) throws(JournalError) {
        let entries = self.themes.keys.sorted().compactMap { key -> JSONValue? in
            guard let entry = self.themes[key] else { return nil }
            var o = JSONObject([("tenant", .string(entry.tenant))])
            let theme = entry.theme.jsonObject
            for field in theme.keys {
                o[field] = theme[field]
            }
            return .object(o)
        }
        let file = JSONObject([("themes", .array(entries))])
        try AtomicFile.replace(path, with: JSONWriter.encode(.object(file)) + [0x0A])
    }
}
