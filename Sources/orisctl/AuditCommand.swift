// SPDX-License-Identifier: Apache-2.0
import ORISBus

/// `orisctl audit`: the registry's audit trail (operators only).
enum AuditCommand: DaemonCommand {
    static let name = "audit"
    static let summary = "show who changed the registry (tenants, themes, members), when and how (operator)"
    static let usage = """
    Usage: orisctl audit [--tenant TENANT] [--json] [common options]

    Each line: number, time, actor, action, tenant/subject. Changes read from the
    configuration at start have the actor config:<file>.

      --tenant TENANT    only this tenant's changes
      --json             one JSON object a line
    """

    static func run(_ arguments: inout ArgumentReader, common: CommonOptions) throws -> Int32 {
        let tenant = try arguments.option("--tenant")
        let json = arguments.flag("--json")
        try arguments.finish()
        let connection = try common.connect()
        defer { connection.close() }
        let client = connection.client
        var after: Int64 = 0
        while true {
            var request = JSONObject([("after", .int(after)), ("limit", .int(1000))])
            if let tenant { request["tenant"] = .string(tenant) }
            let reply = try client.request(.audit(arguments: JSONWriter.encode(.object(request))))
            guard reply.word == "AUDIT" else { throw CommandFailure.refused(reply) }
            for entry in reply.body["entries"]?.arrayValue ?? [] {
                guard let e = entry.objectValue else { continue }
                if json {
                    Output.line(JSONWriter.string(entry))
                } else {
                    func text(_ key: String) -> String { e[key]?.stringValue ?? "-" }
                    let n = e["n"]?.intValue.map(String.init) ?? "?"
                    Output.line("\(n) \(text("time")) \(text("actor")) \(text("action")) "
                                + "\(text("tenant"))/\(text("subject")) \(JSONWriter.string(e["detail"] ?? .null))")
                }
            }
            guard reply.body["more"]?.boolValue == true, let cursor = reply.body["cursor"]?.intValue else { break }
            after = cursor
        }
        return ExitCode.success
    }
}
