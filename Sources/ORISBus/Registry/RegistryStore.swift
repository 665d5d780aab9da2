// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// Keeps the registry on disk (`registry.json` in the state folder) and records every change
/// in the audit trail (`audit.jsonl`).
///
/// At start the configuration is compared with the registry the daemon last ran with; each
/// tenant, theme or member added, changed or removed becomes an audit entry whose actor is the
/// configuration file, and the new registry replaces the old one through ``AtomicFile``, so a
/// crash leaves one or the other.
package final class RegistryStore {
    package let audit: AuditLog
    private let path: String

    /// Opens the store in `stateDirectory`.
    package init(stateDirectory: String) throws(JournalError) {
        self.path = stateDirectory + "/registry.json"
        self.audit = try AuditLog(path: stateDirectory + "/audit.jsonl")
    }

    /// Records the registry, auditing what changed since the last record.
    ///
    /// - Parameters:
    ///   - registry: the registry now.
    ///   - actor: who made the changes: `config:<file>` at start, a member for a control command.
    ///   - memberActors: for members whose change has another origin, that actor (at start, the
    ///     changes read from `enrolment.json` that a crash kept out of the registry file).
    /// - Returns: how many changes were recorded.
    @discardableResult
    package func record(
        _ registry: Registry,
        actor: String,
        memberActors: [String: String] = [:],
        now: Timestamp = .now()
    ) throws(JournalError) -> Int {
        let current = Self.snapshot(registry)
        let previous = FileBytes.read(path: self.path).flatMap { (try? JSONParser.parse($0))?.objectValue }
            ?? JSONObject()
        var changes: [AuditLog.Change] = []
        func compare(_ kind: String, tenant: String, old: JSONObject, new: JSONObject) {
            let general = actor
            func actorOf(_ key: String) -> String { kind == "member" ? memberActors[key] ?? general : general }
            for key in new.keys {
                if old[key] == nil {
                    changes.append((actorOf(key), "\(kind).add", tenant, key, new[key]!))
                } else if old[key] != new[key] {
                    changes.append((actorOf(key), "\(kind).change", tenant, key, new[key]!))
                }
            }
            for key in old.keys where new[key] == nil {
                changes.append((actorOf(key), "\(kind).remove", tenant, key, old[key]!))
            }
        }
        for tenant in Set(current.keys).union(previous.keys).sorted() {
            let old = previous[tenant]?.objectValue
            let new = current[tenant]?.objectValue
            switch (old, new) {
            case (nil, let new?):
                changes.append((actor, "tenant.add", tenant, tenant, new["name"] ?? .null))
                compare("theme", tenant: tenant, old: JSONObject(), new: new["themes"]?.objectValue ?? JSONObject())
                compare("member", tenant: tenant, old: JSONObject(), new: new["members"]?.objectValue ?? JSONObject())
            case (let old?, nil):
                changes.append((actor, "tenant.remove", tenant, tenant, old["name"] ?? .null))
            case (let old?, let new?):
                if old["name"] != new["name"] {
                    changes.append((actor, "tenant.change", tenant, tenant, new["name"] ?? .null))
                }
                compare("theme", tenant: tenant, old: old["themes"]?.objectValue ?? JSONObject(),
                        new: new["themes"]?.objectValue ?? JSONObject())
                compare("member", tenant: tenant, old: old["members"]?.objectValue ?? JSONObject(),
                        new: new["members"]?.objectValue ?? JSONObject())
            case (nil, nil):
                break
            }
        }
        guard !changes.isEmpty else { return 0 }
        try self.audit.append(changes, at: now)
        try self.write(current)
        return changes.count
    }

    private func write(_ snapshot: JSONObject) throws(JournalError) {
        try AtomicFile.replace(self.path, with: JSONWriter.encode(.object(snapshot)))
    }

    /// The registry as JSON: tenant → name, themes by id, members by id.
    static func snapshot(_ registry: Registry) -> JSONObject {
        var out = JSONObject()
        for tenant in registry.tenantIDs {
            var themes = JSONObject()
            for theme in registry.themes(of: tenant) {
                // Rules and dashboard: a change of either is audited.
                var o = theme.jsonObject
                o["id"] = nil
                themes[theme.id] = .object(o)
            }
            var members = JSONObject()
            for member in registry.members(of: tenant) {
                var m = member.jsonObject
                m["id"] = nil
                m["tenant"] = nil
                members[member.id] = .object(m)
            }
            out[tenant] = .object(JSONObject([
                ("name", .string(registry.tenant(tenant)?.name ?? tenant)), ("themes", .object(themes)),
                ("members", .object(members)),
            ]))
        }
        return out
    }
}
