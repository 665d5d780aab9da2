// SPDX-License-Identifier: Apache-2.0
import ORISBus

/// `orisctl member`: add, remove, list and show members (operator, or the tenant's admin).
enum MemberCommand: DaemonCommand {
    static let name = "member"
    static let summary = "add, remove, list and show members (operator or tenant admin)"
    static let usage = """
    Usage: orisctl member add ID --stratum STRATUM [--theme THEME]... [--public-key KEY] [options]
           orisctl member remove ID
           orisctl member list [--tenant TENANT] [--json]
           orisctl member show ID [--json]

    add      enrols a member: it can connect at once. Under security curve it needs its public
             key: a certificate from `orisctl keygen` (the public file) or the Z85 key itself.
      --stratum STRATUM   capteur, gip, crps, national or operator (operator: operators only)
      --theme THEME       a theme it works on (repeat; none means every theme of the tenant)
      --public-key KEY    its CURVE public key: a certificate file or 40 Z85 characters
      --tenant TENANT     the tenant it joins (default: yours; the control socket must name it)
      --name TEXT         a display name
      --organisation ORG  its organisation (tells independent sources apart)
      --admin             make it an admin of its tenant
      --animates THEME    make it the animateur of a theme (repeat; a CRPS or GIP member)
    remove   revokes a member: its key is refused from then on, its open connections get no
             further item (the feed's connections are cut and the others reconnect by
             themselves), and its requests are refused.
    list     the members of a tenant (default: yours; the control socket must name it).
    show     one member.

    Changes are kept across restarts (enrolment.json in the state folder) and take precedence
    over the configuration file; each is written to the audit trail with you as its actor.
    """

    static func run(_ arguments: inout ArgumentReader, common: CommonOptions) throws -> Int32 {
        let stratum = try arguments.word("--stratum", Stratum.self)
        let themes = try arguments.options("--theme")
        let publicKey = try arguments.option("--public-key")
        let tenant = try arguments.option("--tenant")
        let name = try arguments.option("--name")
        let organisation = try arguments.option("--organisation")
        let admin = arguments.flag("--admin")
        let animates = try arguments.options("--animates")
        let json = arguments.flag("--json")
        let words = try arguments.positionals()
        guard let action = words.first else {
            throw UsageError("say what to do: add, remove, list or show")
        }
        var request = JSONObject([("action", .string(action))])
        switch action {
        case "add":
            guard words.count == 2 else { throw UsageError("member add takes one ID") }
            guard let stratum else { throw UsageError("member add needs --stratum") }
            var member = JSONObject([("id", .string(words[1])), ("stratum", .string(stratum.word))])
            if !themes.isEmpty { member["themes"] = .array(themes.map { .string($0) }) }
            if let key = try publicKey.map(self.readKey) { member["public_key"] = .string(key) }
            if let tenant { member["tenant"] = .string(tenant) }
            if let name { member["name"] = .string(name) }
            if let organisation { member["organisation"] = .string(organisation) }
            if admin { member["admin"] = .bool(true) }
            if !animates.isEmpty { member["animates"] = .array(animates.map { .string($0) }) }
            request["member"] = .object(member)
        case "remove", "show":
            guard words.count == 2 else { throw UsageError("member \(action) takes one ID") }
            request["id"] = .string(words[1])
        case "list":
            guard words.count == 1 else { throw UsageError("member list takes no ID (use --tenant)") }
            if let tenant { request["tenant"] = .string(tenant) }
        default:
            let hint = Suggestion.closest(to: action, among: ["add", "remove", "list", "show"])
                .map { "; did you mean '\($0)'?" } ?? ""
            throw UsageError("unknown action '\(action)'\(hint) (add, remove, list, show)")
        }
        if action != "add" && (stratum != nil || !themes.isEmpty || publicKey != nil || name != nil
                               || organisation != nil || admin || !animates.isEmpty) {
            throw UsageError("--stratum, --theme, --public-key, --name, --organisation, --admin and --animates go "
                             + "with 'add'")
        }
        if tenant != nil && !["add", "list"].contains(action) {
            throw UsageError("--tenant goes with 'add' and 'list'")
        }
        if ["add", "list"].contains(action) {
            try common.requireTenant(tenant)
        }

        let connection = try common.connect()
        defer { connection.close() }
        let reply = try connection.client.request(.member(arguments: JSONWriter.encode(.object(request))))
        guard reply.word == "MEMBER" else { throw CommandFailure.refused(reply) }
        let members = reply.body["members"]?.arrayValue
            ?? [reply.body["member"] ?? reply.body["removed"]].compactMap { $0 }
        for member in members {
            guard let m = member.objectValue else { continue }
            if json {
                Output.line(JSONWriter.string(member))
                continue
            }
            Output.line(self.line(m, prefix: action == "remove" ? "removed " : action == "add" ? "added " : ""))
        }
        if members.isEmpty && !json {
            Output.line("no members")
        }
        return ExitCode.success
    }

    /// One member on a line: id, tenant, stratum, themes, roles.
    static func line(_ m: JSONObject, prefix: String) -> String {
        func text(_ key: String) -> String { m[key]?.stringValue ?? "-" }
        let themes = m["themes"]?.arrayValue?.compactMap(\.stringValue) ?? []
        var roles = [String]()
        if m["admin"]?.boolValue == true { roles.append("admin") }
        let animates = m["animates"]?.arrayValue?.compactMap(\.stringValue) ?? []
        if !animates.isEmpty { roles.append("animateur of \(animates.joined(separator: ","))") }
        var out = "\(prefix)\(text("id")) tenant=\(text("tenant")) stratum=\(text("stratum")) "
            + "themes=\(themes.isEmpty ? "(all)" : themes.joined(separator: ","))"
        if !roles.isEmpty { out += " roles=\(roles.joined(separator: ";"))" }
        if let key = m["public_key"]?.stringValue { out += " key=\(key)" }
        return out
    }

    /// A public key given as Z85 text or as a certificate file.
    static func readKey(_ text: String) throws -> String {
        if Z85.decode(text)?.count == 32 { return text }
        do {
            return try CurveCertificate.read(path: text).publicKey
        } catch {
            throw CommandFailure.noInput("--public-key is neither a 40-character Z85 key nor a certificate: \(error)")
        }
    }
}
