// SPDX-License-Identifier: Apache-2.0
#if canImport(Glibc)
import Glibc
#endif

extension Daemon {
    /// Who a request on the local control socket acts as: an operator. The name cannot be a
    /// member's (member names have no `@`), so the audit trail tells the two apart.
    static let localOperator = Member(id: "@control", tenant: "", stratum: .operator)

    /// The control socket's folder (mode 0700) and file (mode 0600), inside the state folder.
    var controlDirectory: String { self.configuration.stateDirectory + "/control" }
    var controlPath: String { self.controlDirectory + "/orisd.sock" }

    /// Binds the local control socket: a ROUTER on ipc without any security mechanism, reached
    /// only by who may open the file. Its folder is made 0700 before the bind, so nobody else can
    /// reach the socket in the moment before the file itself is made 0600.
    func bindControl(_ socket: Socket) throws(DaemonError) {
        var info = stat()
        if lstat(self.controlDirectory, &info) == 0, (info.st_mode & S_IFMT) != S_IFDIR {
            throw .state("refusing the control folder '\(self.controlDirectory)': it is not a folder (a link?)")
        }
        if let problem = FileBytes.makeDirectory(self.controlDirectory) {
            throw .state("cannot make the control folder '\(self.controlDirectory)': \(problem)")
        }
        if let problem = Self.privateFolderProblem(self.controlDirectory) {
            throw .state("refusing the control folder '\(self.controlDirectory)': \(problem)")
        }
        guard chmod(self.controlDirectory, 0o700) == 0 else {
            throw .state("cannot restrict the control folder '\(self.controlDirectory)': "
                         + FileBytes.errorText(errno))
        }
        let endpoint = "ipc://" + self.controlPath
        do {
            try socket.bind(endpoint)
        } catch {
            throw .bind(endpoint: endpoint, name: "control", cause: error)
        }
        guard chmod(self.controlPath, 0o600) == 0 else {
            throw .state("cannot restrict the control socket '\(self.controlPath)': " + FileBytes.errorText(errno))
        }
        self.logger.info("listening", [("endpoint", "control"), ("address", endpoint)])
    }

    /// Why a folder the daemon keeps its state in is not safe, or nil: it must be a real
    /// folder (not a link), owned by the daemon's user, and writable by nobody else.
    static func privateFolderProblem(_ path: String) -> String? {
        var info = stat()
        guard lstat(path, &info) == 0 else { return FileBytes.lastErrorText() }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { return "it is not a folder (a symbolic link?)" }
        guard info.st_uid == geteuid() else {
            return "it belongs to user \(info.st_uid), not to the daemon's user \(geteuid())"
        }
        guard info.st_mode & 0o022 == 0 else {
            return "others may write in it (mode \(String(info.st_mode & 0o7777, radix: 8))); make it 0700"
        }
        return nil
    }

    // MARK: - MEMBER

    /// `MEMBER {"action": "add"|"remove"|"list"|"show", …}` (PROTOCOL.md section 6.6).
    func memberCommand(_ arguments: [UInt8], actor: Member) throws(Rejection) -> Reply {
        guard case .object(let o)? = try? JSONParser.parse(arguments) else {
            throw Rejection(.badRequest, "the MEMBER arguments must be a JSON object")
        }
        guard let action = o["action"]?.stringValue else {
            throw Rejection(.badRequest, "MEMBER needs an 'action': add, remove, list or show")
        }
        func only(_ keys: [String]) throws(Rejection) {
            for key in o.keys where !keys.contains(key) {
                throw Rejection(.badRequest, "unknown MEMBER \(action) argument '\(key)' "
                                + "(known: \(keys.joined(separator: ", ")))")
            }
        }
        // A member of another tenant is "not found" for anyone but an operator, so that an admin
        // cannot learn which names exist elsewhere.
        func named() throws(Rejection) -> Member {
            guard let id = o["id"]?.stringValue else { throw Rejection(.badRequest, "'id' must name a member") }
            guard let member = self.registry.member(id),
                  actor.stratum == .operator || member.tenant == actor.tenant
            else {
                let place = actor.stratum == .operator ? "" : " in tenant '\(actor.tenant)'"
                throw Rejection(.notFound, "there is no member '\(id)'\(place)")
            }
            return member
        }
        switch action {
        case "add":
            try only(["action", "member"])
            guard let fields = o["member"]?.objectValue else {
                throw Rejection(.badRequest, "'member' must be an object (id, stratum, themes, public_key, …)")
            }
            return try self.addMember(fields, actor: actor)
        case "remove":
            try only(["action", "id"])
            let member = try named()
            try ControlPolicy.check(actor, .removeMember, tenant: member.tenant)
            try ControlPolicy.checkGrant(actor, to: member)
            return try self.removeMember(member, actor: actor)
        case "show":
            try only(["action", "id"])
            let member = try named()
            try ControlPolicy.check(actor, .readMembers, tenant: member.tenant)
            return Reply(word: "MEMBER", body: JSONObject([("member", .object(member.jsonObject))]))
        case "list":
            try only(["action", "tenant"])
            if let value = o["tenant"], value.stringValue == nil {
                throw Rejection(.badRequest, "'tenant' must be a string")
            }
            guard let tenant = o["tenant"]?.stringValue ?? (actor.tenant.isEmpty ? nil : actor.tenant) else {
                throw Rejection(.badRequest, "say which tenant to list ('tenant')")
            }
            guard self.registry.tenant(tenant) != nil else {
                throw Rejection(.notFound, "there is no tenant '\(tenant)'")
            }
            try ControlPolicy.check(actor, .readMembers, tenant: tenant)
            let members = self.registry.members(of: tenant).map { JSONValue.object($0.jsonObject) }
            return Reply(word: "MEMBER", body: JSONObject([("tenant", .string(tenant)), ("members", .array(members))]))
        default:
            throw Rejection(.badRequest, "unknown MEMBER action '\(action)' (known: add, remove, list, show)")
        }
    }

    private func addMember(_ fields: JSONObject, actor: Member) throws(Rejection) -> Reply {
        let member = try Member.read(fields, tenant: actor.tenant)
        if fields["tenant"] == nil && actor.stratum == .operator && actor.tenant.isEmpty {
            throw Rejection(.badRequest, "say which tenant the member joins ('tenant')")
        }
        try ControlPolicy.check(actor, .addMember, tenant: member.tenant)
        try ControlPolicy.checkGrant(actor, to: member)
        try Enrolment.check(member, in: self.registry, security: self.configuration.security)
        if let most = self.registry.tenant(member.tenant)?.quota.maximumMembers,
           self.registry.members(of: member.tenant).count >= most {
            throw Rejection(.overQuota, "tenant '\(member.tenant)' already has \(most) members, its quota")
        }
        var enrolment = self.enrolment
        enrolment.add(member)
        var registry = self.registry
        registry.insert(member)
        try self.commit(enrolment, registry, actor: actor)
        self.logger.notice("member added", [("member", member.id), ("tenant", member.tenant),
                                            ("stratum", member.stratum.word), ("by", actor.id)])
        return Reply(word: "MEMBER", body: JSONObject([("member", .object(member.jsonObject))]))
    }

    private func removeMember(_ member: Member, actor: Member) throws(Rejection) -> Reply {
        var enrolment = self.enrolment
        enrolment.remove(member.id)
        var registry = self.registry
        registry.remove(member.id)
        try self.commit(enrolment, registry, actor: actor)
        // The key no longer passes ZAP, and every api and ingest message is checked against the
        // registry; the feed is replaced (``resetFeed(_:)``: libzmq has no stable call to drop one
        // peer), so that none of its open connections keeps receiving.
        self.feedResetPending = true
        self.logger.notice("member removed", [("member", member.id), ("tenant", member.tenant), ("by", actor.id)])
        return Reply(word: "MEMBER", body: JSONObject([("removed", .object(member.jsonObject))]))
    }

    /// Makes a registry change durable (enrolment file, then audit trail and registry file), then
    /// applies it. Nothing changes when a write fails.
    private func commit(_ enrolment: Enrolment, _ registry: Registry, actor: Member) throws(Rejection) {
        do {
            try enrolment.save(path: self.enrolmentPath)
            try self.registryStore?.record(registry, actor: actor.id)
        } catch {
            throw Self.writeFailure(error, "the registry change")
        }
        self.enrolment = enrolment
        self.registry = registry
        self.bus?.registry = registry
    }

    /// The refusal for a change that could not be written to the state folder: nothing changed.
    static func writeFailure(_ error: JournalError, _ what: String) -> Rejection {
        if case .diskFull = error {
            return Rejection(.storageFull, "\(what) could not be written: no space left")
        }
        return Rejection(.internal, "\(what) could not be written: \(error)")
    }

    /// Where run-time member changes are kept.
    var enrolmentPath: String { self.configuration.stateDirectory + "/enrolment.json" }
}

extension Daemon {
    /// Reads a command's JSON object, refusing unknown keys.
    func arguments(_ bytes: [UInt8], _ command: String, known: [String]) throws(Rejection) -> JSONObject {
        guard case .object(let o)? = try? JSONParser.parse(bytes) else {
            throw Rejection(.badRequest, "the \(command) arguments must be a JSON object")
        }
        for key in o.keys where !known.contains(key) {
            let list = known.joined(separator: ", ")
            throw Rejection(.badRequest, "unknown \(command) argument '\(key)' (known: \(list))")
        }
        return o
    }

    /// `EXPLAIN {"member": M, "topic": T}`: the member itself, an operator, or an admin or
    /// animateur of the member's tenant may ask.
    func explainCommand(_ bytes: [UInt8], actor: Member) throws(Rejection) -> Reply {
        let o = try self.arguments(bytes, "EXPLAIN", known: ["member", "topic"])
        guard let topic = o["topic"]?.stringValue else { throw Rejection(.badRequest, "'topic' must be a string") }
        let id = o["member"]?.stringValue ?? actor.id
        guard let member = self.registry.member(id), actor.stratum == .operator || member.tenant == actor.tenant
        else {
            throw Rejection(.notFound, "there is no member '\(id)'")
        }
        if member.id != actor.id {
            try ControlPolicy.check(actor, .readMembers, tenant: member.tenant)
        }
        guard let bus = self.bus else { throw Rejection(.internal, "the daemon is stopping") }
        let (receives, reasons) = bus.explain(member: member, topic: topic)
        return Reply(word: "EXPLAIN", body: JSONObject([
            ("member", .string(member.id)), ("topic", .string(topic)), ("receives", .bool(receives)),
            ("reasons", .array(reasons.map { .string($0) })),
        ]))
    }

    /// `TRACE {"id": ID, "tenant": T?}`: an operator (any tenant), a tenant admin, or a member
    /// that may read one of the item's topics; to anyone else the item does not exist.
    func traceCommand(_ bytes: [UInt8], actor: Member) throws(Rejection) -> Reply {
        let o = try self.arguments(bytes, "TRACE", known: ["id", "tenant"])
        guard let id = o["id"]?.stringValue else { throw Rejection(.badRequest, "'id' must name an item") }
        let tenant = actor.stratum == .operator ? (o["tenant"]?.stringValue ?? actor.tenant) : actor.tenant
        guard let bus = self.bus else { throw Rejection(.internal, "the daemon is stopping") }
        let found: JSONObject?
        do {
            found = try bus.trace(id: id, tenant: tenant)
        } catch {
            throw Rejection(.internal, "the journal could not be read: \(error)")
        }
        let readable = found?["deliveries"]?.arrayValue?.contains { delivery in
            delivery.objectValue?["topic"]?.stringValue.map { ReadPolicy.allows(actor, $0, in: self.registry) }
                ?? false
        } ?? false
        guard var found, actor.stratum == .operator || actor.isAdmin || readable else {
            throw Rejection(.notFound, "no recent item '\(id)' in tenant '\(tenant)' that you may read")
        }
        // The items that name it are others' items: a member sees those on topics it may read.
        if actor.stratum != .operator && !actor.isAdmin {
            found["referenced_by"] = .array((found["referenced_by"]?.arrayValue ?? []).filter { follower in
                follower.objectValue?["topic"]?.stringValue.map { ReadPolicy.allows(actor, $0, in: self.registry) }
                    ?? false
            })
        }
        return Reply(word: "TRACE", body: found)
    }
}
