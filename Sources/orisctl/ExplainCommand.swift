// SPDX-License-Identifier: Apache-2.0
import ORISBus

/// `orisctl explain`: why a member does or does not receive a topic.
enum ExplainCommand: DaemonCommand {
    static let name = "explain"
    static let summary = "say why a member does or does not receive a topic (tenant, theme, stratum, TLP)"
    static let usage = """
    Usage: orisctl explain MEMBER TOPIC [--json] [common options]

    TOPIC is tenant/theme/tier/kind, such as bfc/auto-rang3/crps/alert. You may ask about
    yourself; an operator, or an admin or animateur of the member's tenant, about anyone there.
    Exit 0 when the member receives the topic, 1 when it does not.

      --json             print the daemon's answer as JSON
    """

    static func run(_ arguments: inout ArgumentReader, common: CommonOptions) throws -> Int32 {
        let json = arguments.flag("--json")
        let words = try arguments.positionals()
        guard words.count == 2 else { throw UsageError("give a MEMBER and a TOPIC") }
        let request = JSONObject([("member", .string(words[0])), ("topic", .string(words[1]))])
        let connection = try common.connect()
        defer { connection.close() }
        let reply = try connection.client.request(.explain(arguments: JSONWriter.encode(.object(request))))
        guard reply.word == "EXPLAIN" else { throw CommandFailure.refused(reply) }
        let receives = reply.body["receives"]?.boolValue == true
        if json {
            Output.line(JSONWriter.string(.object(reply.body)))
        } else {
            Output.line("\(words[0]) \(receives ? "receives" : "does not receive") \(words[1]):")
            for reason in reply.body["reasons"]?.arrayValue?.compactMap(\.stringValue) ?? [] {
                Output.line("  - \(reason)")
            }
        }
        return receives ? ExitCode.success : ExitCode.failure
    }
}

/// `orisctl trace`: where an item went and why.
enum TraceCommand: DaemonCommand {
    static let name = "trace"
    static let summary = "show where an item went and why: tiers, reasons, escalations, corroborations"
    static let usage = """
    Usage: orisctl trace ID [--tenant TENANT] [--json] [common options]

    For an item still in the daemon's id window (a day by default): each delivery (topic, tier,
    sequence, reason), then the items that reference it (escalations, corroboration alerts,
    updates and cancels) among the next 10,000 of its tenant. An operator names the tenant with
    --tenant; others trace items of their own tenant that they may read (admins: any).

      --tenant TENANT    the item's tenant (operators; required through the control socket)
      --json             print the daemon's answer as JSON
    """

    static func run(_ arguments: inout ArgumentReader, common: CommonOptions) throws -> Int32 {
        let tenant = try arguments.option("--tenant")
        let json = arguments.flag("--json")
        let words = try arguments.positionals()
        guard words.count == 1 else { throw UsageError("give one item ID") }
        try common.requireTenant(tenant)
        var request = JSONObject([("id", .string(words[0]))])
        if let tenant { request["tenant"] = .string(tenant) }
        let connection = try common.connect()
        defer { connection.close() }
        let reply = try connection.client.request(.trace(arguments: JSONWriter.encode(.object(request))))
        guard reply.word == "TRACE" else { throw CommandFailure.refused(reply) }
        if json {
            Output.line(JSONWriter.string(.object(reply.body)))
            return ExitCode.success
        }
        func text(_ o: JSONObject?, _ key: String) -> String { o?[key]?.stringValue ?? "-" }
        Output.line("\(words[0]) from \(text(reply.body, "sender")) at \(text(reply.body, "received"))")
        for delivery in reply.body["deliveries"]?.arrayValue ?? [] {
            let d = delivery.objectValue
            let seq = d?["seq"]?.intValue.map(String.init) ?? "?"
            let reason = d?["reason"]?.stringValue.map { " — \($0)" } ?? ""
            Output.line("  \(text(d, "topic")) #\(seq)\(reason)")
        }
        for follower in reply.body["referenced_by"]?.arrayValue ?? [] {
            let f = follower.objectValue
            let reason = f?["reason"]?.stringValue.map { " — \($0)" } ?? ""
            Output.line("  referenced by \(text(f, "id")) from \(text(f, "sender")) on \(text(f, "topic"))\(reason)")
        }
        return ExitCode.success
    }
}
