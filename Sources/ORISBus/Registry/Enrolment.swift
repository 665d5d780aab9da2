// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

/// The members added and removed at run time (`orisctl member add` / `remove`), kept in
/// `enrolment.json` in the state folder so that they outlive a restart.
///
/// At start the registry is the configuration's, then every removal in this file, then every
/// addition: a change made at run time takes precedence over the configuration file until it
/// is undone at run time.
package struct Enrolment: Sendable, Equatable {
    /// Members added at run time, by id.
    package private(set) var added: [String: Member] = [:]
    /// Ids removed at run time (members of the configuration among them stay removed).
    package private(set) var removed: Set<String> = []
    /// Members whose entry, written by 0.3.0, still lists `axes`: passed over, since the axes a
    /// capteur collects for are now its themes' (the daemon warns at start).
    package private(set) var listedAxes: [String] = []

    package init() {}

    /// Records an addition (replacing an earlier removal of the same id).
    package mutating func add(_ member: Member) {
        self.added[member.id] = member
        self.removed.remove(member.id)
    }

    /// Records a removal.
    package mutating func remove(_ id: String) {
        self.added[id] = nil
        self.removed.insert(id)
    }

    /// Applies the recorded changes to a registry built from the configuration.
    ///
    /// - Returns: one sentence per recorded addition that no longer fits the registry (its
    ///   tenant or a theme is gone, its key is taken): those are left out.
    package func apply(to registry: inout Registry, security: SecurityMode) -> [String] {
        var problems = [String]()
        for id in self.removed.sorted() {
            registry.remove(id)
        }
        for id in self.added.keys.sorted() {
            guard let member = self.added[id] else { continue }
            var others = registry
            others.remove(id)
            do throws(Rejection) {
                try Self.check(member, in: others, security: security)
                registry.insert(member)
            } catch {
                let instead = registry.member(id) == nil ? "" : "; the configuration's member '\(id)' is used instead"
                problems.append("member '\(id)' added at run time is left out: \(error.message)\(instead)")
            }
        }
        return problems
    }

    /// Checks that `member` can join `registry`: its tenant and themes exist, its id and key are
    /// free, and it has a key when security needs one.
    ///
    /// - Throws: ``Rejection`` with `bad-request`, or `conflict` for a taken id or key.
    package static func check(_ member: Member, in registry: Registry, security: SecurityMode) throws(Rejection) {
        guard registry.tenant(member.tenant) != nil else {
            throw Rejection(.badRequest, "there is no tenant '\(member.tenant)'")
        }
        guard Identifier.isValid(member.id) else {
            throw Rejection(.badRequest, "'\(member.id)' is not a member name: 1 to \(Identifier.maximumLength) "
                            + "lower-case letters, digits and '-'")
        }
        if let other = registry.member(member.id) {
            throw Rejection(.conflict, "member '\(member.id)' already exists in tenant '\(other.tenant)'")
        }
        for theme in member.themes + member.animates where registry.theme(theme, tenant: member.tenant) == nil {
            throw Rejection(.badRequest, "'\(theme)' is not a theme of tenant '\(member.tenant)'")
        }
        for theme in member.animates where !member.worksOn(theme) {
            throw Rejection(.badRequest, "an animateur of '\(theme)' must work on it (add it to 'themes')")
        }
        if !member.animates.isEmpty && member.stratum != .crps && member.stratum != .gip {
            throw Rejection(.badRequest, "an animateur is a CRPS or GIP member, not \(member.stratum.word)")
        }
        if let key = member.publicKey {
            guard Z85.decode(key)?.count == 32 else {
                throw Rejection(.badRequest, "'\(key)' is not a 40-character Z85 CURVE public key")
            }
            if let other = registry.member(publicKey: key) {
                throw Rejection(.conflict, "the key is already enrolled for member '\(other.id)'")
            }
        } else if security == .curve {
            throw Rejection(.badRequest, "security 'curve' needs the member's public key ('public_key')")
        }
    }

    // MARK: - The file

    /// Reads `path`; a missing file is an empty enrolment.
    ///
    /// - Throws: a sentence naming the file and what is wrong with it.
    package static func load(path: String) throws(JournalError) -> Enrolment {
        guard let bytes = FileBytes.read(path: path) else {
            guard errno == ENOENT else { throw .io(call: "open", path: path, errno: errno) }
            return Enrolment()
        }
        guard case .object(let o)? = try? JSONParser.parse(bytes),
              let added = o["added"]?.arrayValue, let removed = o["removed"]?.arrayValue
        else {
            throw .damaged(path: path, problem: "not an enrolment file (an object with 'added' and 'removed')")
        }
        var out = Enrolment()
        for (n, value) in added.enumerated() {
            guard let object = value.objectValue, let tenant = object["tenant"]?.stringValue else {
                throw .damaged(path: path, problem: "added[\(n)] is not a member with its tenant")
            }
            do throws(Rejection) {
                let member = try Member.read(object, tenant: tenant, allowTenant: true, allowAxes: true)
                out.added[member.id] = member
                if object["axes"] != nil { out.listedAxes.append(member.id) }
            } catch {
                throw .damaged(path: path, problem: "added[\(n)]: \(error.message)")
            }
        }
        for value in removed {
            guard let id = value.stringValue else {
                throw .damaged(path: path, problem: "'removed' holds something other than member names")
            }
            out.removed.insert(id)
        }
        return out
    }

    /// Replaces the file with this enrolment, atomically.
    package func save(path: String) throws(JournalError) {
        var o = JSONObject()
        o["added"] = .array(self.added.keys.sorted().compactMap { self.added[$0].map { .object($0.jsonObject) } })
        o["removed"] = .array(self.removed.sorted().map { .string($0) })
        try AtomicFile.replace(path, with: JSONWriter.encode(.object(o)) + [0x0A])
    }
}
